// The lease VM on real Lua: persistent globals, args and results, the logical cwd (never a
// process chdir), module roots, mounts, vulcan.context reset, eval failures.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { LuaSkillsEngine, LuaVm } from '../dist/index.js';

async function setup(create = {}) {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-vm-')));
  const work = path.join(root, 'work');
  mkdirSync(work);
  // These tests pin the lease cwd over Lua's native io (the managed io is tested in vulcan-io).
  const engine = new LuaSkillsEngine({ runtimeRoot: root, enableManagedIoCompat: false });
  const lease = await engine.leases.create({ sid: 'vm', cwd: work, ...create });
  assert.equal(lease.ok, true, JSON.stringify(lease));
  const run = async (code, extra = {}) => engine.leases.eval({ lease_id: lease.lease_id, code, ...extra });
  const value = async (code, extra) => {
    const out = await run(code, extra);
    assert.equal(out.ok, true, out.message);
    return out.result;
  };
  const done = async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { root, work, engine, lease, run, value, done };
}

test('globals persist across evals; args is a local (default {}); only the first value returns', async () => {
  const t = await setup();
  assert.equal(await t.value('counter = (counter or 0) + 1 return counter'), 1);
  assert.equal(await t.value('counter = counter + 1 return counter'), 2);
  assert.deepEqual(await t.value('return args'), {});
  assert.deepEqual(await t.value('return args.list[2], args.n', { args: { list: [1, 'two'], n: 3 } }), 'two');
  assert.equal(await t.value('return nil'), null);
  assert.equal(await t.value('local x = 1'), null);
  assert.equal(await t.value('return rawget(_G, "args")'), null, 'args is not a global');
  assert.equal(await t.value('return __luaskills_lease_enter'), null, 'the entry step is not reachable by name');
  await t.done();
});

test('eval failures: runtime, syntax, timeout and unconvertible results; the lease keeps working', async () => {
  const t = await setup();
  const runtime = await t.run('local a = 1\nerror("boom")');
  assert.equal(runtime.error_code, 'eval_failed');
  assert.match(runtime.message, /^Runtime session eval error: runtime error: runtime_lease:2: boom\nstack traceback:\n/);
  assert.deepEqual(await t.run('x = = 1'), {
    ok: false,
    error_code: 'eval_failed',
    message: "Runtime session eval error: syntax error: runtime_lease:1: unexpected symbol near '='",
  });
  assert.deepEqual(await t.run('while true do end', { timeout_ms: 50 }), {
    ok: false,
    error_code: 'eval_failed',
    message: 'Runtime session eval error: runtime error: luaexec execution timed out after 50 ms',
  });
  assert.deepEqual(await t.run('return print'), { ok: false, error_code: 'eval_failed', message: 'conversion: cannot convert a Lua function to JS' });
  assert.equal(await t.value('return 6 * 7'), 42);
  await t.done();
});

test('the lease cwd applies to relative file operations; the process cwd never changes', async () => {
  const t = await setup();
  const before = process.cwd();
  writeFileSync(path.join(t.work, 'in.txt'), 'line1\nline2\n');
  writeFileSync(path.join(t.work, 'mod.lua'), '#!/usr/bin/env lua\nreturn { where = "work", fail = function() error("in mod") end }\n');
  writeFileSync(path.join(t.work, 'script.lua'), 'return ... == nil and "dofile" or "other"\n');
  mkdirSync(path.join(t.work, 'pkg'));
  writeFileSync(path.join(t.work, 'pkg', 'init.lua'), 'return "pkg init"\n');
  const result = await t.value(`
    local f = assert(io.open("out.txt", "w")) f:write("written") f:close()
    local lines = {} for l in io.lines("in.txt") do lines[#lines + 1] = l end
    local chunk = assert(loadfile("mod.lua"))
    local ok, err = pcall(chunk().fail)
    assert(os.rename("out.txt", "moved.txt"))
    local moved = io.open("moved.txt"):read("a")
    assert(os.remove("moved.txt"))
    local p = io.popen("pwd") local pwd = p:read("l") p:close()
    return {
      lines = lines, err = err, moved = moved, gone = io.open("moved.txt") == nil,
      dofile = dofile("script.lua"), req = require("mod").where, pkg = require("pkg"),
      pwd = pwd, exec = os.execute("test -f in.txt"),
    }`);
  assert.deepEqual(result, {
    lines: ['line1', 'line2'],
    err: 'mod.lua:2: in mod',
    moved: 'written',
    gone: true,
    dofile: 'dofile',
    req: 'work',
    pkg: 'pkg init',
    pwd: t.work,
    exec: true,
  });
  assert.equal(process.cwd(), before);
  assert.equal(existsSync(path.join(before, 'moved.txt')), false);
  await t.done();
});

test('failure messages name paths as written, exactly as stock Lua in that directory would', async () => {
  const t = await setup();
  const code = `
    local _, open_err = io.open("missing.txt")
    local _, load_err = loadfile("missing.lua")
    local _, remove_err = os.remove("missing.txt")
    local _, rename_err = os.rename("missing.txt", "x")
    local ok_lines, lines_err = pcall(io.lines, "missing.txt")
    local ok_req, req_err = pcall(require, "missing_mod")
    return { open_err, load_err, remove_err, rename_err, lines_err, (req_err:gsub("^[^:]*:%d+: ", "")) }`;
  const leased = await t.value(code);
  // The reference: a plain VM whose relative paths resolve in the process cwd, run from t.work.
  const vm = new LuaVm();
  const before = process.cwd();
  process.chdir(t.work);
  let stock;
  try {
    stock = vm.execSync(code.replace('return {', 'return {'));
  } finally {
    process.chdir(before);
    vm.close();
  }
  assert.deepEqual(leased, stock);
  assert.equal(leased[0], 'missing.txt: No such file or directory');
  assert.match(leased[5], /\n\tno file '\.\/missing_mod\.lua'\n/);
  await t.done();
});

test('lua_roots and c_roots are prepended to package.path and package.cpath with the platform patterns', async () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-roots-')));
  mkdirSync(path.join(root, 'lib1'));
  writeFileSync(path.join(root, 'lib1', 'hello.lua'), 'return "hello from lib1"\n');
  const engine = new LuaSkillsEngine({ runtimeRoot: root });
  const lease = await engine.leases.create({ sid: 'r', lua_roots: [path.join(root, 'lib1'), ' ', 'rel'], c_roots: ['/c1'] });
  const out = await engine.leases.eval({ lease_id: lease.lease_id, code: 'return { package.path, package.cpath, (require("hello")) }' });
  const stock = new LuaVm();
  const [stockPath, stockCpath] = stock.execSync('return { package.path, package.cpath }');
  stock.close();
  assert.deepEqual(out.result, [
    `${root}/lib1/?.lua;${root}/lib1/?/init.lua;rel/?.lua;rel/?/init.lua;${stockPath}`,
    `/c1/?.so;/c1/?/init.so;${stockCpath}`,
    'hello from lib1',
  ]);
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

test('mounts and workspace_root are readable from Lua; null mounts read as nil', async () => {
  const t = await setup({ mounts: { data: { path: '/mnt/data', read_only: true } }, workspace_root: '/ws' });
  assert.deepEqual(await t.value('return { vulcan.runtime.mounts, vulcan.runtime.workspace_root, require("luaskills.lease").cwd }'), [
    { data: { path: '/mnt/data', read_only: true } },
    '/ws',
    t.work,
  ]);
  const other = await t.engine.leases.create({ sid: 'nomounts', mounts: null });
  const out = await t.engine.leases.eval({ lease_id: other.lease_id, code: 'return { vulcan.runtime.mounts == nil, require("luaskills.lease").cwd == nil }' });
  assert.deepEqual(out.result, [true, true]);
  await t.done();
});

test('vulcan.context is set from the eval request and reset before each eval', async () => {
  const t = await setup();
  const first = await t.value('vulcan.context.extra = 1 vulcan.context.tool_config.mutated = true return vulcan.context', {
    request_context: {
      request_id: 'r1',
      client_name: 'cli',
      session_id: null,
      unknown_field: 'dropped',
      client_info: { kind: 'ide', name: 'x', version: '1' },
      client_capabilities: { host_result: { enabled: true, allowed_kinds: ['change_set'], max_payload_bytes: 10 } },
    },
    client_budget: { tokens: 5 },
    tool_config: { mode: 'fast' },
  });
  assert.deepEqual(first, {
    request: {
      request_id: 'r1',
      client_name: 'cli',
      client_info: { kind: 'ide', name: 'x', version: '1' },
      client_capabilities: { host_result: { enabled: true, allowed_kinds: ['change_set'], max_payload_bytes: 10 } },
    },
    client_info: { kind: 'ide', name: 'x', version: '1' },
    client_capabilities: { host_result: { enabled: true, allowed_kinds: ['change_set'], max_payload_bytes: 10 } },
    client_budget: { tokens: 5 },
    tool_config: { mode: 'fast', mutated: true },
    host_result: { enabled: true, allowed_kinds: ['change_set'], max_payload_bytes: 10 },
    extra: 1,
  });
  const second = await t.value('return { vulcan.context, vulcan.runtime.internal, __runlua_args == nil }', { client_budget: 'not an object' });
  assert.deepEqual(second, [
    {
      request: { client_capabilities: {} },
      client_capabilities: {},
      client_budget: {},
      tool_config: {},
      host_result: { enabled: false, allowed_kinds: [] },
      extra: 1,
    },
    { luaexec_active: true },
    true,
  ]);
  // Even a lease that threw vulcan away gets it back for the next eval.
  await t.value('vulcan = nil');
  assert.deepEqual(await t.value('return vulcan.context.tool_config'), {});
  const call = await t.run('local r = vulcan.call("demo-ping", {}) return r');
  assert.match(call.message, /runtime error: runtime_lease:1: Skill 'demo-ping' not found/);
  await t.done();
});

test('system_lua_lib: directory created, default cwd, first Lua root; an explicit cwd wins', async () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-sys-')));
  const dir = path.join(root, 'system_lua_lib');
  const engine = new LuaSkillsEngine({ runtimeRoot: root });
  assert.equal(existsSync(dir), false);
  const lease = await engine.systemLeases.create({ sid: 'sys', lua_roots: ['/extra'] });
  assert.equal(existsSync(dir), true);
  assert.deepEqual([lease.cwd, lease.system_lua_lib], [dir, dir]);
  writeFileSync(path.join(dir, 'syslib.lua'), 'return "system module"\n');
  writeFileSync(path.join(dir, 'note.txt'), 'in system dir');
  const out = await engine.systemLeases.eval({
    lease_id: lease.lease_id,
    code: 'return { require("syslib"), io.open("note.txt"):read("a"), package.path:sub(1, 80) }',
  });
  assert.deepEqual(out.result, ['system module', 'in system dir', `${dir}/?.lua;${dir}/?/init.lua;/extra/?.lua;/extra/?/init.lua;`.slice(0, 80)]);
  const explicit = await engine.systemLeases.create({ sid: 'sys2', cwd: root, lua_roots: [`${dir}/`] });
  assert.equal(explicit.cwd, root);
  const paths = await engine.systemLeases.eval({ lease_id: explicit.lease_id, code: 'return package.path' });
  assert.ok(paths.result.startsWith(`${dir}//?.lua;${dir}//?/init.lua;/usr`), 'an equal root is not added twice');
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

test('8 leases evaluate in parallel off the JS thread; status and close answer lease_busy meanwhile', async () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-par-')));
  const engine = new LuaSkillsEngine({ runtimeRoot: root });
  const ids = [];
  for (let i = 0; i < 8; i++) ids.push((await engine.leases.create({ sid: `p${i}` })).lease_id);
  const spin = 'local t0 = os.clock() while os.clock() - t0 < 0.2 do end return args.i';
  const running = ids.map((id, i) => engine.leases.eval({ lease_id: id, code: spin, args: { i } }));
  for (const id of ids) {
    assert.equal(engine.leases.status({ lease_id: id }).error_code, 'lease_busy');
    assert.equal(engine.leases.close({ lease_id: id }).error_code, 'lease_busy');
  }
  assert.equal(engine.leases.list().leases.length, 8);
  // A timer fires while the evals still run: Lua is not on the JS thread. (A tick count would
  // depend on how many cores the machine has free.)
  const timerSawBusy = new Promise((resolve) => setTimeout(() => resolve(engine.leases.status({ lease_id: ids[7] }).error_code), 0));
  assert.equal(await timerSawBusy, 'lease_busy');
  const results = await Promise.all(running);
  assert.deepEqual(results.map((r) => r.result), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const id of ids) assert.equal(engine.leases.close({ lease_id: id }).closed, true);
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

test('engine close with live leases frees every VM; a running eval ends with eval_failed', async () => {
  const { TrackingEngine } = await import('./fixtures/lease-helpers.mjs');
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-close-')));
  const engine = new TrackingEngine({ runtimeRoot: root });
  const a = await engine.leases.create({ sid: 'a' });
  await engine.leases.create({ sid: 'b' });
  await engine.systemLeases.create({ sid: 'c' });
  const running = engine.leases.eval({ lease_id: a.lease_id, code: 'while true do end' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await engine.close();
  assert.deepEqual(await running, {
    ok: false,
    error_code: 'eval_failed',
    message: 'Runtime session eval error: closed: the Lua VM was closed while the job ran',
  });
  assert.deepEqual(engine.luaVms.map((vm) => vm.closed), [true, true, true]);
  assert.equal(engine.activeLeaseCount, 0);
  rmSync(root, { recursive: true, force: true });
});

test('the prelude ships as Lua text in lib/lua and the package includes it', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.ok(pkg.files.includes('lib/lua/'));
  assert.ok(existsSync(new URL('../lib/lua/lease-prelude.lua', import.meta.url)));
});

test('system_lua_lib: a directory that cannot be created is a request error naming it', async () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-sysdir-')));
  const blocker = path.join(root, 'file');
  writeFileSync(blocker, 'not a directory');
  const engine = new LuaSkillsEngine({ systemLuaLibDir: path.join(blocker, 'lib') });
  await assert.rejects(
    engine.systemLeases.create({ sid: 'sys' }),
    (e) => e.code === 'invalid_lease_request' && e.message.startsWith(`failed to create system_lua_lib_dir ${path.join(blocker, 'lib')}: `) && /ENOTDIR/.test(e.message),
  );
  await assert.rejects(engine.createSystemRuntimeLeaseJson('{"sid":"sys"}'), /failed to create system_lua_lib_dir/);
  assert.equal(engine.activeLeaseCount, 0);
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});
