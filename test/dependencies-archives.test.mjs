// What a dependency archive may export: a symbolic or hard link named by an export is refused
// with the entry in the message and nothing installed (tar.gz and zip), links that are not
// exported are ignored, and a `raw` payload takes exactly one export (refused before any
// download; zero exports is refused by the probe) while the other skills load.
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import * as tar from 'tar';

import { currentPlatformKey } from '../dist/index.js';
import { depTree, failuresOf, loadDeps, useDepsServer } from './helpers/deps-server.mjs';
import { buildZip, unixAttrs } from './helpers/zip.mjs';

const PLATFORM = currentPlatformKey();
const ctx = useDepsServer('luaskills-deparch-');
const work = ctx.work;
let srv;
before(async () => {
  await ctx.ready;
  srv = ctx.srv;
});

/** A tar.gz of `pkg/bin/real`, symlink `pkg/bin/alias` -> real, symlink `pkg/bin/escape` -> /etc/passwd, hard link `pkg/bin/hard`. */
async function linkTarball() {
  const src = path.join(work, 'tarsrc');
  mkdirSync(path.join(src, 'pkg', 'bin'), { recursive: true });
  writeFileSync(path.join(src, 'pkg', 'bin', 'real'), 'real body\n');
  symlinkSync('real', path.join(src, 'pkg', 'bin', 'alias'));
  symlinkSync('/etc/passwd', path.join(src, 'pkg', 'bin', 'escape'));
  linkSync(path.join(src, 'pkg', 'bin', 'real'), path.join(src, 'pkg', 'bin', 'hard'));
  const file = path.join(work, 'links.tar.gz');
  // `real` first, so `hard` is stored as a hard link to it.
  await tar.c({ gzip: true, file, cwd: src, portable: true }, ['pkg/bin/real', 'pkg/bin/alias', 'pkg/bin/escape', 'pkg/bin/hard']);
  const entries = [];
  await tar.t({ file, onReadEntry: (e) => entries.push(`${e.path}:${e.type}`) });
  assert.deepEqual(entries, ['pkg/bin/real:File', 'pkg/bin/alias:SymbolicLink', 'pkg/bin/escape:SymbolicLink', 'pkg/bin/hard:Link']);
  return readFileSync(file);
}

const dep = (name, archiveType, url, exportsYaml) => `tool_dependencies:
  - name: ${name}
    version: "1.0"
    source: { type: url }
    packages:
      ${PLATFORM}: { archive_type: ${archiveType}, url: "${url}", exports: ${exportsYaml} }
`;

/** Files (not folders) left under `<deps>/tools/<skill>`. */
function leftovers(t, skill) {
  const dir = path.join(t.root, 'dependencies', 'tools', skill);
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((n) => !statSync(path.join(dir, n)).isDirectory()) : [];
}

test('tar.gz and zip: an exported link is refused by entry name, nothing installed; unexported links are ignored', async () => {
  srv.files.set('/files/links.tar.gz', { body: await linkTarball() });
  srv.files.set('/files/links.zip', {
    body: await buildZip([
      { name: 'pkg/bin/real', data: 'zip real\n', os: 3, attrs: unixAttrs(0o100755) },
      { name: 'pkg/bin/alias', data: 'real', os: 3, attrs: unixAttrs(0o120777) },
    ]),
  });
  // One URL (so one cache file) per skill: a failed install clears its cached payload, which
  // must not be the file another skill is reading.
  const tgz = (q) => `${srv.base}/files/links.tar.gz?${q}`;
  const zip = (q) => `${srv.base}/files/links.zip?${q}`;
  const t = depTree(work, 'links', {
    tarsym: { deps: dep('t', 'tar_gz', tgz('sym'), '[ { archive_path: bin/real, target_path: bin/real }, { archive_path: bin/alias, target_path: bin/alias } ]') },
    tarhard: { deps: dep('t', 'tar_gz', tgz('hard'), '[ { archive_path: bin/hard, target_path: bin/hard } ]') },
    zipsym: { deps: dep('z', 'zip', zip('sym'), '[ { archive_path: bin/alias, target_path: bin/alias } ]') },
    tarok: { deps: dep('t', 'tar_gz', tgz('ok'), '[ { archive_path: bin/real, target_path: bin/real, executable: true } ]') },
    zipok: { deps: dep('z', 'zip', zip('ok'), '[ { archive_path: bin/real, target_path: bin/real } ]') },
  });
  srv.requests.length = 0;
  const { engine, report } = await loadDeps(t, srv.base);
  assert.deepEqual(report.loaded, ['tarok', 'zipok']);
  const twice = (id, message) => `dependency_failed: Failed to prepare dependencies for ${id}: ${message}. Automatic redownload and reinstall also failed: ${message}`;
  assert.deepEqual(failuresOf(report), {
    tarsym: twice('tarsym', "tar.gz entry 'pkg/bin/alias' exported as 'bin/alias' is a symbolic link; dependency exports must be regular files"),
    tarhard: twice('tarhard', "tar.gz entry 'pkg/bin/hard' exported as 'bin/hard' is a hard link; dependency exports must be regular files"),
    zipsym: twice('zipsym', "zip entry 'pkg/bin/alias' exported as 'bin/alias' is a symbolic link; dependency exports must be regular files"),
  });
  for (const id of ['tarsym', 'tarhard', 'zipsym']) assert.deepEqual(leftovers(t, id), [], `nothing left for ${id}`);
  // The refused skills each fetched twice (the retry after clearing the cache), the others once.
  assert.equal(srv.requests.filter((p) => p === '/files/links.tar.gz').length, 5);
  assert.equal(srv.requests.filter((p) => p === '/files/links.zip').length, 3);
  const installed = (skill, name) => path.join(t.root, 'dependencies', 'tools', skill, name, '1.0', PLATFORM);
  assert.deepEqual(readdirSync(path.join(installed('tarok', 't'), 'bin')), ['real']);
  assert.equal(readFileSync(path.join(installed('tarok', 't'), 'bin', 'real'), 'utf8'), 'real body\n');
  assert.equal(statSync(path.join(installed('tarok', 't'), 'bin', 'real')).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(path.join(installed('zipok', 'z'), 'bin')), ['real']);
  assert.equal(readFileSync(path.join(installed('zipok', 'z'), 'bin', 'real'), 'utf8'), 'zip real\n');
  await engine.close();
});

test('raw with two exports or none fails that skill with its message, before any download; others load', async () => {
  srv.files.set('/files/payload.bin', { body: 'raw payload' });
  const url = `${srv.base}/files/payload.bin`;
  const t = depTree(work, 'raw', {
    rawtwo: { deps: dep('r', 'raw', url, '[ { archive_path: a, target_path: a }, { archive_path: b, target_path: b } ]') },
    rawnone: { deps: dep('r', 'raw', url, '[]') },
    rawone: { deps: dep('r', 'raw', url, '[ { archive_path: payload.bin, target_path: lib/payload.bin } ]') },
    plain: {},
  });
  srv.requests.length = 0;
  const { engine, report } = await loadDeps(t, srv.base);
  assert.deepEqual(report.loaded, ['plain', 'rawone']);
  assert.deepEqual(failuresOf(report), {
    rawtwo: 'dependency_failed: Failed to prepare dependencies for rawtwo: raw dependency payload must declare exactly one export',
    rawnone: "dependency_failed: Failed to prepare dependencies for rawnone: dependency 'r' must declare at least one export",
  });
  assert.deepEqual(srv.requests, ['/files/payload.bin'], 'only rawone downloads');
  assert.deepEqual(leftovers(t, 'rawtwo'), []);
  assert.deepEqual(leftovers(t, 'rawnone'), []);
  assert.equal(readFileSync(path.join(t.root, 'dependencies', 'tools', 'rawone', 'r', '1.0', PLATFORM, 'lib', 'payload.bin'), 'utf8'), 'raw payload');
  await engine.close();
});
