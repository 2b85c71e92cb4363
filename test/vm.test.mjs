// LuaVm lifecycle, exec/call surfaces, globals and option validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaError, LuaVm } from '../dist/index.js';

test('runs Lua 5.4', () => {
  const vm = new LuaVm();
  assert.equal(LuaVm.luaVersion, 'Lua 5.4.4');
  assert.equal(vm.execSync('return _VERSION'), 'Lua 5.4');
  assert.equal(vm.execSync('return 1 + 1'), 2);
  assert.equal(vm.execSync('return 7 // 2, 2^2', { allResults: true }).join(','), '3,4');
});

test('close, closed, Symbol.dispose and use after close', async () => {
  const vm = new LuaVm();
  assert.equal(vm.closed, false);
  vm.close();
  vm.close(); // idempotent
  assert.equal(vm.closed, true);
  assert.throws(() => vm.execSync('return 1'), (e) => e instanceof LuaError && e.code === 'closed');
  await assert.rejects(vm.exec('return 1'), (e) => e instanceof LuaError && e.code === 'closed');
  const inner = new LuaVm();
  assert.equal(inner.execSync('return 3'), 3);
  inner[Symbol.dispose]();
  assert.equal(inner.closed, true);
});

test('memoryUsed grows with data and gc() returns it', () => {
  const vm = new LuaVm();
  const before = vm.memoryUsed();
  assert.ok(before > 1000 && before < 200_000, `fresh state uses ${before} bytes`);
  vm.execSync('big = string.rep("x", 1000000)');
  assert.ok(vm.memoryUsed() >= before + 1_000_000);
  vm.execSync('big = nil');
  assert.ok(vm.gc() < before + 100_000);
});

test('args are the local `args` and `...`', async () => {
  const vm = new LuaVm();
  assert.deepEqual(vm.execSync('return args.n + 1, select("#", ...), (...).n', { args: { n: 41 }, allResults: true }), [42, 1, 41]);
  assert.equal(await vm.exec('return args * 2', { args: 21 }), 42);
  // Without the option, `args` is an ordinary global.
  vm.execSync('args = "global"');
  assert.equal(vm.execSync('return args'), 'global');
  assert.equal(vm.execSync('return select("#", ...)'), 0);
});

test('user code cannot break out of the chunk, line numbers are the user\'s', () => {
  const vm = new LuaVm();
  assert.throws(() => vm.execSync('end return 1', { args: 1 }), (e) => e.code === 'lua_syntax' && /^exec:1:/.test(e.message));
  const err = (() => {
    try {
      vm.execSync('local a = 1\nlocal b = 2\nerror("on line three")', { args: {} });
    } catch (e) {
      return e;
    }
  })();
  assert.equal(err.code, 'lua_runtime');
  assert.equal(err.message, 'exec:3: on line three');
  assert.equal(err.line, 3);
  assert.throws(() => vm.execSync('\n\nlocal = 1', { chunkName: 'my.lua' }), (e) => e.code === 'lua_syntax' && e.line === 3 && e.message.startsWith('my.lua:3:'));
  assert.throws(() => vm.execSync('\x1bLua', {}), (e) => e.code === 'lua_syntax' && /binary chunk/.test(e.message));
});

test('all results, no results, first result', async () => {
  const vm = new LuaVm();
  assert.equal(vm.execSync('x = 1'), undefined);
  assert.deepEqual(vm.execSync('return', { allResults: true }), []);
  assert.deepEqual(vm.execSync('return 1, nil, 3', { allResults: true }), [1, undefined, 3]);
  assert.deepEqual(await vm.exec('return "a", "b"', { allResults: true }), ['a', 'b']);
});

test('call / callSync / callWith reach global and dotted functions', async () => {
  const vm = new LuaVm();
  vm.execSync('function inc(x) return x + 1 end; lib = { twice = function(a, b) return a * 2, b * 2 end }');
  assert.equal(vm.callSync('inc', 41), 42);
  assert.equal(await vm.call('inc', 1), 2);
  assert.deepEqual(vm.callWithSync('lib.twice', [1, 2], { allResults: true }), [2, 4]);
  assert.deepEqual(await vm.callWith('lib.twice', [3, 4], { allResults: true }), [6, 8]);
  vm.execSync('callable = setmetatable({}, { __call = function(self, x) return x * 10 end })');
  assert.equal(vm.callSync('callable', 4), 40);
  assert.throws(() => vm.callSync('missing'), (e) => e.code === 'lua_runtime' && e.message === "global 'missing' is not a function (a nil value)");
  await assert.rejects(vm.call('lib'), (e) => e.code === 'lua_runtime' && /is not a function \(a table value\)/.test(e.message));
});

test('setGlobal / getGlobal with dotted paths', () => {
  const vm = new LuaVm();
  vm.setGlobal('config.db.port', 5432);
  assert.equal(vm.execSync('return config.db.port'), 5432);
  assert.deepEqual(vm.getGlobal('config'), { db: { port: 5432 } });
  assert.equal(vm.getGlobal('nothing.here'), undefined);
  vm.setGlobal('s', 'text');
  assert.throws(() => vm.setGlobal('s.x', 1), (e) => e.code === 'lua_runtime' && /'s' is a string, not a table/.test(e.message));
  assert.throws(() => vm.getGlobal('print'), (e) => e.code === 'conversion');
});

test('options are validated and errors name the field', async () => {
  assert.throws(() => new LuaVm({ memoryLimitBytes: -1 }), (e) => e instanceof TypeError && e.message.startsWith('Invalid LuaVm options.memoryLimitBytes'));
  assert.throws(() => new LuaVm({ memoryLimit: 5 }), (e) => e instanceof TypeError && /memoryLimit/.test(e.message));
  assert.throws(() => new LuaVm({ largeIntegers: 'float' }), /Invalid LuaVm options.largeIntegers/);
  const vm = new LuaVm();
  assert.throws(() => vm.execSync('return 1', { timeoutMs: 'soon' }), /Invalid execSync options.timeoutMs/);
  assert.throws(() => vm.execSync('return 1', { chunkname: 'x' }), /chunkname/);
  assert.throws(() => vm.execSync(42), /Invalid code: expected a string, got number/);
  await assert.rejects(vm.exec('return 1', { signal: {} }), /Invalid exec options.signal: expected an AbortSignal/);
  assert.throws(() => vm.callSync('bad name'), /Invalid function name/);
  assert.throws(() => vm.registerHostFunction('f', 3), /expected a function/);
  assert.throws(() => new LuaVm({ memoryLimitBytes: 1000 }), (e) => e instanceof LuaError && e.code === 'memory_limit');
});

test('standard libraries are all there, jit is absent', () => {
  const vm = new LuaVm();
  assert.equal(
    vm.execSync('return type(io.open) .. type(os.time) .. type(debug.traceback) .. type(package.loadlib) .. type(utf8.char) .. type(loadfile) .. tostring(jit)'),
    'functionfunctionfunctionfunctionfunctionfunctionnil',
  );
  assert.equal(vm.execSync('local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) return co(1) + co(10)'), 22);
  assert.deepEqual(vm.execSync('return coroutine.resume(coroutine.create(function() error("x", 0) end))', { allResults: true }), [false, 'x']);
  assert.equal(vm.execSync('local f = coroutine.wrap(function() error("bad") end) local ok, e = pcall(f) return e'), 'exec:1: bad');
});

test("libraries: 'safe' opens only pure libraries: no files, process, host modules or finalizers", async () => {
  const vm = new LuaVm({ libraries: 'safe' });
  assert.equal(
    vm.execSync('local names = {} for k in pairs(_G) do names[#names + 1] = k end table.sort(names) return table.concat(names, " ")'),
    '_G _VERSION assert collectgarbage error getmetatable ipairs load math next pairs pcall rawequal rawget rawlen rawset select setmetatable string table tonumber tostring type utf8 xpcall',
  );
  // Nothing reachable through the registry either: no package.loaded, no preload.
  assert.equal(vm.execSync('return tostring(require) .. tostring(package) .. tostring(io) .. tostring(os) .. tostring(debug) .. tostring(coroutine)'), 'nilnilnilnilnilnil');
  assert.equal(vm.execSync('return load("return 6 * 7")()'), 42);
  assert.equal(vm.execSync('local env = { x = 5 } return load("return x", "c", "t", env)()'), 5);
  assert.equal(vm.execSync('return load("return x", "c", nil, { x = 6 })()'), 6);
  // load is text-only whatever mode is asked for: bytecode is unchecked and could crash the process.
  assert.deepEqual(vm.execSync('return load(string.dump(function() return 1 end), "bc", "b")', { allResults: true }), [undefined, "attempt to load a binary chunk (mode is 't')"]);
  assert.deepEqual(vm.execSync('return pcall(setmetatable, {}, { __gc = function() end })', { allResults: true }), [
    false,
    'setmetatable: __gc metamethods are not available in this state',
  ]);
  assert.equal(vm.execSync('return getmetatable(setmetatable({}, { __index = { a = 3 } })).__index.a'), 3);
  assert.deepEqual(vm.execSync('return math.type(args.i), math.type(args.f), utf8.len("héllo"), #args.list', { args: { i: 2, f: 2.5, list: [1, 2] }, allResults: true }), [
    'integer',
    'float',
    5,
    2,
  ]);
  await assert.rejects(vm.exec('while true do end', { timeoutMs: 20 }), (e) => e instanceof LuaError && e.code === 'timeout');
  vm.close();
  const small = new LuaVm({ libraries: 'safe', memoryLimitBytes: 1 << 20 });
  await assert.rejects(small.exec('local s = "x" while true do s = s .. s end'), (e) => e instanceof LuaError && e.code === 'memory_limit');
  small.close();
  assert.throws(() => new LuaVm({ libraries: 'none' }), /Invalid LuaVm options.libraries/);
  assert.equal(new LuaVm({ libraries: 'all' }).execSync('return type(io.open)'), 'function');
});

test('thousands of runs and VMs stay stable', async () => {
  for (let i = 0; i < 2000; i++) {
    const vm = new LuaVm();
    vm.execSync('t = {} for i = 1, 10 do t[i] = i end');
    if (i % 100 === 0) assert.equal(await vm.exec('return #t'), 10);
    vm.close();
  }
  const vm = new LuaVm();
  for (let i = 0; i < 5000; i++) {
    try {
      vm.execSync('error({code = 1})');
    } catch (e) {
      assert.deepEqual(e.value, { code: 1 });
    }
  }
  assert.ok(vm.memoryUsed() < 500_000);
});

test('getFunction: a handle on a Lua function, sync and async', async () => {
  const vm = new LuaVm();
  vm.execSync('function inc(x) return x + 1 end; lib = { pair = function(a, b) return b, a end }');
  const inc = vm.getFunction('inc');
  assert.equal(inc.name, 'inc');
  assert.equal(inc.callSync(41), 42);
  assert.equal(await inc.call(1), 2);
  const pair = vm.getFunction('lib.pair');
  assert.deepEqual(pair.callWithSync([1, 2], { allResults: true }), [2, 1]);
  assert.deepEqual(await pair.callWith(['a', 'b'], { allResults: true }), ['b', 'a']);
  // The handle holds the function itself, not the name.
  vm.execSync('inc = nil');
  assert.equal(inc.callSync(1), 2);
  assert.throws(() => vm.getFunction('inc'), (e) => e.code === 'lua_runtime' && e.message === "global 'inc' is not a function (a nil value)");
  // Errors, timeouts and busy apply as for any job.
  vm.execSync('function spin() while true do end end function fail(m) error(m, 0) end');
  assert.throws(() => vm.getFunction('spin').callWithSync([], { timeoutMs: 20 }), (e) => e.code === 'timeout');
  assert.throws(() => vm.getFunction('fail').callSync('nope'), (e) => e.code === 'lua_runtime' && e.message === 'nope');
  const job = vm.getFunction('spin').callWith([], { timeoutMs: 200 });
  assert.throws(() => inc.callSync(1), (e) => e.code === 'busy');
  await assert.rejects(job, (e) => e.code === 'timeout');
  inc.release();
  inc.release();
  assert.throws(() => inc.callSync(1), /LuaFunction 'inc' was released/);
  await assert.rejects(inc.call(1), /was released/);
  vm.close();
  assert.throws(() => pair.callSync(1, 2), (e) => e.code === 'closed');
});

test('many function handles can be dropped without leaking', async () => {
  const vm = new LuaVm();
  vm.execSync('function f(x) return x end');
  for (let i = 0; i < 2000; i++) vm.getFunction('f').callSync(i);
  if (global.gc) global.gc();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(vm.getFunction('f').callSync('still'), 'still');
  vm.close();
});

test('repeated chunks run like fresh ones (compiled-chunk cache)', () => {
  const vm = new LuaVm();
  const code = 'if marker then return "leaked" end _ENV = { marker = true } return "first"';
  assert.equal(vm.execSync(code), 'first');
  assert.equal(vm.execSync(code), 'first'); // _ENV is reset to the globals before each run
  vm.execSync('args = "global"');
  assert.equal(vm.execSync('return args'), 'global');
  assert.equal(vm.execSync('return args', { args: 'local' }), 'local');
  assert.equal(vm.execSync('return args'), 'global');
  assert.throws(() => vm.execSync('error("x")', { chunkName: 'a.lua' }), (e) => e.message === 'a.lua:1: x');
  assert.throws(() => vm.execSync('error("x")', { chunkName: 'b.lua' }), (e) => e.message === 'b.lua:1: x');
  for (let i = 0; i < 3; i++) assert.throws(() => vm.execSync('return +'), (e) => e.code === 'lua_syntax');
  for (let i = 0; i < 200; i++) assert.equal(vm.execSync(`return ${i} * 2`), i * 2);
  for (let i = 0; i < 200; i++) assert.equal(vm.execSync(`return ${i % 70} + 1`), (i % 70) + 1);
  vm.execSync('counter = 0');
  for (let i = 0; i < 5; i++) vm.execSync('counter = counter + 1');
  assert.equal(vm.getGlobal('counter'), 5);
  vm.close();
});
