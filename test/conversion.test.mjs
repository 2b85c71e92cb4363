// The value bridge, one test per row of docs/values.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const toLua = (v, expr = 'args') => vm.execSync(`return ${expr}`, { args: v });
const roundTrip = (v) => toLua(v);
const luaType = (v) => vm.execSync('return math.type(args) or type(args)', { args: v });

test('integers stay integers, non-integral numbers are floats', () => {
  assert.equal(luaType(2), 'integer');
  assert.equal(luaType(2.5), 'float');
  assert.equal(vm.execSync('return tostring(args)', { args: 2 }), '2');
  assert.equal(vm.execSync('return 3.0'), 3);
  assert.equal(vm.execSync('return math.type(3.0)'), 'float');
  assert.equal(vm.execSync('return 10 // 3'), 3);
});

test('NaN, ±Infinity and -0 survive both ways', () => {
  assert.ok(Number.isNaN(roundTrip(NaN)));
  assert.equal(roundTrip(Infinity), Infinity);
  assert.equal(roundTrip(-Infinity), -Infinity);
  assert.ok(Object.is(roundTrip(-0), -0));
  assert.equal(luaType(-0), 'float');
  assert.ok(Object.is(vm.execSync('return -0.0'), -0));
  assert.ok(Number.isNaN(vm.execSync('return 0/0')));
  assert.equal(vm.execSync('return math.huge'), Infinity);
});

test('safe-integer edges: ±(2^53-1) are integers, beyond is a float or BigInt', () => {
  assert.equal(luaType(Number.MAX_SAFE_INTEGER), 'integer');
  assert.equal(luaType(Number.MIN_SAFE_INTEGER), 'integer');
  assert.equal(luaType(2 ** 53), 'float');
  assert.equal(roundTrip(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  assert.equal(vm.execSync('return 9007199254740991'), 9007199254740991);
  assert.equal(vm.execSync('return 9007199254740992'), 9007199254740992n);
  assert.equal(vm.execSync('return -9007199254740992'), -9007199254740992n);
  assert.equal(vm.execSync('return math.maxinteger'), 9223372036854775807n);
  assert.equal(vm.execSync('return math.mininteger'), -9223372036854775808n);
});

test('BigInt becomes a Lua integer; out of int64 range is a conversion error', () => {
  assert.equal(luaType(5n), 'integer');
  assert.equal(vm.execSync('return args + 1', { args: 2n ** 62n }), 2n ** 62n + 1n);
  assert.equal(roundTrip(-(2n ** 63n)), -(2n ** 63n));
  assert.equal(roundTrip(3n), 3);
  assert.throws(() => roundTrip(2n ** 63n), (e) => e.code === 'conversion' && /outside the 64-bit integer range/.test(e.message));
});

test('largeIntegers: "error" refuses integers JS numbers cannot hold', () => {
  const strict = new LuaVm({ largeIntegers: 'error' });
  assert.equal(strict.execSync('return 2^53 // 1 - 1'), 2 ** 53 - 1);
  assert.throws(() => strict.execSync('return math.maxinteger'), (e) => e.code === 'conversion' && /9223372036854775807 is outside the safe integer range/.test(e.message));
  strict.close();
});

test('nested arrays and objects keep their shape', () => {
  const value = { name: 'x', list: [1, 'two', { three: [3] }], nested: { a: { b: { c: true } } } };
  assert.deepEqual(roundTrip(value), value);
  assert.equal(vm.execSync('return args.list[3].three[1] + #args.list', { args: value }), 6);
});

test('sparse arrays: JS holes become null, dense-enough Lua holes become null', () => {
  assert.deepEqual(roundTrip([1, , 3]), [1, null, 3]); // eslint-disable-line no-sparse-arrays
  assert.equal(vm.execSync('return args[2] == require("luaskills.types").null', { args: [1, , 3] }), true); // eslint-disable-line no-sparse-arrays
  assert.deepEqual(vm.execSync('return {1, nil, 3}'), [1, null, 3]);
  assert.deepEqual(vm.execSync('return {[1] = "a", [3] = "c"}'), ['a', null, 'c']);
  assert.deepEqual(vm.execSync('return {[1] = 1, [1000] = 2}'), { 1: 1, 1000: 2 });
  assert.deepEqual(vm.execSync('return {[-1] = "neg", [0] = "zero"}'), { '-1': 'neg', 0: 'zero' });
});

test('mixed tables become objects with string keys', () => {
  assert.deepEqual(vm.execSync('return {1, 2, x = 3}'), { 1: 1, 2: 2, x: 3 });
  assert.deepEqual(vm.execSync('return {[1.5] = "f"}'), { 1.5: 'f' });
  assert.throws(() => vm.execSync('return {[true] = 1}'), (e) => e.code === 'conversion' && /key of type boolean/.test(e.message));
});

test('empty tables: unmarked is [], marked object is {}, marked array is []', () => {
  assert.deepEqual(vm.execSync('return {}'), []);
  assert.deepEqual(vm.execSync('local t = require("luaskills.types") return t.object()'), {});
  assert.deepEqual(vm.execSync('local t = require("luaskills.types") return t.array()'), []);
  assert.deepEqual(roundTrip({}), {});
  assert.deepEqual(roundTrip([]), []);
  assert.deepEqual(roundTrip({ a: {}, b: [] }), { a: {}, b: [] });
});

test('typed containers are visible to Lua and protected', () => {
  assert.deepEqual(
    vm.execSync('local t = require("luaskills.types") return t.kind(args.o), t.kind(args.a), t.kind(args.n), t.kind({}), getmetatable(args.o)', {
      args: { o: {}, a: [], n: null },
      allResults: true,
    }),
    ['object', 'array', 'null', undefined, 'luaskills.object'],
  );
  assert.throws(() => vm.execSync('setmetatable(args, {})', { args: {} }), /cannot change a protected metatable/);
  assert.throws(() => vm.execSync('local t = require("luaskills.types") return t.object(setmetatable({}, {}))'), /already has a metatable/);
  assert.equal(vm.execSync('local t = require("luaskills.types") local a = t.array({1, 2}) a[#a + 1] = 3 return #a'), 3);
  assert.throws(() => vm.execSync('local t = require("luaskills.types") return t.array({1, x = 2})'), (e) => e.code === 'conversion' && /array-marked/.test(e.message));
  assert.throws(() => vm.execSync('local t = require("luaskills.types") return t.object({[1] = 2})'), (e) => e.code === 'conversion' && /object-marked Lua table has a non-string key/.test(e.message));
});

test('null inside objects and arrays survives; top-level null is nil', () => {
  assert.deepEqual(roundTrip({ a: null, b: [null, 1] }), { a: null, b: [null, 1] });
  assert.equal(vm.execSync('return args == nil', { args: null }), true);
  assert.equal(vm.execSync('return args.a == nil', { args: { a: undefined } }), true);
  assert.deepEqual(roundTrip({ a: undefined, b: 1 }), { b: 1 });
});

test('strings with NUL bytes, invalid UTF-8 and 10 MB strings', () => {
  assert.equal(roundTrip('a\0b\0'), 'a\0b\0');
  assert.equal(vm.execSync('return #args', { args: 'a\0b' }), 3);
  assert.equal(roundTrip('héllo ✓ 😀'), 'héllo ✓ 😀');
  assert.equal(vm.execSync('return #args', { args: '😀' }), 4);
  const bytes = vm.execSync('return "\\xff\\xfeabc"');
  assert.ok(Buffer.isBuffer(bytes));
  assert.deepEqual([...bytes], [0xff, 0xfe, 0x61, 0x62, 0x63]);
  assert.equal(vm.execSync('return args == "\\xff\\x00"', { args: Buffer.from([0xff, 0]) }), true);
  assert.equal(vm.execSync('return #args', { args: new Uint8Array([1, 2, 3]) }), 3);
  const strict = new LuaVm({ invalidUtf8: 'error' });
  assert.throws(() => strict.execSync('return "\\xc3\\x28"'), (e) => e.code === 'conversion' && /not valid UTF-8/.test(e.message));
  assert.throws(() => strict.execSync('return "\\xed\\xa0\\x80"'), (e) => e.code === 'conversion'); // a surrogate
  assert.throws(() => strict.execSync('return "\\xc0\\xaf"'), (e) => e.code === 'conversion'); // overlong
  strict.close();
  const big = 'x'.repeat(10 * 1024 * 1024 - 3) + 'end';
  assert.equal(roundTrip(big), big);
  assert.equal(vm.execSync('return #string.rep("ab", 5 * 1024 * 1024)'), 10 * 1024 * 1024);
  assert.equal(vm.execSync('return string.rep("é", 5 * 1024 * 1024)').length, 5 * 1024 * 1024);
});

test('cycles are errors, shared sub-tables are not', () => {
  assert.throws(() => vm.execSync('local t = {} t.self = t return t'), (e) => e.code === 'conversion' && e.message === 'conversion: a Lua table contains itself (a cycle) (at .self)');
  const cyc = { a: [1] };
  cyc.a.push(cyc);
  assert.throws(() => roundTrip(cyc), (e) => e.code === 'conversion' && /contains itself \(a cycle\) \(at \.a\[1\]\)/.test(e.message));
  assert.deepEqual(vm.execSync('local s = {1} return {a = s, b = s}'), { a: [1], b: [1] });
  const shared = { v: 1 };
  assert.deepEqual(roundTrip([shared, shared]), [{ v: 1 }, { v: 1 }]);
});

test('nesting depth 10 000 is an error, never a crash', () => {
  let deep = {};
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  assert.throws(() => roundTrip(deep), (e) => e.code === 'conversion' && /nests deeper than 256 levels/.test(e.message));
  let deepArr = [];
  for (let i = 0; i < 10_000; i++) deepArr = [deepArr];
  assert.throws(() => roundTrip(deepArr), (e) => e.code === 'conversion');
  assert.throws(() => vm.execSync('local t = {} for i = 1, 10000 do t = {t} end return t'), (e) => e.code === 'conversion' && /nests deeper than 256 levels/.test(e.message));
  let ok = {};
  for (let i = 0; i < 200; i++) ok = { a: ok };
  assert.deepEqual(roundTrip(ok), ok);
});

test('functions, userdata and threads are conversion errors naming the path', () => {
  assert.throws(() => vm.execSync('return print'), (e) => e.code === 'conversion' && e.message === 'conversion: cannot convert a Lua function to JS');
  assert.throws(() => vm.execSync('return {a = {b = io.stdout}}'), (e) => e.code === 'conversion' && e.message === 'conversion: cannot convert a Lua userdata to JS (at .a.b)');
  assert.throws(() => vm.execSync('return coroutine.create(print)'), (e) => e.code === 'conversion' && /thread/.test(e.message));
  assert.throws(() => vm.execSync('return 1, print', { allResults: true }), (e) => e.code === 'conversion' && /result 2/.test(e.message));
  assert.throws(() => roundTrip({ f: () => 1 }), (e) => e.code === 'conversion' && /cannot convert a JS function to Lua .* \(at \.f\)/.test(e.message));
  assert.throws(() => roundTrip(Symbol('s')), (e) => e.code === 'conversion' && /symbol/.test(e.message));
  assert.throws(() => roundTrip(new Float64Array(2)), (e) => e.code === 'conversion' && /byte arrays/.test(e.message));
  // The VM is intact after every failed conversion.
  assert.equal(vm.execSync('return 1'), 1);
});

test('a throwing getter is a conversion error', () => {
  const evil = {
    get x() {
      throw new Error('nope');
    },
  };
  assert.throws(() => roundTrip(evil), (e) => e.code === 'conversion' && /threw/.test(e.message));
  assert.equal(vm.execSync('return 2'), 2);
});
