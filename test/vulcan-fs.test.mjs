// vulcan.fs (native): upstream's results and argument validation on real files in a temp dir.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-fs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const vm = new LuaVm();
after(() => vm.close());
const run = (code, args) => vm.execSync(`local fs = require("luaskills.fs") ${code}`, { args: { dir, ...args } });
const fails = (code, message, args) => assert.throws(() => run(code, args), (err) => {
  assert.equal(err.code, 'lua_runtime');
  assert.match(err.message, message instanceof RegExp ? message : new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return true;
});
const p = (...parts) => path.join(dir, ...parts);

test('write / read / read_bytes / write_bytes round trip', () => {
  assert.equal(run('return select("#", fs.write(args.dir .. "/a.txt", "héllo\\n"))'), 0); // write returns nothing
  assert.equal(fs.readFileSync(p('a.txt'), 'utf8'), 'héllo\n');
  assert.equal(run('return fs.read(args.dir .. "/a.txt")'), 'héllo\n');
  assert.equal(run('return fs.read_bytes(args.dir .. "/a.txt")'), Buffer.from('héllo\n').toString('base64'));
  const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
  assert.equal(run('return fs.write_bytes(args.dir .. "/b.bin", args.b64)', { b64: bytes.toString('base64') }), true);
  assert.deepEqual(fs.readFileSync(p('b.bin')), bytes);
  assert.equal(run('return fs.read_bytes(args.dir .. "/b.bin")'), bytes.toString('base64'));
  run('fs.write(args.dir .. "/empty.txt", "")');
  assert.equal(fs.readFileSync(p('empty.txt'), 'utf8'), '');
  // Overwrite, never append.
  run('fs.write(args.dir .. "/a.txt", "x")');
  assert.equal(run('return fs.read(args.dir .. "/a.txt")'), 'x');
});

test('read errors: missing file, invalid UTF-8, directory', () => {
  fails('return fs.read(args.dir .. "/missing.txt")', `fs.read: ${p('missing.txt')}: No such file or directory (os error 2)`);
  fs.writeFileSync(p('latin.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  fails('return fs.read(args.dir .. "/latin.txt")', 'fs.read: stream did not contain valid UTF-8');
  assert.equal(run('return fs.read_bytes(args.dir .. "/latin.txt")'), Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64'));
  fails('return fs.read(args.dir)', 'Is a directory (os error 21)');
  fails('fs.write(args.dir .. "/no/such/dir/x.txt", "x")', 'fs.write: ');
  fails('return fs.write_bytes(args.dir .. "/c.bin", "!!")', 'fs.write_bytes: base64 decode failed: Invalid symbol 33, offset 0.');
  fails('return fs.write_bytes(args.dir .. "/c.bin", "abc")', 'fs.write_bytes: base64 decode failed: Invalid padding');
  assert.equal(fs.existsSync(p('c.bin')), false); // a refused write creates nothing
});

test('argument validation: types, NUL bytes, blank, coerced object strings', () => {
  fails('return fs.read(42)', 'fs.read: path must be a string, got integer');
  fails('return fs.read(1.5)', 'fs.read: path must be a string, got number');
  fails('return fs.read(nil)', 'fs.read: path must be a string, got nil');
  fails('return fs.read({})', 'fs.read: path must be a string, got table');
  fails('return fs.read("a\\0b")', 'fs.read: path must not contain NUL bytes');
  fails('return fs.read("   ")', 'fs.read: path must not be empty');
  fails('return fs.exists(tostring({}))', /fs\.exists: path looks like a coerced Lua object string `table: 0x[0-9a-f]+`/);
  fails('return fs.list(tostring(print))', /fs\.list: path looks like a coerced Lua object string `(function|builtin): /);
  fails('return fs.read("\\255\\254")', 'fs.read: path must be a valid UTF-8 string');
  fails('fs.write(args.dir .. "/x", 5)', 'fs.write: content must be a string, got integer');
  fails('return fs.rename(args.dir .. "/x", nil)', 'fs.rename: to must be a string, got nil');
  fails('return fs.copy(args.dir .. "/a.txt", args.dir .. "/z", "yes")', 'fs.copy: options must be a table, got string');
  fails('return fs.copy(args.dir .. "/a.txt", args.dir .. "/z", { overwrite = 1 })', 'fs.copy: options.overwrite must be a boolean when provided: integer');
  fails('return fs.remove(args.dir .. "/z", { recursive = "yes" })', 'fs.remove: options.recursive must be a boolean when provided: string');
  fails('return fs.mkdir(args.dir .. "/z", { recursive = {} })', 'fs.mkdir: options.recursive must be a boolean when provided: table');
});

test('list: child names only; errors for a missing directory', () => {
  fs.mkdirSync(p('listing'));
  for (const name of ['one.txt', 'two', 'drei.md']) fs.writeFileSync(p('listing', name), '');
  fs.mkdirSync(p('listing', 'sub'));
  assert.deepEqual(run('return fs.list(args.dir .. "/listing")').sort(), ['drei.md', 'one.txt', 'sub', 'two']);
  assert.deepEqual(run('local t = fs.list(args.dir .. "/listing/sub") return #t'), 0);
  fails('return fs.list(args.dir .. "/nope")', `fs.list: ${p('nope')}: No such file or directory (os error 2)`);
  fails('return fs.list(args.dir .. "/a.txt")', 'Not a directory (os error 20)');
});

test('stat (lstat), exists and is_dir (follow links)', () => {
  fs.writeFileSync(p('s.txt'), '12345');
  fs.mkdirSync(p('sdir'));
  fs.symlinkSync(p('s.txt'), p('s.link'));
  fs.symlinkSync(p('gone'), p('dangling.link'));
  const file = run('return fs.stat(args.dir .. "/s.txt")');
  const mtime = Math.floor(fs.statSync(p('s.txt')).mtimeMs);
  assert.deepEqual(file, { kind: 'file', is_file: true, is_dir: false, is_symlink: false, readonly: false, size: 5, modified_unix_ms: mtime });
  const d = run('return fs.stat(args.dir .. "/sdir")');
  assert.equal(d.kind, 'dir');
  assert.equal(d.size, undefined); // size only for files
  assert.equal(run('return fs.stat(args.dir .. "/s.link").kind'), 'symlink');
  assert.equal(run('return fs.stat(args.dir .. "/missing")'), undefined);
  fs.chmodSync(p('s.txt'), 0o444);
  assert.equal(run('return fs.stat(args.dir .. "/s.txt").readonly'), true);
  fs.chmodSync(p('s.txt'), 0o644);
  assert.deepEqual(
    run('return { fs.exists(args.dir .. "/s.txt"), fs.exists(args.dir .. "/s.link"), fs.exists(args.dir .. "/dangling.link"), fs.exists(args.dir .. "/missing") }'),
    [true, true, false, false],
  );
  assert.deepEqual(run('return { fs.is_dir(args.dir .. "/sdir"), fs.is_dir(args.dir .. "/s.txt"), fs.is_dir(args.dir .. "/missing") }'), [true, false, false]);
});

test('rename', () => {
  fs.writeFileSync(p('r1.txt'), 'r');
  assert.equal(run('return fs.rename(args.dir .. "/r1.txt", args.dir .. "/r2.txt")'), true);
  assert.equal(fs.readFileSync(p('r2.txt'), 'utf8'), 'r');
  fails('return fs.rename(args.dir .. "/r1.txt", args.dir .. "/r3.txt")', `fs.rename: ${p('r1.txt')}: No such file or directory`);
});

test('copy: files, no overwrite by default, overwrite replaces, trees, refusals', () => {
  fs.writeFileSync(p('c-src.txt'), 'new');
  fs.writeFileSync(p('c-dst.txt'), 'old');
  fs.chmodSync(p('c-src.txt'), 0o750);
  assert.equal(run('return fs.copy(args.dir .. "/c-src.txt", args.dir .. "/c-dst.txt")'), false);
  assert.equal(fs.readFileSync(p('c-dst.txt'), 'utf8'), 'old');
  assert.equal(run('return fs.copy(args.dir .. "/c-src.txt", args.dir .. "/c-dst.txt", { overwrite = true })'), true);
  assert.equal(fs.readFileSync(p('c-dst.txt'), 'utf8'), 'new');
  assert.equal(run('return fs.copy(args.dir .. "/c-src.txt", args.dir .. "/c-new.txt")'), true);
  assert.equal(fs.statSync(p('c-new.txt')).mode & 0o777, 0o750); // permissions travel, as Rust's fs::copy
  // A dangling link at the destination counts as existing.
  fs.symlinkSync(p('nowhere'), p('c-link'));
  assert.equal(run('return fs.copy(args.dir .. "/c-src.txt", args.dir .. "/c-link")'), false);
  // Trees: copied recursively; overwrite replaces (no merge).
  fs.mkdirSync(p('tree', 'a', 'b'), { recursive: true });
  fs.writeFileSync(p('tree', 'a', 'b', 'leaf.txt'), 'leaf');
  fs.writeFileSync(p('tree', 'top.txt'), 'top');
  fs.mkdirSync(p('tree-copy'));
  fs.writeFileSync(p('tree-copy', 'stale.txt'), 'stale');
  assert.equal(run('return fs.copy(args.dir .. "/tree", args.dir .. "/tree-copy", { overwrite = true })'), true);
  assert.deepEqual(fs.readdirSync(p('tree-copy')).sort(), ['a', 'top.txt']);
  assert.equal(fs.readFileSync(p('tree-copy', 'a', 'b', 'leaf.txt'), 'utf8'), 'leaf');
  fails('return fs.copy(args.dir .. "/tree", args.dir .. "/tree/a/inner")', `fs.copy: destination directory must not be inside source directory: ${fs.realpathSync(p('tree'))}/a/inner`);
  fails('return fs.copy(args.dir .. "/tree", args.dir .. "/tree", { overwrite = true })', `fs.copy: source and destination must differ: ${fs.realpathSync(p('tree'))}`);
  fs.symlinkSync(p('tree', 'top.txt'), p('tree', 'link.txt'));
  fails('return fs.copy(args.dir .. "/tree", args.dir .. "/tree-2")', 'fs.copy: symbolic-link entries are not supported inside directory trees: ');
  fails('return fs.copy(args.dir .. "/nothing", args.dir .. "/x")', `fs.copy: ${p('nothing')}: No such file or directory`);
});

test('remove and mkdir', () => {
  assert.equal(run('return fs.mkdir(args.dir .. "/m")'), true);
  assert.equal(run('return fs.mkdir(args.dir .. "/m")'), false); // already a directory
  fails('return fs.mkdir(args.dir .. "/m2/deeper")', `fs.mkdir: ${p('m2/deeper')}: No such file or directory`);
  assert.equal(run('return fs.mkdir(args.dir .. "/m2/deeper/still", { recursive = true })'), true);
  assert.equal(fs.statSync(p('m2', 'deeper', 'still')).isDirectory(), true);
  fs.writeFileSync(p('m-file'), '');
  fails('return fs.mkdir(args.dir .. "/m-file")', `fs.mkdir: path exists and is not a directory: ${p('m-file')}`);
  assert.equal(run('return fs.remove(args.dir .. "/missing")'), false);
  assert.equal(run('return fs.remove(args.dir .. "/m-file")'), true);
  fails('return fs.remove(args.dir .. "/m2")', 'Directory not empty (os error 39)');
  assert.equal(run('return fs.remove(args.dir .. "/m2", { recursive = true })'), true);
  assert.equal(fs.existsSync(p('m2')), false);
  // A link is removed, not what it points to.
  fs.mkdirSync(p('keep'));
  fs.writeFileSync(p('keep', 'k.txt'), 'k');
  fs.symlinkSync(p('keep'), p('keep.link'));
  assert.equal(run('return fs.remove(args.dir .. "/keep.link", { recursive = true })'), true);
  assert.equal(fs.readFileSync(p('keep', 'k.txt'), 'utf8'), 'k');
});

test('relative paths resolve against the logical cwd (a lease cwd), never the process cwd', () => {
  const local = new LuaVm();
  try {
    fs.mkdirSync(p('cwd-root'));
    local.execSync('require("luaskills.cwd").set(args)', { args: p('cwd-root') });
    local.execSync('local fs = require("luaskills.fs") fs.write("rel.txt", "here") fs.mkdir("sub") fs.write("sub/x.txt", "x")');
    assert.equal(fs.readFileSync(p('cwd-root', 'rel.txt'), 'utf8'), 'here');
    assert.equal(fs.readFileSync(p('cwd-root', 'sub', 'x.txt'), 'utf8'), 'x');
    assert.equal(local.execSync('return require("luaskills.fs").exists("rel.txt")'), true);
    assert.equal(fs.existsSync(path.join(process.cwd(), 'rel.txt')), false);
  } finally {
    local.close();
  }
});

test('a recursive remove honours the VM timeout', async () => {
  const local = new LuaVm();
  try {
    // Many entries: the walk checks for a stop between entries.
    const big = p('big');
    fs.mkdirSync(big);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(big, `f${i}`), '');
    await assert.rejects(
      local.exec('local fs = require("luaskills.fs") while true do fs.copy(args.src, args.dst, { overwrite = true }) end', {
        args: { src: big, dst: p('big-copy') },
        timeoutMs: 200,
      }),
      (err) => err.code === 'timeout',
    );
    assert.equal(local.execSync('return 1 + 1'), 2); // the VM stays usable
  } finally {
    local.close();
  }
});
