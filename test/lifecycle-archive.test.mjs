// extractSkillZip: a good package extracts; every attack is refused with the entry named, before
// anything is written, with nothing outside the staging folder and the staging folder left clean.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { extractSkillZip, LifecycleError } from '../dist/index.js';
import { buildZip, patchDeclaredSize, skillEntries, unixAttrs } from './helpers/zip.mjs';

function workspace() {
  const base = mkdtempSync(path.join(tmpdir(), 'luaskills-archive-'));
  // A sentinel tree next to the staging folder: nothing may appear in it.
  mkdirSync(path.join(base, 'outside'));
  return { base, staging: path.join(base, 'staging'), outside: path.join(base, 'outside') };
}

async function writeZip(base, entries, name = 'pkg.zip') {
  const zipPath = path.join(base, name);
  writeFileSync(zipPath, await buildZip(entries));
  return zipPath;
}

async function refused(zipPath, ws, id = 'demo', limits, expected = 'archive_invalid') {
  await assert.rejects(extractSkillZip(zipPath, ws.staging, id, limits), (error) => {
    assert.ok(error instanceof LifecycleError, String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  });
  try {
    await extractSkillZip(zipPath, ws.staging, id, limits);
  } catch (error) {
    // Nothing written: the staging folder did not exist before, so it must not exist now, and
    // nothing escaped into the sentinel folder or the workspace root.
    assert.equal(existsSync(ws.staging), false, 'staging folder left behind');
    assert.deepEqual(readdirSync(ws.outside), []);
    assert.deepEqual(readdirSync(ws.base).sort(), ['outside', path.basename(zipPath)].sort());
    return error.message;
  }
  assert.fail('extracted');
}

test('a good package extracts under <staging>/<id>, exec bits kept', async () => {
  const ws = workspace();
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.2.3', [
    { name: 'demo/bin/tool.sh', data: '#!/bin/sh\necho hi\n', os: 3, attrs: unixAttrs(0o100755) },
    { name: 'demo/data/empty.txt', data: '' },
  ]));
  const result = await extractSkillZip(zipPath, ws.staging, 'demo');
  assert.equal(result.skillDir, path.join(ws.staging, 'demo'));
  assert.equal(result.files, 4);
  assert.ok(readFileSync(path.join(result.skillDir, 'skill.yaml'), 'utf8').includes('version: 1.2.3'));
  assert.equal(readFileSync(path.join(result.skillDir, 'runtime/ping.lua'), 'utf8'), 'return function(args) return "pong" end\n');
  assert.equal(result.bytes, readdirSync(result.skillDir, { recursive: true })
    .map((rel) => statSync(path.join(result.skillDir, rel)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0));
  if (process.platform !== 'win32') assert.equal(statSync(path.join(result.skillDir, 'bin/tool.sh')).mode & 0o111, 0o111);
  assert.deepEqual(readdirSync(ws.staging), ['demo']);
});

test('traversal, absolute, drive-letter and backslash names are refused naming the entry', async () => {
  const cases = [
    ['../x', 'must not contain parent-directory traversal'],
    ['demo/../../x', 'must not contain parent-directory traversal'],
    ['/abs', 'must not use an absolute path'],
    ['C:\\x', 'must not use an absolute path'],
    ['C:x', 'must not use an absolute path'],
    ['demo\\..\\..\\b', 'must not contain parent-directory traversal'],
    ['\\\\server\\share\\x', 'must not use an absolute path'],
    ['demo/a:stream', 'not allowed in file names'],
  ];
  for (const [name, text] of cases) {
    const ws = workspace();
    const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [{ name, data: 'evil' }]));
    const message = await refused(zipPath, ws);
    assert.ok(message.includes(`'${name}'`), `${name}: ${message}`);
    assert.ok(message.includes(text), `${name}: ${message}`);
  }
});

test('symbolic links (unix mode), DOS reparse points and special files are refused', async () => {
  const cases = [
    [{ name: 'demo/link', data: '/etc/passwd', os: 3, attrs: unixAttrs(0o120777) }, 'symbolic link'],
    [{ name: 'demo/reparse', data: 'x', os: 0, attrs: 0x400 }, 'reparse point'],
    [{ name: 'demo/fifo', data: '', os: 3, attrs: unixAttrs(0o010644) }, 'not a regular file or folder'],
  ];
  for (const [entry, text] of cases) {
    const ws = workspace();
    const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [entry]));
    const message = await refused(zipPath, ws);
    assert.ok(message.includes(`'${entry.name}'`) && message.includes(text), message);
  }
});

test('duplicate names are refused, also after case folding and as file/folder clashes', async () => {
  const cases = [
    [[{ name: 'demo/a.txt', data: '1' }, { name: 'demo/a.txt', data: '2' }], "'demo/a.txt' duplicates"],
    [[{ name: 'demo/Read.me', data: '1' }, { name: 'demo/READ.ME', data: '2' }], "'demo/READ.ME' duplicates zip entry 'demo/Read.me'"],
    [[{ name: 'demo/x', data: '1' }, { name: 'demo/x/y', data: '2' }], "'demo/x/y' is inside 'demo/x'"],
    [[{ name: 'demo/x/y', data: '1' }, { name: 'demo/x', data: '2' }], "'demo/x' is a file but zip entry 'demo/x/y'"],
    [[{ name: 'demo/./a.txt', data: '1' }, { name: 'demo/a.txt', data: '2' }], "'demo/a.txt' duplicates zip entry 'demo/./a.txt'"],
  ];
  for (const [extra, text] of cases) {
    const ws = workspace();
    const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', extra));
    const message = await refused(zipPath, ws);
    assert.ok(message.includes(text), message);
  }
});

test('more than 10 000 entries are refused (default limit), naming the first one over', async () => {
  const ws = workspace();
  const extra = [];
  for (let i = 0; i < 9_998; i += 1) extra.push({ name: `demo/f/${i}.txt`, data: 'x', store: true });
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', extra)); // 10 001 entries
  const message = await refused(zipPath, ws);
  assert.ok(message.includes("'demo/f/9997.txt' exceeds the limit of 10000 entries"), message);
});

test('more unpacked bytes than the limit are refused (small limit, declared sizes)', async () => {
  const ws = workspace();
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [{ name: 'demo/big.bin', data: new Uint8Array(2 * 1024 * 1024) }]));
  const message = await refused(zipPath, ws, 'demo', { maxUnpackedBytes: 1024 * 1024, maxRatio: 1e9 });
  assert.ok(message.includes("'demo/big.bin' takes the package over the limit of 1048576 unpacked bytes"), message);
});

test('the default 100:1 ratio limit refuses a highly compressible entry', async () => {
  const ws = workspace();
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [{ name: 'demo/zeros.bin', data: new Uint8Array(4 * 1024 * 1024) }]));
  const message = await refused(zipPath, ws);
  assert.ok(message.includes("'demo/zeros.bin' has a compression ratio above 100:1"), message);
});

test('small files compress far better than 100:1 and are accepted', async () => {
  const ws = workspace();
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [{ name: 'demo/spaces.txt', data: ' '.repeat(64 * 1024) }]));
  const result = await extractSkillZip(zipPath, ws.staging, 'demo');
  assert.equal(statSync(path.join(result.skillDir, 'spaces.txt')).size, 64 * 1024);
});

test('a header that lies about the size is caught while streaming and what was written is removed', async () => {
  const ws = workspace();
  const zip = await buildZip(skillEntries('demo', '1.0.0', [{ name: 'demo/liar.bin', data: 'y'.repeat(5000) }]));
  const zipPath = path.join(ws.base, 'pkg.zip');
  writeFileSync(zipPath, patchDeclaredSize(zip, 'demo/liar.bin', 10));
  const message = await refused(zipPath, ws);
  assert.ok(message.includes("'demo/liar.bin'"), message);
});

test('the top level must be exactly one folder named after the skill, holding skill.yaml', async () => {
  const cases = [
    [[...skillEntries('demo'), { name: 'other/file.txt', data: 'x' }], "found 'other' (zip entry 'other/file.txt')"],
    [skillEntries('wrong'), "must contain only the top-level directory 'demo', but found 'wrong'"],
    [[...skillEntries('demo'), { name: 'README.md', data: 'x' }], "but found 'README.md'"],
    [[{ name: 'demo/runtime/ping.lua', data: 'x' }], 'does not contain demo/skill.yaml'],
    [[{ name: 'demo/sub/skill.yaml', data: 'x' }], 'does not contain demo/skill.yaml'],
    [[{ name: 'demo', data: 'x' }], "'demo' must be the skill folder"],
    [[], 'is empty'],
  ];
  for (const [entries, text] of cases) {
    const ws = workspace();
    const zipPath = await writeZip(ws.base, entries);
    const message = await refused(zipPath, ws);
    assert.ok(message.includes(text), message);
  }
});

test('an existing staging folder is left as it was on failure', async () => {
  const ws = workspace();
  mkdirSync(ws.staging);
  writeFileSync(path.join(ws.staging, 'keep.txt'), 'keep');
  const zipPath = await writeZip(ws.base, skillEntries('demo', '1.0.0', [{ name: 'demo/zeros.bin', data: new Uint8Array(4 * 1024 * 1024) }]));
  await assert.rejects(extractSkillZip(zipPath, ws.staging, 'demo'), { code: 'archive_invalid' });
  assert.deepEqual(readdirSync(ws.staging), ['keep.txt']);
});

test('bad id, existing target, non-zip file, missing file and cancellation', async () => {
  const ws = workspace();
  const zipPath = await writeZip(ws.base, skillEntries('demo'));
  await assert.rejects(extractSkillZip(zipPath, ws.staging, '../outside'), {
    code: 'invalid_request',
    message: 'expected_skill_id must match ^[a-z]([a-z0-9-]*[a-z0-9])?$',
  });
  mkdirSync(path.join(ws.staging, 'demo'), { recursive: true });
  await assert.rejects(extractSkillZip(zipPath, ws.staging, 'demo'), { code: 'invalid_request', message: /already exists/ });

  const junk = path.join(ws.base, 'junk.zip');
  writeFileSync(junk, 'not a zip at all');
  await assert.rejects(extractSkillZip(junk, path.join(ws.base, 's2'), 'demo'), { code: 'archive_invalid' });
  await assert.rejects(extractSkillZip(path.join(ws.base, 'missing.zip'), path.join(ws.base, 's3'), 'demo'), { code: 'io_failed' });

  const controller = new AbortController();
  controller.abort();
  await assert.rejects(extractSkillZip(zipPath, path.join(ws.base, 's4'), 'demo', {}, controller.signal), { code: 'cancelled' });
  assert.equal(existsSync(path.join(ws.base, 's4')), false);
});
