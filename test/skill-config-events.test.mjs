// The 0.5.5 config root: separate `skills` and `system-skills` stores, the ordered event log
// (local writes, edits by another process found by the folder watcher, a hand-broken file),
// poll / wait / watch and their JSON surface, explicit refresh, and `describe` in installed mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'luaskills-config-events-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DECLARED = [
  { key: 'limit', type: 'integer', description: 'max items', default: 10, restart_required: true },
  { key: 'token', type: 'string', description: 'api token', sensitive: true, required: true },
];

function writeSkill(skillsDir, id, { config, version = '1.0.0', enable, broken } = {}) {
  const dir = path.join(skillsDir, id);
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  writeFileSync(path.join(dir, 'runtime', 'run.lua'), 'return function() return vulcan.json.encode(vulcan.config.status()) end\n');
  const lines = [`name: ${id}`, `version: ${version}`];
  if (enable === false) lines.push('enable: false');
  if (config) lines.push(`config: ${JSON.stringify(config)}`);
  lines.push('entries:', '  - name: run', `    lua_entry: runtime/${broken ? 'missing' : 'run'}.lua`, `    lua_module: ${id.replace(/-/g, '_')}_run`);
  writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
}

// A ROOT layer and a USER layer under one runtime folder; `sys` is a ROOT skill, `app` a USER one.
async function twoLayerEngine(extra = {}) {
  const base = mkdtempSync(path.join(work, 'rt-'));
  const rootSkills = path.join(base, 'root_skills');
  const userSkills = path.join(base, 'user_skills');
  writeSkill(rootSkills, 'sys', { config: DECLARED });
  writeSkill(userSkills, 'app', { config: DECLARED });
  writeSkill(userSkills, 'legacy');
  const configRoot = path.join(base, 'cfg');
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, skillConfigRoot: configRoot, watchDebounceMs: 50, ...extra });
  const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: rootSkills }, { name: 'USER', skills_dir: userSkills }]);
  assert.deepEqual(report.failed, []);
  return { engine, base, rootSkills, userSkills, configRoot };
}

// Runs a tiny Node program in a child process that edits a store file the way another host would.
function editInOtherProcess(file, doc) {
  const script = `require('node:fs').writeFileSync(process.argv[1] + '.x', process.argv[2]); require('node:fs').renameSync(process.argv[1] + '.x', process.argv[1]);`;
  execFileSync(process.execPath, ['-e', script, file, typeof doc === 'string' ? doc : JSON.stringify(doc)]);
}

test('ROOT skills use the system-skills store, others the skills store; list shows the scope', async () => {
  const { engine, configRoot } = await twoLayerEngine();
  try {
    assert.equal(engine.config.scopeOf('sys'), 'system-skills');
    assert.equal(engine.config.scopeOf('app'), 'skills');
    assert.equal(engine.config.scopeOf('not-loaded'), 'skills');
    const a = await engine.config.set('sys', { limit: 3, token: 'root-secret' });
    const b = await engine.config.set('app', 'limit', 4);
    await engine.config.set('legacy', 'mode', 'fast');
    assert.equal(a.store_scope, 'system-skills');
    assert.equal(b.store_scope, 'skills');
    // Each store counts its own revisions.
    assert.equal(a.revision, '1');
    assert.equal(b.revision, '1');
    assert.deepEqual(JSON.parse(readFileSync(path.join(configRoot, 'system-skills', 'config.json'), 'utf8')), {
      format_version: 1, revision: '1', skills: { sys: { limit: '3', token: 'root-secret' } },
    });
    assert.deepEqual(JSON.parse(readFileSync(path.join(configRoot, 'skills', 'config.json'), 'utf8')), {
      format_version: 1, revision: '2', skills: { app: { limit: '4' }, legacy: { mode: 'fast' } },
    });
    assert.deepEqual(await engine.config.list(), [
      { store_scope: 'skills', skill_id: 'app', key: 'limit', value: '4' },
      { store_scope: 'skills', skill_id: 'legacy', key: 'mode', value: 'fast' },
      { store_scope: 'system-skills', skill_id: 'sys', key: 'limit', value: '3' },
      { store_scope: 'system-skills', skill_id: 'sys', key: 'token', value: '********', sensitive: true },
    ]);
    assert.equal((await engine.config.describe('sys')).store_scope, 'system-skills');
    assert.equal((await engine.config.validate('app')).store_scope, 'skills');
    // The Lua side reads the same store as the host.
    assert.equal(JSON.parse((await engine.callSkill('sys-run')).content).complete, true);
    assert.deepEqual(JSON.parse((await engine.callSkill('app-run')).content).missing, ['token']);
  } finally {
    await engine.close();
  }
});

test('local writes are events with a sequence, keys but never values; poll after a cursor', async () => {
  const { engine } = await twoLayerEngine();
  try {
    assert.deepEqual(engine.config.pollEvents(), { events: [], next_sequence: '0' });
    await engine.config.set('app', { limit: 7, token: 'very-secret' });
    await engine.config.set('app', 'limit', 7); // unchanged: no event
    await engine.config.delete('app', 'limit');
    await engine.config.delete('app', 'limit'); // nothing to delete: no event
    await engine.config.set('sys', 'token', 'other-secret');
    const batch = engine.config.pollEvents();
    assert.deepEqual(batch, {
      events: [
        { sequence: '1', type: 'skill_config_changed', store_scope: 'skills', skill_id: 'app', revision: '1', changed_keys: ['limit', 'token'], source: 'local_write', restart_required_keys: ['limit'], complete: true },
        { sequence: '2', type: 'skill_config_changed', store_scope: 'skills', skill_id: 'app', revision: '2', changed_keys: ['limit'], source: 'local_write', restart_required_keys: ['limit'], complete: true },
        { sequence: '3', type: 'skill_config_changed', store_scope: 'system-skills', skill_id: 'sys', revision: '1', changed_keys: ['token'], source: 'local_write', restart_required_keys: [], complete: true },
      ],
      next_sequence: '3',
    });
    assert.equal(JSON.stringify(batch).includes('secret'), false);
    assert.deepEqual(engine.config.pollEvents('1', 1).events.map((e) => e.sequence), ['2']);
    assert.deepEqual(engine.config.pollEvents('3'), { events: [], next_sequence: '3' });
    assert.throws(() => engine.config.pollEvents(undefined, 0), (err) => err.code === 'config_event_limit_invalid' && err.message === 'event poll limit must be an integer between 1 and 1000');
    assert.throws(() => engine.config.pollEvents('1.5'), (err) => err.code === 'config_event_sequence_invalid');
    assert.throws(() => engine.config.pollEvents('18446744073709551616'), (err) => err.code === 'config_event_sequence_invalid');
    const json = JSON.parse(await engine.configJson.eventsPollJson('{"after_sequence":"2","limit":5}'));
    assert.deepEqual(json, { ok: true, result: { events: [batch.events[2]], next_sequence: '3' } });
  } finally {
    await engine.close();
  }
});

test('an edit by another process is found by the watcher: external_reload events, waitForEvents wakes', async () => {
  const { engine, configRoot } = await twoLayerEngine();
  try {
    await engine.config.set('app', 'limit', 1);
    const cursor = engine.config.pollEvents().next_sequence; // also starts the watcher
    const file = path.join(configRoot, 'skills', 'config.json');
    const waiting = engine.config.waitForEvents(cursor, { timeoutMs: 20_000 });
    editInOtherProcess(file, { format_version: 1, revision: '5', skills: { app: { limit: '2', token: 'typed-by-hand' }, legacy: { mode: 'slow' } } });
    const batch = await waiting;
    assert.ok(batch.events.length >= 1, 'the watcher reported the edit before the hang guard');
    // Give the debounce a chance to report both skills in one reload, then read everything new.
    const all = (await engine.config.waitForEvents(cursor, { timeoutMs: 0 })).events;
    assert.deepEqual(all.map(({ sequence, ...rest }) => rest), [
      { type: 'skill_config_changed', store_scope: 'skills', skill_id: 'app', revision: '5', changed_keys: ['limit', 'token'], source: 'external_reload', restart_required_keys: ['limit'], complete: true },
      { type: 'skill_config_changed', store_scope: 'skills', skill_id: 'legacy', revision: '5', changed_keys: ['mode'], source: 'external_reload' },
    ]);
    assert.equal(JSON.stringify(all).includes('typed-by-hand'), false);
    // The engine reads the new values at once, in JS and in Lua.
    assert.equal((await engine.config.get('app', 'limit')).value, 2);
    assert.equal(JSON.parse((await engine.callSkill('app-run')).content).complete, true);
    // A later local write continues from the file's revision.
    assert.equal((await engine.config.set('app', 'limit', 3, { expectedRevision: '5' })).revision, '6');
  } finally {
    await engine.close();
  }
});

test('a hand-broken file: one reload_failed event naming the file, reads refuse, nothing is overwritten', async () => {
  const { engine, configRoot } = await twoLayerEngine();
  try {
    await engine.config.set('sys', 'limit', 2);
    const cursor = engine.config.pollEvents().next_sequence;
    const file = path.join(configRoot, 'system-skills', 'config.json');
    const waiting = engine.config.waitForEvents(cursor, { timeoutMs: 20_000 });
    editInOtherProcess(file, '{"format_version": 1, "skills": {');
    const [event] = (await waiting).events;
    assert.ok(event.error.message.startsWith(`skill config file ${file} is not valid JSON: `), event.error.message);
    assert.deepEqual({ ...event, error: { code: event.error.code } }, {
      sequence: String(Number(cursor) + 1),
      type: 'skill_config_reload_failed',
      store_scope: 'system-skills',
      revision: '1',
      source: 'external_reload',
      error: { code: 'config_corrupt' },
    });
    await assert.rejects(engine.config.get('sys', 'limit'), (err) => err.code === 'config_corrupt' && err.message.includes(file));
    await assert.rejects(engine.config.set('sys', 'limit', 3), (err) => err.code === 'config_corrupt');
    assert.equal(readFileSync(file, 'utf8'), '{"format_version": 1, "skills": {');
    // Reported once, not on every read.
    assert.equal(engine.config.pollEvents(cursor).events.length, 1);
    // Repaired by hand: refresh reports the change and reads work again.
    editInOtherProcess(file, { format_version: 1, revision: '9', skills: { sys: { limit: '4' } } });
    const refreshed = await engine.config.refresh('system-skills');
    assert.deepEqual(refreshed, [{ store_scope: 'system-skills', revision: '9', changed: true }]);
    assert.equal((await engine.config.get('sys', 'limit')).value, 4);
    const after = engine.config.pollEvents(cursor).events.at(-1);
    assert.deepEqual([after.type, after.skill_id, after.changed_keys, after.source], ['skill_config_changed', 'sys', ['limit'], 'external_reload']);
  } finally {
    await engine.close();
  }
});

test('waitForEvents: timeout gives an empty batch, an abort ends it, close ends it; watchEvents delivers in order', async () => {
  const { engine } = await twoLayerEngine();
  const timedOut = await engine.config.waitForEvents(undefined, { timeoutMs: 1 });
  assert.deepEqual(timedOut, { events: [], next_sequence: '0' });
  const controller = new AbortController();
  const aborted = engine.config.waitForEvents(undefined, { timeoutMs: 60_000, signal: controller.signal });
  controller.abort();
  assert.deepEqual(await aborted, { events: [], next_sequence: '0' });
  await assert.rejects(engine.config.waitForEvents(undefined, { timeoutMs: -1 }), (err) => err.code === 'invalid_value');

  const seen = [];
  const errors = [];
  const stop = engine.config.watchEvents(
    (event) => {
      seen.push(`${event.sequence}:${event.skill_id}`);
      if (event.sequence === '1') throw new Error('handler failed');
    },
    { onError: (err) => errors.push(err.message) },
  );
  await engine.config.set('app', 'limit', 1);
  await engine.config.set('sys', 'limit', 1);
  while (seen.length < 2) await new Promise((r) => setImmediate(r));
  stop();
  await engine.config.set('app', 'limit', 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['1:app', '2:sys']);
  assert.deepEqual(errors, ['handler failed']);

  const pending = engine.config.waitForEvents('3', { timeoutMs: 60_000 });
  await engine.close();
  assert.deepEqual(await pending, { events: [], next_sequence: '3' });
});

test('describe in installed mode: every package on disk, shadowed, disabled and broken ones too', async () => {
  const { engine, rootSkills, userSkills, base } = await twoLayerEngine();
  try {
    writeSkill(userSkills, 'sys', { config: [{ key: 'other', type: 'boolean', description: 'x' }], version: '2.0.0' }); // shadowed by ROOT
    writeSkill(userSkills, 'off', { enable: false, config: DECLARED });
    writeSkill(userSkills, 'broken', { broken: true });
    // A disabled-state record (no runtime root: `<skills dir>/../skills/disabled/<id>.json`).
    mkdirSync(path.join(base, 'skills', 'disabled'), { recursive: true });
    writeFileSync(path.join(base, 'skills', 'disabled', 'legacy.json'), '{}');
    const all = await engine.describeInstalledConfig();
    const brief = all.map((d) => [d.skill_id, d.root_name, d.enabled, d.shadowed, d.effective, d.manifest_valid, d.skill_version ?? null, (d.config ?? []).map((c) => c.key).join('+')]);
    assert.deepEqual(brief, [
      ['app', 'USER', true, false, true, true, '1.0.0', 'limit+token'],
      ['broken', 'USER', true, false, false, false, null, ''],
      ['legacy', 'USER', false, false, false, true, '1.0.0', ''],
      ['off', 'USER', false, false, false, true, '1.0.0', 'limit+token'],
      ['sys', 'ROOT', true, false, true, true, '1.0.0', 'limit+token'],
      ['sys', 'USER', true, true, false, true, '2.0.0', 'other'],
    ]);
    const broken = all.find((d) => d.skill_id === 'broken');
    assert.equal(broken.manifest_issue.code.length > 0, true);
    assert.match(broken.manifest_issue.message, /missing\.lua/);
    assert.equal(all.find((d) => d.skill_id === 'app').absolute_path, path.join(userSkills, 'app'));
    assert.equal(all.find((d) => d.root_name === 'ROOT').absolute_path, path.join(rootSkills, 'sys'));
    // Filters, and the JSON surface.
    assert.deepEqual((await engine.describeInstalledConfig({ skillId: 'sys', rootName: 'USER' })).map((d) => d.skill_version), ['2.0.0']);
    const json = JSON.parse(await engine.configJson.describeJson('{"mode":"installed","skill_id":"sys"}'));
    assert.deepEqual(json.result.map((d) => d.root_name), ['ROOT', 'USER']);
    assert.match(JSON.parse(await engine.configJson.describeJson('{"mode":"installed","root_name":"PROJECT"}')).error, /unknown root_name 'PROJECT'/);
    // Effective mode without skill_id describes every loaded skill.
    const effective = JSON.parse(await engine.configJson.describeJson('{}')).result;
    assert.deepEqual(effective.map((d) => [d.skill_id, d.declared, d.store_scope]), [['app', true, 'skills'], ['legacy', false, 'skills'], ['sys', true, 'system-skills']]);
  } finally {
    await engine.close();
  }
});

test('events asked for before any roots are loaded: the watcher starts with the load', async () => {
  const base = mkdtempSync(path.join(work, 'early-'));
  const userSkills = path.join(base, 'user_skills');
  const rootSkills = path.join(base, 'root_skills');
  writeSkill(rootSkills, 'sys', { config: DECLARED });
  writeSkill(userSkills, 'app', { config: DECLARED });
  // No skillConfigRoot: the stores are `config` beside the roots, unknown until they load.
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, watchDebounceMs: 50 });
  try {
    const seen = [];
    const stop = engine.config.watchEvents((event) => {
      seen.push(event);
    });
    assert.throws(() => engine.config.storePath(), (err) => err.code === 'config_path_unavailable');
    await engine.loadFromRoots([{ name: 'ROOT', skills_dir: rootSkills }, { name: 'USER', skills_dir: userSkills }]);
    const file = path.join(base, 'config', 'skills', 'config.json');
    assert.equal(engine.config.storePath('skills'), file);
    await engine.config.refresh(); // the baseline: no file yet (refresh starts no watcher)
    // Only the watchEvents call made before the load asked for events: the watcher must have
    // started with the load for this edit by another process to be seen.
    editInOtherProcess(file, { format_version: 1, revision: '1', skills: { app: { limit: '5' } } });
    const deadline = Date.now() + 20_000; // hang guard only
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen.map((e) => [e.sequence, e.skill_id, e.changed_keys, e.source]), [['1', 'app', ['limit'], 'external_reload']]);
    stop();
  } finally {
    await engine.close();
  }
});
