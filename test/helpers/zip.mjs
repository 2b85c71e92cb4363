// Builds real zip files for tests with fflate (names are not validated, so attacks can be built).
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

const encoder = new TextEncoder();

/**
 * entries: [{ name, data?: string|Uint8Array, store?: boolean, os?: number, attrs?: number }]
 * Returns a Buffer with the whole archive.
 */
export function buildZip(entries) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const zip = new Zip((error, chunk, final) => {
      if (error) return reject(error);
      chunks.push(chunk);
      if (final) resolve(Buffer.concat(chunks));
    });
    for (const entry of entries) {
      const file = entry.store ? new ZipPassThrough(entry.name) : new ZipDeflate(entry.name, { level: 9 });
      if (entry.os !== undefined) file.os = entry.os;
      if (entry.attrs !== undefined) file.attrs = entry.attrs;
      zip.add(file);
      const data = entry.data ?? '';
      file.push(typeof data === 'string' ? encoder.encode(data) : data, true);
    }
    zip.end();
  });
}

/** Unix mode bits as zip external attributes (host 3). */
export function unixAttrs(mode) {
  return (mode * 0x10000) >>> 0;
}

/** A minimal valid skill package for `id`, as zip entries. */
export function skillEntries(id, version = '1.0.0', extra = []) {
  return [
    { name: `${id}/` },
    {
      name: `${id}/skill.yaml`,
      data: `name: ${id}\nversion: ${version}\nentries:\n  - name: ping\n    lua_entry: runtime/ping.lua\n    lua_module: ping\n`,
    },
    { name: `${id}/runtime/ping.lua`, data: 'return function(args) return "pong" end\n' },
    ...extra,
  ];
}

/** Sets the uncompressed size of the central-directory record of `name` to `size` (a lying header). */
export function patchDeclaredSize(zipBuffer, name, size) {
  const buf = Buffer.from(zipBuffer);
  for (let i = buf.length - 46; i >= 0; i -= 1) {
    if (buf.readUInt32LE(i) !== 0x02014b50) continue;
    const nameLength = buf.readUInt16LE(i + 28);
    if (buf.toString('utf8', i + 46, i + 46 + nameLength) === name) {
      buf.writeUInt32LE(size, i + 24);
      return buf;
    }
  }
  throw new Error(`no central record for ${name}`);
}
