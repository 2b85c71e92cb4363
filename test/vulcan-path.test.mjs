// vulcan.path (native): Rust std::path semantics on POSIX, and argument validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const p = (expr) => vm.execSync(`local path = require("luaskills.path") return ${expr}`);

test('join: PathBuf::push semantics', () => {
  assert.equal(p('path.join("a", "b", "c.txt")'), 'a/b/c.txt');
  assert.equal(p('path.join("/srv/", "x")'), '/srv/x');
  assert.equal(p('path.join("a", "/abs", "b")'), '/abs/b'); // an absolute segment replaces the prefix
  assert.equal(p('path.join("only")'), 'only');
});

test('dirname, basename, stem, extname', () => {
  const cases = [
    ['a/b/c.txt', 'a/b', 'c.txt', 'c', '.txt'],
    ['c.tar.gz', '.', 'c.tar.gz', 'c.tar', '.gz'],
    ['/', '/', '', '', ''],
    ['/a', '/', 'a', 'a', ''],
    ['a/b/', 'a', 'b', 'b', ''],
    ['.bashrc', '.', '.bashrc', '.bashrc', ''],
    ['x/foo.', 'x', 'foo.', 'foo', '.'],
    ['a/..', 'a', '', '', ''],
  ];
  for (const [input, dir, base, stem, ext] of cases) {
    assert.deepEqual(
      vm.execSync('local path = require("luaskills.path") return { path.dirname(args), path.basename(args), path.stem(args), path.extname(args) }', { args: input }),
      [dir, base, stem, ext],
      input,
    );
  }
});

test('normalize folds . and .. lexically; is_abs', () => {
  assert.equal(p('path.normalize("a/./b/../c")'), 'a/c');
  assert.equal(p('path.normalize("../a/../../b")'), '../../b');
  assert.equal(p('path.normalize("/a/../../b")'), '/b');
  assert.equal(p('path.normalize("./")'), '.');
  assert.equal(p('path.normalize("a/..")'), '.');
  assert.deepEqual(vm.execSync('local path = require("luaskills.path") return { path.is_abs("/x"), path.is_abs("x") }'), [true, false]);
});

test('arguments must be real, non-blank strings without NUL', () => {
  assert.throws(() => p('path.join()'), /path\.join: expected at least one path segment/);
  assert.throws(() => p('path.join("a", 2)'), /path\.join: argument 2 must be a string, got number/);
  assert.throws(() => p('path.join("a", "  ")'), /path\.join: argument 2 must not be blank/);
  assert.throws(() => p('path.join("a", tostring({}))'), /path\.join: argument 2 is a Lua value turned into text \(table: 0x/);
  assert.throws(() => p('path.dirname("a\\0b")'), /path\.dirname: argument 1 must not contain NUL bytes/);
  assert.throws(() => p('path.is_abs(nil)'), /path\.is_abs: argument 1 must be a string, got nil/);
  assert.equal(p('vulcan'), undefined); // plain LuaVm: no vulcan global
});
