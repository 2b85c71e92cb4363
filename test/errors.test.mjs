// LuaError codes, messages, tracebacks and non-string error values.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LUA_ERROR_CODES, LuaError, LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const failure = (fn) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a failure');
};

test('the code table is stable', () => {
  assert.deepEqual([...LUA_ERROR_CODES], ['lua_syntax', 'lua_runtime', 'timeout', 'cancelled', 'memory_limit', 'conversion', 'busy', 'closed']);
});

test('syntax errors: code, message with chunk and line', () => {
  const e = failure(() => vm.execSync('local x = \n\n  )', { chunkName: 'cfg.lua' }));
  assert.ok(e instanceof LuaError);
  assert.equal(e.name, 'LuaError');
  assert.equal(e.code, 'lua_syntax');
  assert.equal(e.message, "cfg.lua:3: unexpected symbol near ')'");
  assert.equal(e.line, 3);
});

test('runtime errors carry the traceback taken before unwinding, sync and async alike', async () => {
  const code = 'local function inner() local t = nil; return t.x end\nlocal function outer() local r = inner() return r end\nlocal r = outer() return r';
  const sync = failure(() => vm.execSync(code, { chunkName: 'trace.lua' }));
  const async = await vm.exec(code, { chunkName: 'trace.lua' }).catch((e) => e);
  for (const e of [sync, async]) {
    assert.equal(e.code, 'lua_runtime');
    assert.equal(e.message, "trace.lua:1: attempt to index a nil value (local 't')");
    assert.equal(e.line, 1);
    assert.equal(e.source, 'trace.lua');
    assert.match(e.traceback, /^stack traceback:\n/);
    assert.match(e.traceback, /trace\.lua:1: in (upvalue|local) 'inner'/);
    assert.match(e.traceback, /trace\.lua:2: in/);
  }
  assert.equal(sync.traceback, async.traceback);
});

test('async errors point at the awaiting caller', async () => {
  const e = await vm.exec('error("x")').catch((err) => err);
  assert.match(e.stack, /errors\.test\.mjs/);
});

test('error values that are tables, nil, numbers or booleans', () => {
  const t = failure(() => vm.execSync('error({ code = "E42", detail = { n = 1 } })'));
  assert.equal(t.code, 'lua_runtime');
  assert.equal(t.message, '(error object is a table value)');
  assert.deepEqual(t.value, { code: 'E42', detail: { n: 1 } });
  const n = failure(() => vm.execSync('error(nil)'));
  assert.equal(n.message, '(error object is a nil value)');
  assert.equal(n.value, undefined);
  const num = failure(() => vm.execSync('error(42)'));
  assert.equal(num.message, '42');
  assert.equal(num.value, 42);
  const b = failure(() => vm.execSync('error(false)'));
  assert.equal(b.message, '(error object is a boolean value)');
  assert.equal(b.value, false);
  const meta = failure(() => vm.execSync('error(setmetatable({}, { __tostring = function() return "custom text" end }))'));
  assert.equal(meta.message, 'custom text');
  const lvl0 = failure(() => vm.execSync('error("plain", 0)'));
  assert.equal(lvl0.message, 'plain');
});

test('an error inside the error handler path is still reported', () => {
  const e = failure(() => vm.execSync('error(setmetatable({}, { __tostring = function() error("again") end }))'));
  assert.equal(e.code, 'lua_runtime');
  assert.equal(vm.execSync('return "alive"'), 'alive');
});

test('pcall, xpcall and debug.traceback behave as in Lua', () => {
  assert.deepEqual(vm.execSync('return pcall(error, "m", 0)', { allResults: true }), [false, 'm']);
  assert.match(vm.execSync('local ok, tb = xpcall(function() error("deep") end, debug.traceback) return tb'), /deep\nstack traceback:/);
});
