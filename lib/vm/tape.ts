// JS -> Lua for arrays and objects: the value is walked here, in JIT-compiled JS, and written to
// a compact binary tape that the addon turns into Lua tables without one N-API call per
// element (native/tape_decoder.cc reads it). Values and errors follow docs/values.md exactly.

/** Tape tags; keep in step with native/tape_decoder.cc. */
const enum Tag {
  Nil = 0,
  Null = 1,
  False = 2,
  True = 3,
  Int = 4,
  Float = 5,
  String = 6,
  Array = 7,
  Object = 8,
}

const MAX_DEPTH = 256;
const MAX_PATH_CHARS = 120;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/** A conversion failure; `path` grows as the error passes each enclosing container. */
class TapeError extends Error {
  path = '';
}

function shortPath(path: string): string {
  if (path.length <= MAX_PATH_CHARS) return path;
  return `${path.slice(0, MAX_PATH_CHARS / 2)}...${path.slice(path.length - MAX_PATH_CHARS / 2)}`;
}

class TapeWriter {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  pos = 0;
  ancestors: object[] = [];

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(t: Tag): void {
    this.ensure(1);
    this.buf[this.pos++] = t;
  }

  u32(n: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }

  // A string payload: u32 byte length, then the UTF-8 bytes.
  text(s: string): void {
    const n = s.length;
    if (n <= 32) {
      this.ensure(4 + n);
      const start = this.pos + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[start + i] = c;
      }
      if (i === n) {
        this.view.setUint32(this.pos, n, true);
        this.pos = start + n;
        return;
      }
    }
    const max = n <= 4096 ? n * 3 : Buffer.byteLength(s, 'utf8');
    this.ensure(4 + max);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos + 4));
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }

  bytes(b: ArrayBufferView): void {
    const src = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    this.ensure(5 + src.length);
    this.buf[this.pos++] = Tag.String;
    this.view.setUint32(this.pos, src.length, true);
    this.buf.set(src, this.pos + 4);
    this.pos += 4 + src.length;
  }

  int(v: number | bigint): void {
    this.ensure(9);
    this.buf[this.pos++] = Tag.Int;
    this.view.setBigInt64(this.pos, typeof v === 'bigint' ? v : BigInt(v), true);
    this.pos += 8;
  }

  value(v: unknown, depth: number, nested: boolean): void {
    switch (typeof v) {
      case 'undefined':
        this.tag(nested ? Tag.Null : Tag.Nil);
        return;
      case 'boolean':
        this.tag(v ? Tag.True : Tag.False);
        return;
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
          this.int(v);
        } else {
          this.ensure(9);
          this.buf[this.pos++] = Tag.Float;
          this.view.setFloat64(this.pos, v, true);
          this.pos += 8;
        }
        return;
      case 'bigint':
        if (v < INT64_MIN || v > INT64_MAX) throw new TapeError('a BigInt is outside the 64-bit integer range of Lua');
        this.int(v);
        return;
      case 'string':
        this.tag(Tag.String);
        this.text(v);
        return;
      case 'function':
        throw new TapeError('cannot convert a JS function to Lua (use registerHostFunction)');
      case 'symbol':
        throw new TapeError('cannot convert a JS symbol to Lua');
      default:
        break;
    }
    if (v === null) {
      this.tag(nested ? Tag.Null : Tag.Nil);
      return;
    }
    this.container(v as object, depth);
  }

  container(v: object, depth: number): void {
    if (ArrayBuffer.isView(v)) {
      if (v instanceof Uint8Array || v instanceof Int8Array || v instanceof Uint8ClampedArray) {
        this.bytes(v);
        return;
      }
      if (v instanceof DataView) throw new TapeError('a DataView cannot convert to Lua; pass a Buffer or Uint8Array');
      throw new TapeError('only byte arrays (Uint8Array, Buffer) convert to Lua strings');
    }
    if (depth >= MAX_DEPTH) throw new TapeError(`a JS value nests deeper than ${MAX_DEPTH} levels`);
    if (this.ancestors.includes(v)) throw new TapeError('a JS value contains itself (a cycle)');
    this.ancestors.push(v);
    if (Array.isArray(v)) {
      this.tag(Tag.Array);
      this.u32(v.length);
      for (let i = 0; i < v.length; i++) {
        try {
          this.value(read(v, i), depth + 1, true);
        } catch (err) {
          throw prefix(err, `[${i}]`);
        }
      }
    } else {
      this.tag(Tag.Object);
      const countAt = this.pos;
      this.u32(0);
      let count = 0;
      for (const key of Object.keys(v)) {
        let item: unknown;
        try {
          item = read(v, key);
          if (item === undefined) continue; // as JSON.stringify does
          this.text(key);
          this.value(item, depth + 1, true);
        } catch (err) {
          throw prefix(err, `.${key}`);
        }
        count++;
      }
      this.view.setUint32(countAt, count, true);
    }
    this.ancestors.pop();
  }
}

function read(container: object, key: string | number): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new TapeError(`reading a JS value threw an exception: ${why}`);
  }
}

function prefix(err: unknown, segment: string): unknown {
  if (err instanceof TapeError) err.path = segment + err.path;
  return err;
}

// One writer reused across calls; a getter that converts another value meanwhile gets its own.
const shared = new TapeWriter();
let sharedBusy = false;

/**
 * Encodes an array or object that sits `depth` levels deep. Returns a view the addon reads at
 * once. Throws an Error whose message is the conversion failure, with its path.
 */
export function encodeTape(value: object, depth: number): Uint8Array {
  const w = sharedBusy ? new TapeWriter() : shared;
  const own = w === shared;
  if (own) sharedBusy = true;
  w.pos = 0;
  w.ancestors.length = 0;
  try {
    w.container(value, depth);
    return w.buf.subarray(0, w.pos);
  } catch (err) {
    if (err instanceof TapeError) {
      throw new Error(err.path ? `${err.message} (at ${shortPath(err.path)})` : err.message);
    }
    throw err;
  } finally {
    if (own) sharedBusy = false;
    w.ancestors.length = 0;
  }
}
