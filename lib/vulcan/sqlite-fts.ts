// The full-text index actions of the default SQLite provider, on FTS5: one virtual table per
// index (id, file_path, title, content). "jieba" indexes hold pre-spaced CJK text (see spaceCjk),
// tokenized like "none" ones, and are un-spaced on the way out.
import { inTransaction, sqliteOperation, type Database } from './sqlite-driver.js';
import { ensureDictionary, textTokens } from './sqlite-dictionary.js';
import { optionalString, optionalUint, requireString, type Input } from './sqlite-params.js';
import { ftsQuery, indexName, normalizeText, quoteId, spaceCjk, tokenizerMode, unspaceCjk, type TokenizerMode } from './sqlite-text.js';

interface FtsDocument {
  id: string;
  file_path: string;
  title: string;
  content: string;
}

function ensureIndexTable(db: Database, name: string, mode: TokenizerMode): string {
  const index = indexName(name);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${quoteId(index)} USING fts5(
    id UNINDEXED, file_path UNINDEXED, title, content, tokenize='unicode61 remove_diacritics 2')`);
  if (mode === 'jieba') ensureDictionary(db);
  return index;
}

// Replaces the document with that id; the count is rows deleted plus rows inserted.
function writeDocument(db: Database, index: string, mode: TokenizerMode, doc: FtsDocument): number {
  const q = quoteId(index);
  let affected = db.prepare(`DELETE FROM ${q} WHERE id = ?`).run(doc.id).changes;
  const title = mode === 'jieba' ? spaceCjk(doc.title) : doc.title;
  const content = mode === 'jieba' ? spaceCjk(doc.content) : doc.content;
  affected += db.prepare(`INSERT INTO ${q} (id, file_path, title, content) VALUES (?, ?, ?, ?)`).run(doc.id, doc.file_path, title, content).changes;
  return affected;
}

export function ensureFtsIndex(db: Database, input: Input) {
  const name = requireString(input, 'index_name');
  const mode = tokenizerMode(input);
  return sqliteOperation('ensure_fts_index', () => ({ success: true, index_name: ensureIndexTable(db, name, mode), tokenizer_mode: mode }));
}

/** Drops and refills the index under `mode` (in one transaction), or creates it when missing. */
export function rebuildFtsIndex(db: Database, input: Input) {
  const name = requireString(input, 'index_name');
  const mode = tokenizerMode(input);
  return sqliteOperation('rebuild_fts_index', () => {
    const index = indexName(name);
    const exists = Number(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(index));
    if (exists === 0) return { success: true, index_name: ensureIndexTable(db, index, mode), tokenizer_mode: mode, reindexed_rows: 0 };
    const docs: FtsDocument[] = db
      .prepare(`SELECT id, file_path, title, content FROM ${quoteId(index)} ORDER BY rowid ASC`)
      .all()
      .map((r) => ({
        id: String(r.id ?? ''),
        file_path: String(r.file_path ?? ''),
        title: unspaceCjk(String(r.title ?? '')),
        content: unspaceCjk(String(r.content ?? '')),
      }));
    inTransaction(db, () => {
      db.exec(`DROP TABLE IF EXISTS ${quoteId(index)}`);
      ensureIndexTable(db, index, mode);
      for (const doc of docs) writeDocument(db, index, mode, doc);
    });
    return { success: true, index_name: index, tokenizer_mode: mode, reindexed_rows: docs.length };
  });
}

export function upsertFtsDocument(db: Database, input: Input) {
  const name = requireString(input, 'index_name');
  const mode = tokenizerMode(input);
  const id = requireString(input, 'id');
  const filePath = requireString(input, 'file_path');
  const title = optionalString(input, 'title');
  const content = optionalString(input, 'content');
  return sqliteOperation('upsert_fts_document', () => {
    const index = ensureIndexTable(db, name, mode);
    const affected = writeDocument(db, index, mode, { id, file_path: filePath, title, content });
    return { success: true, affected_rows: affected, index_name: index, id };
  });
}

export function deleteFtsDocument(db: Database, input: Input) {
  const name = requireString(input, 'index_name');
  const id = requireString(input, 'id');
  return sqliteOperation('delete_fts_document', () => {
    const index = indexName(name);
    const affected = db.prepare(`DELETE FROM ${quoteId(index)} WHERE id = ?`).run(id).changes;
    return { success: true, affected_rows: affected, index_name: index, id };
  });
}

/** BM25-ranked hits (title weighted 2, content 1) with highlights; `score` is the negated raw score. */
export function searchFts(db: Database, input: Input) {
  const name = requireString(input, 'index_name');
  const mode = tokenizerMode(input);
  const query = requireString(input, 'query');
  const limit = Math.min(200, Math.max(1, optionalUint(input, 'limit', 10)));
  const offset = optionalUint(input, 'offset', 0);
  return sqliteOperation('search_fts', () => {
    const index = ensureIndexTable(db, name, mode);
    const q = quoteId(index);
    const match = ftsQuery(textTokens(db, mode, normalizeText(query)), true, mode);
    const total = Number(db.prepare(`SELECT COUNT(*) FROM ${q} WHERE ${q} MATCH ?`).pluck().get(match));
    const rows = db
      .prepare(
        `SELECT id, file_path, title,
           highlight(${q}, 2, '<mark>', '</mark>') AS title_highlight,
           snippet(${q}, 3, '<mark>', '</mark>', '...', 12) AS content_snippet,
           bm25(${q}, 2.0, 1.0) AS raw_score
         FROM ${q} WHERE ${q} MATCH ?
         ORDER BY raw_score ASC, file_path ASC, id ASC
         LIMIT ? OFFSET ?`,
      )
      .all(match, BigInt(limit), BigInt(offset));
    const fix = mode === 'jieba' ? unspaceCjk : (s: string): string => s;
    const hits = rows.map((r, i) => {
      const raw = Number(r.raw_score);
      return {
        id: String(r.id ?? ''),
        file_path: String(r.file_path ?? ''),
        title: fix(String(r.title ?? '')),
        title_highlight: fix(String(r.title_highlight ?? '')),
        content_snippet: fix(String(r.content_snippet ?? '')),
        score: -raw,
        rank: offset + i + 1,
        raw_score: raw,
      };
    });
    return { success: true, index_name: index, tokenizer_mode: mode, source: 'sqlite_fts', query_mode: 'fts', total, hits };
  });
}
