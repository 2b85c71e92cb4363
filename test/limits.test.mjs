// Timeouts, cancellation, memory caps and stack overflow; the VM stays usable after each.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const elapsed = (start) => Number(process.hrtime.bigint() - start) / 1e6;

test('execSync: while true with timeoutMs 100 stops at its deadline', () => {
  const vm = new LuaVm();
  const start = process.hrtime.bigint();
  assert.throws(() => vm.execSync('while true do end', { timeoutMs: 100 }), (e) => e.code === 'timeout' && e.message === 'timeout: Lua execution exceeded 100 ms');
  const ms = elapsed(start);
  // Not before the deadline; how soon after it is measured by the benchmark (bench/, row 9).
  assert.ok(ms >= 99 && ms < 10_000, `took ${ms} ms`);
  assert.equal(vm.execSync('return 1 + 1'), 2);
  vm.close();
});

test('exec: while true with timeoutMs 100 stops at its deadline', async () => {
  const vm = new LuaVm();
  const start = process.hrtime.bigint();
  await assert.rejects(vm.exec('while true do end', { timeoutMs: 100 }), (e) => e.code === 'timeout');
  const ms = elapsed(start);
  // Not before the deadline; how soon after it is measured by the benchmark (bench/, row 9).
  assert.ok(ms >= 99 && ms < 10_000, `took ${ms} ms`);
  assert.equal(await vm.exec('return 2 + 2'), 4);
  vm.close();
});

test('call with timeoutMs, and Lua pcall cannot swallow the timeout', async () => {
  const vm = new LuaVm();
  vm.execSync('function spin() while true do pcall(function() while true do end end) end end');
  assert.throws(() => vm.callWithSync('spin', [], { timeoutMs: 50 }), (e) => e.code === 'timeout');
  await assert.rejects(vm.callWith('spin', [], { timeoutMs: 50 }), (e) => e.code === 'timeout');
  assert.equal(vm.execSync('return "ok"'), 'ok');
  vm.close();
});

// The deadline thread sleeps until the earliest deadline it knows and is only woken for an
// earlier one: a short deadline armed while it sleeps on a long one must still fire.
test('a short timeout fires while the deadline thread waits on long ones', { timeout: 30_000 }, async () => {
  const slow = new LuaVm();
  const fast = new LuaVm();
  for (let i = 0; i < 50; i++) assert.equal(await fast.exec('return 1', { timeoutMs: 1e9 }), 1);
  const ac = new AbortController();
  const long = slow.exec('while true do end', { timeoutMs: 1e9, signal: ac.signal });
  await assert.rejects(fast.exec('while true do end', { timeoutMs: 50 }), (e) => e.code === 'timeout');
  for (let i = 0; i < 5; i++) assert.equal(await fast.exec('return 2', { timeoutMs: 1e9 }), 2);
  await assert.rejects(fast.exec('while true do end', { timeoutMs: 20 }), (e) => e.code === 'timeout');
  ac.abort();
  await assert.rejects(long, (e) => e.code === 'cancelled');
  slow.close();
  fast.close();
});

test('a coroutine created earlier cannot escape a later timeout', () => {
  const vm = new LuaVm();
  vm.execSync('co = coroutine.create(function() while true do end end); wrapped = coroutine.wrap(function() while true do end end)');
  assert.throws(() => vm.execSync('coroutine.resume(co)', { timeoutMs: 50 }), (e) => e.code === 'timeout');
  // Catching the timeout does not turn it into a success.
  assert.throws(() => vm.execSync('local ok = pcall(function() while true do end end) return "swallowed"', { timeoutMs: 50 }), (e) => e.code === 'timeout');
  assert.throws(() => vm.execSync('wrapped()', { timeoutMs: 50 }), (e) => e.code === 'timeout');
  // Without a timeout the coroutine's old hook does not fire spuriously.
  assert.equal(vm.execSync('local c = coroutine.wrap(function() for i = 1, 1e5 do end return "done" end) return c()'), 'done');
  vm.close();
});

test('an AbortSignal cancels a running job', async () => {
  const vm = new LuaVm();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const start = process.hrtime.bigint();
  await assert.rejects(vm.exec('while true do end', { signal: ac.signal }), (e) => e.code === 'cancelled' && e.message === 'cancelled: Lua execution was cancelled');
  assert.ok(elapsed(start) < 150);
  await assert.rejects(vm.exec('return 1', { signal: ac.signal }), (e) => e.code === 'cancelled');
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 30);
  await assert.rejects(vm.callWith('os.time', [], { signal: AbortSignal.abort() }), (e) => e.code === 'cancelled');
  vm.execSync('function spin() while true do end end');
  await assert.rejects(vm.callWith('spin', [], { signal: ac2.signal }), (e) => e.code === 'cancelled');
  assert.equal(await vm.exec('return 5'), 5);
  vm.close();
});

test('memory cap stops a string.rep bomb and a growing table', async () => {
  const vm = new LuaVm({ memoryLimitBytes: 8 * 1024 * 1024 });
  assert.throws(() => vm.execSync('local s = string.rep("x", 64 * 1024 * 1024) return #s'), (e) => e.code === 'memory_limit' && /exceeded its memory limit of 8388608 bytes/.test(e.message));
  assert.equal(vm.execSync('return #string.rep("x", 1024)'), 1024);
  assert.throws(() => vm.execSync('local t = {} for i = 1, 1e8 do t[i] = {i} end'), (e) => e.code === 'memory_limit');
  assert.equal(vm.execSync('return 40 + 2'), 42);
  await assert.rejects(vm.exec('local t = {} local s = "x" while true do s = s .. s t[#t + 1] = s end'), (e) => e.code === 'memory_limit');
  assert.equal(await vm.exec('return "still here"'), 'still here');
  assert.ok(vm.gc() <= 8 * 1024 * 1024);
  // A value too big for the cap is refused on the way in, too.
  assert.throws(() => vm.execSync('return #args', { args: 'y'.repeat(16 * 1024 * 1024) }), (e) => e.code === 'memory_limit' || e.code === 'conversion');
  assert.equal(vm.execSync('return 1'), 1);
  vm.close();
});

test('pcall inside Lua sees the memory error, the VM recovers', () => {
  const vm = new LuaVm({ memoryLimitBytes: 4 * 1024 * 1024 });
  assert.deepEqual(vm.execSync('local ok, e = pcall(string.rep, "x", 1e8) return ok, e', { allResults: true }), [false, 'not enough memory']);
  vm.close();
});

test('deep recursion gives Lua\'s stack overflow error', async () => {
  const vm = new LuaVm();
  assert.throws(() => vm.execSync('local function f(n) return 1 + f(n + 1) end return f(1)'), (e) => e.code === 'lua_runtime' && /stack overflow/.test(e.message));
  await assert.rejects(vm.exec('local function f(n) return 1 + f(n + 1) end return f(1)'), (e) => e.code === 'lua_runtime' && /stack overflow/.test(e.message));
  // C-level recursion (string.gsub calling back into Lua) is bounded too.
  assert.throws(() => vm.execSync('local function g(s) return (s:gsub(".", g)) end return g("ab")'), (e) => e.code === 'lua_runtime' && /(stack overflow|C stack overflow)/.test(e.message));
  assert.equal(vm.execSync('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(10000)'), 10000);
  vm.close();
});

test('after every limit the same VM keeps running correct code', async () => {
  const vm = new LuaVm({ memoryLimitBytes: 256 * 1024 * 1024 });
  vm.execSync('counter = 0 function bump() counter = counter + 1 return counter end');
  for (let round = 0; round < 3; round++) {
    assert.throws(() => vm.execSync('while true do end', { timeoutMs: 20 }), (e) => e.code === 'timeout');
    await assert.rejects(vm.exec('while true do end', { timeoutMs: 20 }), (e) => e.code === 'timeout');
    assert.throws(() => vm.execSync('return string.rep("z", 1e9)'), (e) => e.code === 'memory_limit');
    assert.throws(() => vm.execSync('local function f() return f() + 1 end return f()'), (e) => e.code === 'lua_runtime' && /stack overflow/.test(e.message));
  }
  assert.equal(vm.callSync('bump'), 1);
  assert.equal(await vm.call('bump'), 2);
  vm.close();
});

test('timeoutMs is bounded and validated', () => {
  const vm = new LuaVm();
  assert.throws(() => vm.execSync('return 1', { timeoutMs: 1e13 }), /Invalid execSync options.timeoutMs/);
  assert.throws(() => vm.execSync('return 1', { timeoutMs: -1 }), /Invalid execSync options.timeoutMs/);
  assert.equal(vm.execSync('return 1', { timeoutMs: 1e12 }), 1);
  vm.close();
});
