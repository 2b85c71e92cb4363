// A pooled skill VM: lazy per-VM handlers keyed by canonical name, request-scope reset,
// vulcan.call nesting, and what entries return.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { SkillVm } from '../dist/engine/skill-vm.js';

const root = mkdtempSync(path.join(tmpdir(), 'luaskills-skillvm-'));
after(() => rmSync(root, { recursive: true, force: true }));

function entry(skill, name, module, source) {
  const dir = path.join(root, skill, 'runtime');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.lua`);
  writeFileSync(file, source);
  return {
    skill_id: skill, entry_name: name, lua_module: module, entry_file: file, entry_dir: dir,
    skill_dir: path.join(root, skill), root_name: 'ROOT', tools_path: path.join(root, 'dependencies', 'tools', skill),
  };
}

const entries = {
  'demo-count': entry('demo', 'count', 'shared_mod', 'local n = 0\nreturn function(args) n = n + 1 return tostring(n) end\n'),
  'other-count': entry('other', 'count', 'shared_mod', 'local n = 100\nreturn function(args) n = n + 1 return tostring(n) end\n'),
  'demo-multi': entry('demo', 'multi', 'demo_multi', 'return function(args) return "body", "page", " tpl ", { kind = "note", payload = args } end\n'),
  'demo-table': entry('demo', 'table', 'demo_table', 'return function(args) return { rows = { 1, 2 } }, print end\n'),
  'demo-ctx': entry('demo', 'ctx', 'demo_ctx', [
    'return function(args)',
    '  local c = vulcan.context',
    '  local i = vulcan.runtime.internal',
    '  return string.format("%s|%s|%s|%s|%s|%s", tostring(c.request.request_id), tostring(c.tool_config.mode),',
    '    i.tool_name, i.skill_name, i.entry_name, tostring(c.entry_file == nil))',
    'end',
  ].join('\n')),
  'demo-outer': entry('demo', 'outer', 'demo_outer', [
    'return function(args)',
    '  local t = vulcan.call("other-inner", { x = args.x })',
    '  local ok, err = pcall(vulcan.call, "other-fail", {})',
    '  return string.format("%d|%s|%s|%s", t.doubled, tostring(ok), err, vulcan.runtime.internal.tool_name)',
    'end',
  ].join('\n')),
  'other-inner': entry('other', 'inner', 'other_inner', 'return function(args) return { doubled = args.x * 2, who = vulcan.runtime.internal.tool_name, req = vulcan.context.request.request_id }, "extra" end\n'),
  'other-fail': entry('other', 'fail', 'other_fail', 'return function() error("inner broke", 0) end\n'),
  'demo-boom': entry('demo', 'boom', 'demo_boom', 'return function() error("boom") end\n'),
  'demo-notfn': entry('demo', 'notfn', 'demo_notfn', 'return 42\n'),
  'demo-syntax': entry('demo', 'syntax', 'demo_syntax', 'return function( end\n'),
};

test('handlers compile lazily per VM and keep module state; shared lua_module names do not collide', async () => {
  const vm = new SkillVm(entries);
  const call = async (name) => (await vm.invoke(name, {}, {}))[0].value;
  assert.equal(await call('demo-count'), '1');
  assert.equal(await call('demo-count'), '2');
  assert.equal(await call('other-count'), '101');
  assert.equal(await call('demo-count'), '3');
  const fresh = new SkillVm(entries);
  assert.equal((await fresh.invoke('demo-count', {}, {}))[0].value, '1'); // state is per VM
  // recompile (debug: true) re-reads the file and starts the module over
  writeFileSync(entries['demo-count'].entry_file, 'local n = 10\nreturn function() n = n + 1 return "v2:" .. n end\n');
  assert.equal((await vm.invoke('demo-count', {}, {}, { recompile: true }))[0].value, 'v2:11');
  assert.equal((await vm.invoke('demo-count', {}, {}, { recompile: true }))[0].value, 'v2:11');
  vm.close();
  fresh.close();
});

test('every returned value comes back with its Lua type', async () => {
  const vm = new SkillVm(entries);
  assert.deepEqual(await vm.invoke('demo-multi', { a: 1 }, {}), [
    { luaType: 'string', value: 'body' },
    { luaType: 'string', value: 'page' },
    { luaType: 'string', value: ' tpl ' },
    { luaType: 'table', value: { kind: 'note', payload: { a: 1 } } },
  ]);
  assert.deepEqual(await vm.invoke('demo-table', [], {}), [
    { luaType: 'table', value: { rows: [1, 2] } },
    { luaType: 'function', value: undefined },
  ]);
  vm.close();
});

test('the request scope is set for the call and reset after it', async () => {
  const vm = new SkillVm(entries);
  const scoped = await vm.invoke('demo-ctx', {}, { request: { request_id: 'r1' }, tool_config: { mode: 'fast' } });
  assert.equal(scoped[0].value, 'r1|fast|demo-ctx|demo|ctx|false');
  const bare = await vm.invoke('demo-ctx', {}, {});
  assert.equal(bare[0].value, 'nil|nil|demo-ctx|demo|ctx|false');
  assert.deepEqual(vm.vm.execSync('local c = vulcan.context return { c.skill_dir == nil, vulcan.runtime.internal.tool_name == nil, next(c.request) == nil }'), [true, true, true]);
  // After a call the database bindings are the disabled ones of no skill.
  const db = 'local s, l = vulcan.sqlite, vulcan.lancedb return { s.enabled, s.status().reason, s.status().skill_name == nil, l.enabled, l.info().reason }';
  const disabled = [false, 'current skill has not enabled sqlite', true, false, 'current skill has not enabled lancedb'];
  assert.deepEqual(vm.vm.execSync(db), disabled);
  await vm.invoke('demo-ctx', {}, {});
  assert.deepEqual(vm.vm.execSync(db), disabled);
  vm.close();
});

test('vulcan.call runs another entry in the same VM, inherits the request, restores the caller', async () => {
  const vm = new SkillVm(entries);
  const [r] = await vm.invoke('demo-outer', { x: 21 }, { request: { request_id: 'outer-req' } });
  assert.equal(r.value, '42|false|inner broke|demo-outer');
  assert.throws(() => vm.vm.execSync('return vulcan.call("missing-entry", {})'), /Skill 'missing-entry' not found/);
  assert.throws(() => vm.vm.execSync('return vulcan.call("other-inner", 5)'), /call: args must be a table, got number/);
  const inner = vm.vm.execSync('return vulcan.call("other-inner", { x = 1 })', { allResults: true });
  assert.deepEqual(inner, [{ doubled: 2, who: 'other-inner' }, 'extra']);
  vm.close();
});

test('failures: Lua errors, an entry that returns no function, syntax errors, unknown names', async () => {
  const vm = new SkillVm(entries);
  await assert.rejects(vm.invoke('demo-boom', {}, {}), (e) => e.code === 'lua_runtime' && /\[string "demo_boom"\]:1: boom/.test(e.message));
  await assert.rejects(vm.invoke('demo-notfn', {}, {}), (e) => e.message === "Skill function 'demo_notfn' not found");
  await assert.rejects(vm.invoke('demo-syntax', {}, {}), (e) => /\[string "demo_syntax"\]:1:/.test(e.message));
  await assert.rejects(vm.invoke('nope', {}, {}), (e) => e.message === "Lua skill 'nope' not found");
  // The scope was reset after the failure too.
  assert.equal(vm.vm.execSync('return vulcan.runtime.internal.tool_name'), undefined);
  assert.equal((await vm.invoke('demo-count', {}, {}))[0].luaType, 'string');
  vm.close();
});

test('the host entry points cannot be replaced by skill code', async () => {
  const vm = new SkillVm(entries);
  assert.equal(vm.vm.execSync('return __luaskills_invoke'), undefined);
  vm.vm.execSync('__luaskills_invoke = function() return "hijacked" end');
  assert.deepEqual(await vm.invoke('demo-multi', {}, {}).then((r) => r[0].value), 'body');
  vm.close();
});
