// query_stream and its follow-up actions for the default SQLite provider. The result is read at
// once and kept as chunks of NDJSON (one JSON object per row and line), each at most chunk_bytes
// long unless one row is longer; handles are numbered per database.
import { DatabaseError } from './database-provider.js';
import { sqliteWork, type Database } from './sqlite-driver.js';
import { jsonText, optionalUint, requireString, requireUint, singleParams, type Input } from './sqlite-params.js';
import { resultRows } from './sqlite-statements.js';

const DEFAULT_CHUNK_BYTES = 64 * 1024;

interface QueryStream {
  chunks: Buffer[];
  rowCount: number;
  totalBytes: number;
}

/** The open query streams of one database. */
export class QueryStreams {
  readonly #streams = new Map<number, QueryStream>();
  #nextId = 1;

  /** `query_stream`: runs the query and keeps its result under a new handle. */
  open(db: Database, input: Input) {
    const sql = requireString(input, 'sql');
    const params = singleParams(input);
    const chunkBytes = optionalUint(input, 'chunk_bytes', optionalUint(input, 'chunk_size', 0)) || DEFAULT_CHUNK_BYTES;
    const stream = sqliteWork(() => {
      const chunks: Buffer[] = [];
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let rowCount = 0;
      let totalBytes = 0;
      for (const row of resultRows(db, sql, params)) {
        const line = Buffer.from(jsonText(row) + '\n', 'utf8');
        if (pendingBytes > 0 && pendingBytes + line.length > chunkBytes) {
          chunks.push(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
        pending.push(line);
        pendingBytes += line.length;
        rowCount++;
        totalBytes += line.length;
      }
      if (pendingBytes > 0) chunks.push(Buffer.concat(pending));
      return { chunks, rowCount, totalBytes };
    });
    const id = this.#nextId++;
    this.#streams.set(id, stream);
    return { success: true, stream_id: id, metrics_ready: false };
  }

  /** `query_stream_wait_metrics`. */
  metrics(input: Input) {
    const { id, stream } = this.#stream(input);
    return { success: true, stream_id: id, metrics_ready: true, row_count: stream.rowCount, chunk_count: stream.chunks.length, total_bytes: stream.totalBytes };
  }

  /** `query_stream_chunk`: one chunk, base64. */
  chunk(input: Input) {
    const { id, stream } = this.#stream(input);
    const index = requireUint(input, 'index');
    const chunk = stream.chunks[index];
    if (!chunk) throw new DatabaseError('invalid_input', `query stream chunk index out of range: ${index} (chunk_count=${stream.chunks.length})`);
    return { success: true, stream_id: id, index, byte_count: chunk.length, chunk_base64: chunk.toString('base64') };
  }

  /** `query_stream_close`. */
  close(input: Input) {
    const { id } = this.#stream(input);
    this.#streams.delete(id);
    return { success: true, stream_id: id, message: `query_stream handle ${id} closed successfully` };
  }

  /** Drops every stream (the database is closing). */
  clear(): void {
    this.#streams.clear();
  }

  #stream(input: Input): { id: number; stream: QueryStream } {
    const id = requireUint(input, 'stream_id');
    const stream = this.#streams.get(id);
    if (!stream) throw new DatabaseError('stream_not_found', `query stream handle not found: ${id}`);
    return { id, stream };
  }
}
