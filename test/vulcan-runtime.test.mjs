// vulcan.runtime (log, print, cwd, temp_dir, resources_dir, overflow_type), vulcan.cache,
// vulcan.config, and vulcan.call's save/restore of the whole vulcan table — through a real engine.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine, RuntimeCache } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const roots = [];
after(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

async function engineWith(skills, options = {}) {
  const { root, skillsDir } = writeSkills(skills);
  roots.push(root);
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, ...options });
  const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
  assert.deepEqual(report.failed, []);
  return { engine, root, skillsDir };
}

const ret = (expr) => `return function(args) ${expr} end`;

test('print and vulcan.runtime.log reach the log sink and the log event', async () => {
  const sunk = [];
  const { engine } = await engineWith({
    logger: {
      run: ret(`print("a", 1, nil, true) vulcan.runtime.log("WARNING", "careful") vulcan.runtime.log("fatal", 42)
        vulcan.runtime.log("debug", "fine") return "done"`),
      bad: ret('vulcan.runtime.log("", "x") return ""'),
      bad2: ret('vulcan.runtime.log("info", {}) return ""'),
    },
  }, { logSink: (r) => sunk.push(r) });
  const events = [];
  engine.on('log', (r) => events.push(r));
  assert.equal((await engine.callSkill('logger-run')).content, 'done');
  assert.deepEqual(sunk, [
    { level: 'info', label: 'info', message: 'a\t1\tnil\ttrue', line: '[LuaSkill:info] a\t1\tnil\ttrue', source: 'print', tool_name: 'logger-run', skill_name: 'logger' },
    { level: 'warn', label: 'WARNING', message: 'careful', line: '[LuaSkill:WARNING] careful', source: 'log', tool_name: 'logger-run', skill_name: 'logger' },
    { level: 'error', label: 'fatal', message: '42', line: '[LuaSkill:fatal] 42', source: 'log', tool_name: 'logger-run', skill_name: 'logger' },
    { level: 'info', label: 'debug', message: 'fine', line: '[LuaSkill:debug] fine', source: 'log', tool_name: 'logger-run', skill_name: 'logger' },
  ]);
  assert.deepEqual(events, sunk);
  await assert.rejects(engine.callSkill('logger-bad'), /vulcan\.runtime\.log: level must be a non-empty string/);
  await assert.rejects(engine.callSkill('logger-bad2'), /vulcan\.runtime\.log: message must be a string, got table/);
  // run_lua: no skill context.
  sunk.length = 0;
  await engine.runLua('print("from run_lua")');
  assert.deepEqual(sunk.map((r) => [r.message, r.tool_name, r.skill_name]), [['from run_lua', null, null]]);
  await engine.close();
});

test('vulcan.runtime: cwd, temp_dir, resources_dir, overflow_type', async () => {
  const { root } = writeSkills({});
  roots.push(root);
  const { engine } = await engineWith(
    { rt: { info: ret('local r = vulcan.runtime return vulcan.json.encode({ r.cwd(), r.temp_dir, r.resources_dir, r.overflow_type })') } },
    { runtimeRoot: root },
  );
  const [cwd, temp, resources, overflow] = JSON.parse((await engine.callSkill('rt-info')).content);
  assert.equal(cwd, process.cwd());
  assert.equal(temp, path.join(root, 'temp'));
  assert.equal(resources, path.join(root, 'resources'));
  assert.deepEqual(overflow, { page: 'page', truncate: 'truncate' });
  await engine.close();
  const bare = await engineWith({ rt: { info: ret('return tostring(vulcan.runtime.temp_dir) .. "|" .. tostring(vulcan.runtime.resources_dir)') } });
  assert.equal((await bare.engine.callSkill('rt-info')).content, 'nil|nil');
  await bare.engine.close();
});

test('vulcan.cache: put/get/delete, JSON round trip, scopes, TTL', async () => {
  const op = `return function(args)
    if args.op == "put" then return vulcan.cache.put(args.value, args.ttl) end
    if args.op == "get" then return vulcan.json.encode({ v = vulcan.cache.get(args.id) }) end
    if args.op == "del" then return tostring(vulcan.cache.delete(args.id)) end
    if args.op == "bad" then return vulcan.cache.put(print) end
    if args.op == "badttl" then return vulcan.cache.put(1, "soon") end
    if args.op == "badid" then return vulcan.cache.get(5) end
  end`;
  const { engine } = await engineWith({ c: { op }, other: { op } });
  const id = (await engine.callSkill('c-op', { op: 'put', value: { b: [1, 2.5, 'x'], a: {}, n: null } })).content;
  assert.match(id, /^tc-\d+-\d+$/);
  assert.equal((await engine.callSkill('c-op', { op: 'get', id })).content, '{"v":{"a":{},"b":[1,2.5,"x"],"n":null}}');
  // Scope = the tool name: another entry does not see it, nor delete it.
  assert.equal((await engine.callSkill('other-op', { op: 'get', id })).content, '[]'); // an unmarked empty table
  assert.equal((await engine.callSkill('other-op', { op: 'del', id })).content, 'false');
  assert.equal((await engine.callSkill('c-op', { op: 'del', id })).content, 'true');
  assert.equal((await engine.callSkill('c-op', { op: 'del', id })).content, 'false');
  assert.equal((await engine.callSkill('c-op', { op: 'get', id })).content, '[]');
  await assert.rejects(engine.callSkill('c-op', { op: 'bad' }), /vulcan\.cache\.put: json\.encode: Cannot convert a Lua function to JSON/);
  await assert.rejects(engine.callSkill('c-op', { op: 'badttl' }), /vulcan\.cache\.put: ttl_sec must be a number, got string/);
  await assert.rejects(engine.callSkill('c-op', { op: 'badid' }), /vulcan\.cache\.get: id must be a string, got number/);
  // run_lua stores under "__runtime".
  const rid = await engine.runLua('return vulcan.cache.put("plain")');
  assert.equal(await engine.runLua('return vulcan.cache.get(args.id)', { id: rid }), 'plain');
  assert.equal((await engine.callSkill('c-op', { op: 'get', id: rid })).content, '[]');
  await engine.close();
});

test('RuntimeCache limits: TTL clamp, expiry, capacity eviction', () => {
  let now = 1_000_000;
  const cache = new RuntimeCache({ capacity: 3 }, () => now);
  const a = cache.put('s', '1', 10);
  const b = cache.put('s', '2', 99_999); // clamped to 1800 s
  const c = cache.put('s', '3', 0); // clamped to 1 s
  assert.equal(cache.get('s', c), '3');
  now += 1000;
  assert.equal(cache.get('s', c), undefined); // expired after 1 s
  assert.equal(cache.get('s', a), '1');
  now += 10_000;
  assert.equal(cache.get('s', a), undefined);
  now += 1_789_000 - 1;
  assert.equal(cache.get('s', b), '2');
  now += 1;
  assert.equal(cache.get('s', b), undefined);
  const ids = ['a', 'b', 'c', 'd'].map((v) => cache.put('s', v));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('s', ids[0]), undefined); // oldest evicted
  assert.equal(cache.get('s', ids[3]), 'd');
  assert.equal(cache.get('t', ids[3]), undefined);
  assert.equal(cache.delete('t', ids[3]), false);
});

test('vulcan.config: per-skill namespace, engine config API, file shape', async () => {
  const { engine, root } = await engineWith({
    cfg: {
      set: ret('return tostring(vulcan.config.set(args.key, args.value))'),
      get: ret('return tostring(vulcan.config.get(args.key)) .. "|" .. tostring(vulcan.config.has(args.key))'),
      del: ret('return tostring(vulcan.config.delete(args.key))'),
      list: ret('return vulcan.json.encode(vulcan.config.list())'),
      badkey: ret('return vulcan.config.get("  ")'),
      badvalue: ret('return vulcan.config.set("k", 5)'),
      nested: ret('return vulcan.call("other-get", { key = "token" })'),
    },
    other: { get: ret('return tostring(vulcan.config.get(args.key))') },
  });
  // ROOT skills keep their values in the system-skills store.
  const file = path.join(root, 'config', 'system-skills', 'config.json');
  assert.equal(engine.config.scopeOf('cfg'), 'system-skills');
  assert.equal(engine.config.storePath('system-skills'), file);
  assert.equal((await engine.callSkill('cfg-set', { key: 'token', value: 'abc' })).content, 'true');
  assert.equal((await engine.callSkill('cfg-set', { key: 'empty', value: '' })).content, 'true');
  assert.equal((await engine.callSkill('cfg-get', { key: 'token' })).content, 'abc|true');
  assert.equal((await engine.callSkill('cfg-get', { key: 'missing' })).content, 'nil|false');
  assert.equal((await engine.callSkill('cfg-list')).content, '{"empty":"","token":"abc"}');
  // Another skill has its own namespace; vulcan.call switches to the callee's.
  assert.equal((await engine.callSkill('other-get', { key: 'token' })).content, 'nil');
  assert.equal((await engine.callSkill('cfg-nested')).content, 'nil');
  await engine.config.set('other', 'token', 'theirs');
  assert.equal((await engine.callSkill('cfg-nested')).content, 'theirs');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { format_version: 1, revision: '3', skills: { cfg: { empty: '', token: 'abc' }, other: { token: 'theirs' } } });
  assert.deepEqual(await engine.config.list('cfg'), [
    { store_scope: 'system-skills', skill_id: 'cfg', key: 'empty', value: '' },
    { store_scope: 'system-skills', skill_id: 'cfg', key: 'token', value: 'abc' },
  ]);
  assert.deepEqual(await engine.config.get('cfg', 'token'), { found: true, skill_id: 'cfg', key: 'token', value: 'abc' });
  assert.equal((await engine.callSkill('cfg-del', { key: 'token' })).content, 'true');
  assert.equal((await engine.callSkill('cfg-del', { key: 'token' })).content, 'false');
  await assert.rejects(engine.callSkill('cfg-badkey'), /vulcan\.config\.get: key must not be empty/);
  await assert.rejects(engine.callSkill('cfg-badvalue'), /vulcan\.config\.set: value must be a string, got number/);
  await assert.rejects(engine.runLua('return vulcan.config.get("x")'), /vulcan\.config\.get requires one active skill context/);
  await assert.rejects(engine.config.set('Bad_Id', 'k', 'v'), (err) => err.code === 'invalid_skill_id');
  await assert.rejects(engine.config.set('cfg', ' ', 'v'), (err) => err.code === 'invalid_key' && err.message === 'skill config key must not be empty');
  await engine.close();
});

test('vulcan.call restores the whole vulcan table, even when the callee fails or replaces it', async () => {
  const { engine } = await engineWith({
    outer: {
      run: ret(`
        local fs, ctx, cache = vulcan.fs, vulcan.context, vulcan.cache
        local ok, err = pcall(vulcan.call, "inner-wreck", {})
        local same = rawequal(vulcan.fs, fs) and rawequal(vulcan.context, ctx) and rawequal(vulcan.cache, cache)
        local r = vulcan.call("inner-replace", {})
        return table.concat({ tostring(ok), tostring(err):match("wrecked") or "?", tostring(same),
          tostring(rawequal(vulcan.fs, fs)), vulcan.runtime.internal.tool_name, vulcan.context.request.request_id or "nil",
          tostring(vulcan.deps.tools_path ~= nil), r }, ",")`),
    },
    inner: {
      wreck: ret('vulcan.fs = nil vulcan.context.request = { request_id = "hijacked" } vulcan.runtime.internal.tool_name = "x" error("wrecked")'),
      replace: ret('local name = vulcan.runtime.internal.tool_name vulcan = { nothing = true } return name'),
    },
  });
  const out = await engine.callSkill('outer-run', {}, { request_context: { request_id: 'r-1' } });
  assert.equal(out.content, 'false,wrecked,true,true,outer-run,r-1,true,inner-replace');
  // The next call starts clean in the same VM.
  assert.equal((await engine.callSkill('inner-replace')).content, 'inner-replace');
  await engine.close();
});
