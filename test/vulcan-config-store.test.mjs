// The skill config store: concurrent read-modify-writes, a crash in the middle of a write,
// a corrupt file that is reported and never overwritten, path resolution.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine, SkillConfigStore } from '../dist/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'luaskills-config-'));
after(() => rmSync(work, { recursive: true, force: true }));
const fresh = () => path.join(mkdtempSync(path.join(work, 'c-')), 'config', 'skill_config.json');

test('concurrent writes from one store and from two stores on one file lose nothing', async () => {
  const file = fresh();
  const a = new SkillConfigStore(() => file);
  const b = new SkillConfigStore(() => file);
  const writes = [];
  for (let i = 0; i < 40; i++) writes.push((i % 2 ? a : b).set(i % 3 ? 'alpha' : 'beta', `k${i}`, `v${i}`));
  writes.push(a.delete('alpha', 'k1'));
  await Promise.all(writes);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const keys = [...Object.keys(doc.skills.alpha), ...Object.keys(doc.skills.beta)].sort();
  const expected = Array.from({ length: 40 }, (_, i) => `k${i}`).filter((k) => k !== 'k1').sort();
  // The delete of k1 was queued after its write, so k1 is gone and every other key is there.
  assert.deepEqual(keys, expected);
  assert.deepEqual(readdirSync(path.dirname(file)), ['skill_config.json']); // no temp files left
  assert.equal(readFileSync(file, 'utf8'), JSON.stringify(doc, null, 2)); // pretty, as upstream
});

test('a corrupt file is reported and left as it was', async () => {
  const file = fresh();
  const store = new SkillConfigStore(() => file);
  await store.set('demo', 'k', 'v');
  writeFileSync(file, '{"skills": {"demo": {"k": "v"');
  await assert.rejects(store.set('demo', 'k2', 'v2'), (err) => err.code === 'config_corrupt' && err.message.startsWith(`skill config file ${file} is not valid JSON`));
  await assert.rejects(store.list(), (err) => err.code === 'config_corrupt');
  assert.equal(readFileSync(file, 'utf8'), '{"skills": {"demo": {"k": "v"');
  writeFileSync(file, '{"skills": {"demo": {"k": 5}}}');
  await assert.rejects(store.get('demo', 'k'), (err) => err.code === 'config_corrupt' && /skills\.demo must map keys to strings/.test(err.message));
});

test('a writer killed in the middle of a write never loses the old document', async () => {
  const file = fresh();
  const store = new SkillConfigStore(() => file);
  await store.set('keep', 'old', 'value');
  const before = readFileSync(file, 'utf8');
  // The child rewrites the file with 30 MB values until it is killed.
  const script = `
    const { SkillConfigStore } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const store = new SkillConfigStore(() => ${JSON.stringify(file)});
    const big = 'x'.repeat(30 * 1024 * 1024);
    for (let i = 0; ; i++) await store.set('big', 'k', big + i);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
  const dir = path.dirname(file);
  const deadline = Date.now() + 20_000;
  let sawTemp = false;
  while (!(sawTemp = readdirSync(dir).some((n) => n.endsWith('.tmp'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGKILL');
  assert.ok(sawTemp, 'the writer was killed while a temp file was being written');
  await new Promise((r) => child.once('exit', r));
  // Whatever moment it died at, the file is a whole document that still holds the old value.
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(doc.skills.keep.old, 'value');
  assert.ok(readFileSync(file, 'utf8') === before || typeof doc.skills.big?.k === 'string');
  // A temp file left by the dead writer does not disturb the next write.
  await store.set('keep', 'next', 'ok');
  assert.deepEqual((await store.list('keep')).map((e) => e.key), ['next', 'old']);
});

test('the engine derives the file from its roots, or refuses', async () => {
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 } });
  assert.throws(() => engine.config.filePath, (err) => err.code === 'config_path_unavailable');
  await assert.rejects(engine.config.list(), (err) => err.code === 'config_path_unavailable');
  const base = mkdtempSync(path.join(work, 'roots-'));
  mkdirSync(path.join(base, 'a', 'skills'), { recursive: true });
  mkdirSync(path.join(base, 'a', 'user-skills'), { recursive: true });
  mkdirSync(path.join(base, 'b', 'skills'), { recursive: true });
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: path.join(base, 'a', 'skills') }, { name: 'USER', skills_dir: path.join(base, 'a', 'user-skills') }]);
  assert.equal(engine.config.filePath, path.join(base, 'a', 'config', 'skills', 'config.json'));
  assert.equal(engine.config.storePath('system-skills'), path.join(base, 'a', 'config', 'system-skills', 'config.json'));
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: path.join(base, 'a', 'skills') }, { name: 'USER', skills_dir: path.join(base, 'b', 'skills') }]);
  assert.throws(() => engine.config.filePath, /CONFIG_PATH_UNAVAILABLE: multiple runtime roots map to different parents; set host_options.skill_config_root explicitly/);
  await engine.close();
  const explicit = new LuaSkillsEngine({ skillConfigFilePath: path.join(base, 'explicit.json') });
  await explicit.config.set('demo', 'k', 'v');
  assert.deepEqual(JSON.parse(readFileSync(path.join(base, 'explicit.json'), 'utf8')), { format_version: 1, revision: '1', skills: { demo: { k: 'v' } } });
  assert.equal(existsSync(path.join(base, 'a', 'config')), false);
  await explicit.close();
});
