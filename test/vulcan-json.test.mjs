// vulcan.json (native): upstream's byte-exact output format, typed containers, decode typing and
// errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const lua = (code, args) => vm.execSync(`local json = require("luaskills.json") ${code}`, args === undefined ? undefined : { args });
const enc = (expr) => lua(`return json.encode(${expr})`);

test('encode: compact, sorted keys, raw non-ASCII, no escaped slash', () => {
  assert.equal(enc('{ b = 1, a = { 1, 2, 3 }, c = "x/y é", ["Z"] = true }'), '{"Z":true,"a":[1,2,3],"b":1,"c":"x/y é"}');
  assert.equal(enc('"quote\\" back\\\\ nl\\n tab\\t ctl\\1 del\\127"'), '"quote\\" back\\\\ nl\\n tab\\t ctl\\u0001 del\x7f"');
  assert.equal(enc('{ ["b"] = 1, ["a\\0"] = 2, ["a"] = 3 }'), '{"a":3,"a\\u0000":2,"b":1}');
});

test('encode: numbers', () => {
  assert.equal(enc('{ 3, 3.0, -0.0, 0.1, 2.5e-7, 1e300, 2^63, math.maxinteger, 0/0, math.huge, -math.huge }'),
    '[3,3,0,0.1,2.5e-7,1e300,9.223372036854776e18,9223372036854775807,null,null,null]');
});

test('encode: tables, typed containers, null', () => {
  assert.equal(enc('{}'), '[]');
  assert.equal(enc('json.object()'), '{}');
  assert.equal(enc('json.array()'), '[]');
  assert.equal(enc('{ a = json.null, b = { json.null, 1 } }'), '{"a":null,"b":[null,1]}');
  assert.equal(enc('{ 1, 2, x = 3 }'), '[1,2]'); // a sequence wins; other keys are ignored (upstream)
  assert.equal(enc('{ [10] = "a", x = "b" }'), '{"10":"a","x":"b"}');
  assert.equal(enc('{ [1.5] = "f" }'), '{"1.5":"f"}');
  assert.equal(enc('nil'), 'null');
  assert.equal(lua('return json.null == require("luaskills.types").null'), true);
});

test('encode errors', () => {
  assert.throws(() => enc('print'), /json\.encode: Cannot convert a Lua function to JSON/);
  assert.throws(() => enc('{ f = io.stdout }'), /Cannot convert a Lua userdata to JSON/);
  assert.throws(() => enc('{ [true] = 1 }'), /json\.encode: a table has a key of type boolean/);
  assert.throws(() => enc('json.object({ [1] = 2 })'), /an object-marked table has a key of type number/);
  assert.throws(() => enc('json.array({ 1, x = 2 })'), /array-marked table has a key that is not an index/);
  assert.throws(() => lua('local t = {} t.self = t return json.encode(t)'), /nesting deeper than 256 levels/);
});

test('decode: typed values, integers stay integers, null is the sentinel', () => {
  assert.deepEqual(lua('local t = json.decode(args) return { math.type(t.i), math.type(t.f), math.type(t.big), t.s, t.n == json.null, #t.a }', '{"i":2,"f":2.0,"big":123456789012345678901,"s":"é😀\\u00e9\\ud83d\\ude00","n":null,"a":[1,null,3]}'),
    ['integer', 'float', 'float', 'é😀é😀', true, 3]);
  assert.equal(lua('return json.encode(json.decode(args))', '{"z":[],"a":{},"m":{"k":[{}]}}'), '{"a":{},"m":{"k":[{}]},"z":[]}');
  assert.deepEqual(lua('return json.decode(args)', '{"x":[1,{"y":null}]}'), { x: [1, { y: null }] });
  assert.equal(lua('return getmetatable(json.decode("{}"))'), 'luaskills.object');
});

test('decode errors raise Lua errors with a position', () => {
  assert.throws(() => lua('return json.decode("{bad")'), /json\.decode: key must be a string at line 1 column 1/);
  assert.throws(() => lua('return json.decode("[1,2] x")'), /trailing characters at line 1 column 6/);
  assert.throws(() => lua('return json.decode("")'), /EOF while parsing a value at line 1 column 0/);
  assert.throws(() => lua('return json.decode("[01]")'), /invalid number/);
  assert.throws(() => lua('return json.decode("\\"\\\\ud800\\"")'), /lone leading surrogate/);
  assert.throws(() => lua('return json.decode(string.rep("[", 300) .. string.rep("]", 300))'), /recursion limit exceeded/);
  assert.deepEqual(lua('return { pcall(json.decode, "nope") }'), [false, 'json.decode: expected value at line 1 column 0']);
});

test('a 10 MB string round trips', () => {
  assert.equal(lua('local s = string.rep("ab\\n", 3500000) return #json.decode(json.encode(s)) == #s'), true);
});

test('skills and leases see it as vulcan.json', () => {
  const v = new LuaVm();
  assert.equal(v.execSync('return type(require("luaskills.json").encode)'), 'function');
  v.close();
});
