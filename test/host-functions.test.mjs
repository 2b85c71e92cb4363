// Lua -> JS host functions, from the JS thread (sync jobs) and from VM threads (async jobs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaVm } from '../dist/index.js';

test('sync: arguments and results convert, dotted names create tables', () => {
  const vm = new LuaVm();
  const seen = [];
  vm.registerHostFunction('host.add', (a, b) => a + b);
  vm.registerHostFunction('host.echo', (...args) => {
    seen.push(args);
    return { got: args.length };
  });
  assert.equal(vm.execSync('return host.add(2, 40)'), 42);
  assert.deepEqual(vm.execSync('return host.echo(1, "two", {3}, {k = true}, nil)'), { got: 5 });
  assert.deepEqual(seen[0], [1, 'two', [3], { k: true }, undefined]);
  assert.equal(vm.execSync('return host.echo() .got'), 0);
  assert.equal(vm.execSync('return type(host.add)'), 'function');
  vm.close();
});

test('sync: a JS throw becomes a Lua error that Lua can catch; uncaught it keeps the cause', () => {
  const vm = new LuaVm();
  const boom = new Error('disk on fire');
  vm.registerHostFunction('fail', () => {
    throw boom;
  });
  vm.registerHostFunction('failUndefined', () => {
    throw undefined; // eslint-disable-line no-throw-literal
  });
  assert.deepEqual(vm.execSync('return pcall(fail)', { allResults: true }), [false, 'disk on fire']);
  assert.deepEqual(vm.execSync('return pcall(failUndefined)', { allResults: true }), [false, "host function 'failUndefined' threw undefined"]);
  assert.throws(
    () => vm.execSync('fail()'),
    (e) => e.code === 'lua_runtime' && e.message === 'disk on fire' && e.cause === boom && /in function 'fail'/.test(e.traceback),
  );
  vm.close();
});

test('sync: a returned Promise is an error that says to use exec()', () => {
  const vm = new LuaVm();
  vm.registerHostFunction('later', async () => 1);
  assert.throws(() => vm.execSync('return later()'), (e) => e.code === 'lua_runtime' && /returned a Promise; await it by running the Lua code with exec\(\) or call\(\)/.test(e.message));
  vm.close();
});

test('sync: host functions cannot re-enter their busy VM, but may use another', () => {
  const vm = new LuaVm();
  const other = new LuaVm();
  vm.registerHostFunction('reenter', () => vm.execSync('return 1'));
  vm.registerHostFunction('useOther', () => other.execSync('return 99'));
  assert.throws(() => vm.execSync('return reenter()'), (e) => e.code === 'lua_runtime' && /busy/.test(e.message));
  assert.equal(vm.execSync('return useOther()'), 99);
  vm.close();
  other.close();
});

test('sync: close() from inside a host function ends the job with closed', () => {
  const vm = new LuaVm();
  vm.registerHostFunction('quit', () => vm.close());
  assert.throws(() => vm.execSync('quit() return 1'), (e) => e.code === 'closed');
  assert.equal(vm.closed, true);
});

test('async: host functions run on the JS thread, sync and promise results', async () => {
  const vm = new LuaVm();
  const { isMainThread } = await import('node:worker_threads');
  const threads = [];
  vm.registerHostFunction('where', () => {
    threads.push(isMainThread);
    return 'js';
  });
  vm.registerHostFunction('slowDouble', async (x) => {
    await new Promise((r) => setTimeout(r, 20));
    return x * 2;
  });
  assert.equal(await vm.exec('return where()'), 'js');
  assert.equal(await vm.exec('local s = 0 for i = 1, 5 do s = s + slowDouble(i) end return s'), 30);
  assert.deepEqual(threads, [true]);
  vm.close();
});

test('async: throws and rejections become Lua errors', async () => {
  const vm = new LuaVm();
  vm.registerHostFunction('reject', async () => {
    throw new TypeError('bad input');
  });
  vm.registerHostFunction('throwSync', () => {
    throw new RangeError('out of range');
  });
  vm.registerHostFunction('rejectUndefined', () => Promise.reject(undefined));
  assert.deepEqual(await vm.exec('return pcall(reject)', { allResults: true }), [false, 'bad input']);
  assert.deepEqual(await vm.exec('return pcall(throwSync)', { allResults: true }), [false, 'out of range']);
  assert.deepEqual(await vm.exec('return pcall(rejectUndefined)', { allResults: true }), [false, "host function 'rejectUndefined' threw undefined"]);
  await assert.rejects(vm.exec('reject()'), (e) => e.code === 'lua_runtime' && e.message === 'bad input' && e.cause instanceof TypeError);
  vm.close();
});

test('async: a pending host promise does not stop a timeout', async () => {
  const vm = new LuaVm();
  vm.registerHostFunction('never', () => new Promise(() => {}));
  const start = Date.now();
  await assert.rejects(vm.exec('return never()', { timeoutMs: 80 }), (e) => e.code === 'timeout');
  assert.ok(Date.now() - start < 10_000); // the never-settling promise did not hold the job
  assert.equal(await vm.exec('return "ok"'), 'ok');
  vm.close();
});

test('async: many host calls in one job, with values both ways', async () => {
  const vm = new LuaVm();
  vm.registerHostFunction('inc', (x) => x + 1);
  assert.equal(await vm.exec('local x = 0 for i = 1, 2000 do x = inc(x) end return x'), 2000);
  vm.registerHostFunction('obj', (o) => ({ ...o, added: [1, 2] }));
  assert.deepEqual(await vm.exec('return obj({ a = "b" })'), { a: 'b', added: [1, 2] });
  vm.close();
});

test('a host value that cannot convert is a Lua error, not a crash', async () => {
  const vm = new LuaVm();
  vm.registerHostFunction('giveFn', () => () => 1);
  assert.throws(() => vm.execSync('return giveFn()'), (e) => e.code === 'lua_runtime' && /returned a value Lua cannot hold/.test(e.message));
  await assert.rejects(vm.exec('return giveFn()'), (e) => e.code === 'lua_runtime' && /returned a value Lua cannot hold/.test(e.message));
  assert.throws(() => vm.execSync('return giveFn(print)'), (e) => /argument 1: cannot convert a Lua function/.test(e.message));
  vm.close();
});
