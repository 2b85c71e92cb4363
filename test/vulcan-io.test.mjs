// vulcan.io (native managed IO) and the managed `io` compatibility layer: upstream's modes,
// read formats, edge cases and messages, encodings on load/save, popen, tmpfile, the logical
// cwd, and the compat table in lease VMs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { engineOptionsFromJson, LuaSkillsEngine, LuaVm } from '../dist/index.js';

const vm = new LuaVm();
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-io-')));
after(() => {
  vm.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const fresh = (name = 'f') => path.join(dir, `${name}-${++counter}.txt`);
const run = (code, args) => vm.execSync(`local vio = require("luaskills.io") ${code}`, { args });
const fails = (code, message, args) =>
  assert.throws(
    () => run(code, args),
    (err) => {
      if (message instanceof RegExp) assert.match(err.message, message);
      else assert.equal(err.message, message);
      return true;
    },
  );

test('open "r": whole file read at open; missing file is an open error', () => {
  const p = fresh();
  writeFileSync(p, 'one\r\ntwo\nthree');
  assert.deepEqual(run('local f = vio.open(args) local r = { f:read(), f:read("l"), f:read("*l"), f:read() } f:close() return r', p), [
    'one',
    'two',
    'three',
  ]);
  fails('vio.open(args)', 'vulcan.io.open: No such file or directory (os error 2)', path.join(dir, 'missing'));
  fails('vio.open(args, "r")', 'vulcan.io.open: Is a directory (os error 21)', dir);
});

test('open "w": nothing touches the disk before flush/close; truncates; "w" cannot read', () => {
  const p = fresh();
  writeFileSync(p, 'old content');
  run('_G.f = vio.open(args, "w") f:write("new")', p);
  assert.equal(readFileSync(p, 'utf8'), 'old content');
  assert.equal(run('return f:flush()'), true);
  assert.equal(readFileSync(p, 'utf8'), 'new');
  fails('f:read()', 'file:read: file is not opened for reading');
  assert.equal(run('f:write("er") return f:close()'), true);
  assert.equal(readFileSync(p, 'utf8'), 'newer');
  // A missing directory is only noticed when the buffer is written.
  const bad = path.join(dir, 'no-such-dir', 'x.txt');
  assert.equal(run('_G.g = vio.open(args, "w") return g:write("x")', bad), true);
  fails('g:close()', 'file:flush: No such file or directory (os error 2)', bad);
  assert.equal(run('return tostring(g):match("^file %(") ~= nil'), true); // still open after the failed flush
  fails('g:flush()', 'file:flush: No such file or directory (os error 2)');
});

test('open "a": appends what was written since the last flush; creates the file', () => {
  const p = fresh();
  writeFileSync(p, 'start;');
  assert.equal(run('local f = vio.open(args, "a") f:write("a;") f:flush() f:write("b;") return f:close()', p), true);
  assert.equal(readFileSync(p, 'utf8'), 'start;a;b;');
  const q = fresh();
  run('local f = vio.open(args, "ab") f:write("x") f:close()', q);
  assert.equal(readFileSync(q, 'utf8'), 'x');
  fails('local f = vio.open(args, "a") return f:read("a")', 'file:read: file is not opened for reading', q);
});

test('update modes: r+ writes at the cursor, w+ starts empty, a+ reads from the start and writes at the end', () => {
  const p = fresh();
  writeFileSync(p, 'abcdef');
  assert.deepEqual(run('local f = vio.open(args, "r+") local a = f:read(2) f:write("XY") local b = f:read("a") f:close() return {a, b}', p), ['ab', 'ef']);
  assert.equal(readFileSync(p, 'utf8'), 'abXYef');
  // Writing past the end extends the buffer.
  run('local f = vio.open(args, "r+") f:seek("end") f:write("!!") f:close()', p);
  assert.equal(readFileSync(p, 'utf8'), 'abXYef!!');
  fails('vio.open(args, "r+")', 'vulcan.io.open: No such file or directory (os error 2)', path.join(dir, 'nope'));

  const w = fresh();
  writeFileSync(w, 'old');
  assert.deepEqual(run('local f = vio.open(args, "w+") f:write("hello") local pos = f:seek("set", 1) local s = f:read(3) f:close() return {pos, s}', w), [1, 'ell']);
  assert.equal(readFileSync(w, 'utf8'), 'hello');

  const a = fresh();
  writeFileSync(a, 'head\n');
  assert.deepEqual(run('local f = vio.open(args, "a+") f:seek("set", 0) f:write("tail") local pos = f:seek() f:seek("set") local all = f:read("a") f:close() return {pos, all}', a), [9, 'head\ntail']);
  assert.equal(readFileSync(a, 'utf8'), 'head\ntail');
  const missing = fresh();
  assert.equal(run('local f = vio.open(args, "a+") f:write("new") return f:close()', missing), true);
  assert.equal(readFileSync(missing, 'utf8'), 'new');
  const plus = fresh();
  writeFileSync(plus, 'xyz');
  assert.equal(run('local f = vio.open(args, "+") local s = f:read("a") f:close() return s', plus), 'xyz'); // "+" alone: read/update
});

test('mode and argument errors', () => {
  const p = fresh();
  writeFileSync(p, '');
  fails('vio.open(args, "x")', 'vulcan.io.open: unsupported mode `x`', p);
  fails('vio.open(args, "rw")', 'vulcan.io.open: unsupported mode `rw`', p);
  fails('vio.open(args, "")', 'vulcan.io.open: mode must not be empty', p);
  fails('vio.open(args, 5)', 'vulcan.io.open: mode must be a string, got number', p);
  fails('vio.open(nil)', 'vulcan.io.open: path must be a string, got nil');
  fails('vio.open(12)', 'vulcan.io.open: path must be a string, got number');
  fails('vio.open("   ")', 'vulcan.io.open: path must not be empty');
  fails('vio.open("a\\0b")', 'vulcan.io.open: path must not contain NUL bytes');
  fails('vio.open("\\255")', 'vulcan.io.open: path must be valid UTF-8');
  fails('vio.open(tostring({}))', /^vulcan\.io\.open: path looks like a coerced Lua object string `table: 0x[0-9a-f]+`$/);
  fails('vio.open(args, "r", 7)', 'vulcan.io.open: options must be nil, string, or table, got number', p);
  fails('vio.open(args, "r", "klingon")', 'vulcan.io.open: unsupported text encoding `klingon`', p);
  fails('vio.open(args, "r", { encoding = true })', 'vulcan.io.open: options must be nil, string, or table, got boolean', p);
  fails('vio.open(args).read(nil)', /^exec:1: bad argument #1 to 'read' \(luaskills\.io\.file expected, got nil\)$/, p);
});

test('read formats: lines, all, counts, read(0), nil at EOF, several values', () => {
  const p = fresh();
  writeFileSync(p, 'alpha\nbeta\n\ngamma');
  assert.deepEqual(
    run(`local f = vio.open(args)
      local r = table.pack(f:read("l", "l", "l"))
      local n3 = f:read(3)
      local rest = f:read("*a")
      local eof = table.pack(f:read("a"), f:read(0), f:read(1), f:read("l"), f:read())
      f:close()
      return { r[1], r[2], r[3], r.n, n3, rest, eof[1], eof[2], eof[3] == nil, eof[4] == nil, eof[5] == nil, eof.n }`, p),
    ['alpha', 'beta', '', 3, 'gam', 'ma', '', '', true, true, true, 5],
  );
  // A count larger than what is left returns the rest; a float count with a whole value works.
  assert.deepEqual(run('local f = vio.open(args) local a, b = f:read(2.0, 1000) f:close() return {a, b}', p), ['al', 'pha\nbeta\n\ngamma']);
  // An empty file: "a" is "", a line is nil.
  const e = fresh();
  writeFileSync(e, '');
  assert.deepEqual(run('local f = vio.open(args) local a, l = f:read("a", "l") return {a, l == nil}', e), ['', true]);
  // A final "\r\n" and a lone "\r" before "\n" are dropped from lines only.
  const crlf = fresh();
  writeFileSync(crlf, 'x\r\n');
  assert.deepEqual(run('local f = vio.open(args) local l = f:read() local n = f:read() return {l, n == nil}', crlf), ['x', true]);
});

test('read format errors', () => {
  const p = fresh();
  writeFileSync(p, 'abc');
  fails('vio.open(args):read("L")', 'file:read unsupported format `L`', p);
  fails('vio.open(args):read("n")', 'file:read unsupported format `n`', p);
  fails('vio.open(args):read(-1)', 'file:read unsupported format argument number', p);
  fails('vio.open(args):read(1.5)', 'file:read unsupported format argument number', p);
  fails('vio.open(args):read({})', 'file:read unsupported format argument table', p);
  fails('vio.open(args):read(true)', 'file:read unsupported format argument boolean', p);
  fails('vio.open(args):read("\\255")', 'file:read format must be valid UTF-8', p);
  fails('local f = vio.open(args) f:close() f:read()', 'file:read: file is already closed', p);
  // Formats before the bad one were consumed.
  assert.equal(run('local f = vio.open(args) pcall(f.read, f, 1, "bad") return f:read("a")', p), 'bc');
});

test('write: scalars as upstream prints them, true as result, text mode needs UTF-8', () => {
  const p = fresh();
  assert.equal(run('local f = vio.open(args, "w") local r = f:write("s|", 42, "|", 1.5, "|", 3.0, "|", -0.0, "|", 0.1, "|", 1e20, "|", 1e-7, "|", 2^63, "|", 1/0, "|", -1/0, "|", 0/0, "|", true, "|", false) f:close() return r', p), true);
  assert.equal(readFileSync(p, 'utf8'), 's|42|1.5|3|0|0.1|100000000000000000000|0.0000001|9223372036854776000|inf|-inf|NaN|true|false');
  fails('vio.open(args, "w"):write("ok", nil)', 'file:write unsupported value nil', fresh());
  fails('vio.open(args, "w"):write({})', 'file:write unsupported value table', fresh());
  fails('vio.open(args, "w"):write("\\255")', 'file:write string must be valid UTF-8 in text mode', fresh());
  const r = fresh();
  writeFileSync(r, 'x');
  fails('vio.open(args):write("y")', 'file:write: file is not opened for writing', r);
  fails('local f = vio.open(args) f:close() f:write("y")', 'file:write: file is already closed', r);
  // Binary mode keeps any bytes.
  const b = fresh();
  run('local f = vio.open(args, "wb") f:write("\\0\\255\\254", 7) f:close()', b);
  assert.deepEqual([...readFileSync(b)], [0, 255, 254, 55]);
  assert.equal(run('local f = vio.open(args, "rb") local s = f:read("a") f:close() return s == "\\0\\255\\2547"', b), true);
  // Text mode decodes lossily.
  assert.equal(run('local f = vio.open(args, "r") local s = f:read(2) f:close() return s', b), '\u0000\ufffd');
});

test('seek: cur by default, set/end, clamps past the end, refuses before the start', () => {
  const p = fresh();
  writeFileSync(p, '0123456789');
  assert.deepEqual(
    run(`local f = vio.open(args)
      f:read(3)
      local r = { f:seek(), f:seek("cur", 2), f:read(1), f:seek("set"), f:seek("end"), f:seek("end", -4), f:read("a"), f:seek("set", 100), f:read(1) == nil, f:seek("cur", -3) }
      f:close()
      return r`, p),
    [3, 5, '5', 0, 10, 6, '6789', 10, true, 7],
  );
  fails('local f = vio.open(args) f:seek("set", -1)', 'file:seek offset before start', p);
  fails('local f = vio.open(args) f:seek("cur", -1)', 'file:seek offset before start', p);
  fails('local f = vio.open(args) f:seek("bogus")', 'file:seek unsupported whence `bogus`', p);
  fails('local f = vio.open(args) f:seek("end", math.maxinteger)', 'file:seek offset overflow', p);
  fails('local f = vio.open(args) f:close() f:seek()', 'file:seek: file is already closed', p);
});

test('flush, close, setvbuf, lines, __tostring, __close, __gc', () => {
  const p = fresh();
  assert.deepEqual(run('local f = vio.open(args, "w") return { f:setvbuf("no"), f:flush(), f:close(), f:close(), tostring(f) }', p), [true, true, true, true, 'file (closed)']);
  assert.match(run('return tostring(vio.open(args))', p), /^file \(0x[0-9a-f]+\)$/);
  fails('local f = vio.open(args) f:close() f:flush()', 'file:flush: file is already closed', p);

  const l = fresh();
  writeFileSync(l, 'a\nb\r\n\nc\n');
  assert.deepEqual(run('local out = {} for line in vio.lines(args) do out[#out + 1] = line end return out', l), ['a', 'b', '', 'c']);
  assert.deepEqual(run('local f = vio.open(args) local out = {} for line in f:lines() do out[#out + 1] = line end f:close() return out', l), ['a', 'b', '', 'c']);
  assert.deepEqual(run('local it = vio.lines(args) it() it() it() it() return { it() == nil, it() == nil }', l), [true, true]);
  fails('local f = vio.open(args) local it = f:lines() f:close() it()', 'file:read: file is already closed', l);
  fails('vio.lines(args)', 'vulcan.io.open: No such file or directory (os error 2)', path.join(dir, 'none'));
  fails('vio.lines(nil)', 'vulcan.io.lines: path must be a string, got nil');

  // A to-be-closed variable closes (and writes) the file.
  const c = fresh();
  run('do local f <close> = vio.open(args, "w") f:write("closed by scope") end', c);
  assert.equal(readFileSync(c, 'utf8'), 'closed by scope');
  // Garbage collection flushes too.
  const g = fresh();
  run('do local f = vio.open(args, "w") f:write("collected") end collectgarbage() collectgarbage()', g);
  assert.equal(readFileSync(g, 'utf8'), 'collected');
});

test('read_text, write_text, append_text', () => {
  const p = fresh();
  assert.equal(run('return vio.write_text(args, "one\\n")', p), true);
  assert.equal(run('return vio.append_text(args, "two\\n")', p), true);
  assert.equal(run('return vio.read_text(args)', p), 'one\ntwo\n');
  assert.equal(run('return vio.write_text(args, "")', p), true);
  assert.equal(readFileSync(p, 'utf8'), '');
  const created = fresh();
  assert.equal(run('return vio.append_text(args, "x")', created), true);
  assert.equal(readFileSync(created, 'utf8'), 'x');
  fails('vio.write_text(args, "x")', 'vulcan.io.write_text: No such file or directory (os error 2)', path.join(dir, 'no', 'x'));
  fails('vio.append_text(args, "x")', 'vulcan.io.append_text: No such file or directory (os error 2)', path.join(dir, 'no', 'x'));
  fails('vio.read_text(args)', 'read_text: No such file or directory (os error 2)', path.join(dir, 'absent'));
  fails('vio.write_text(args, 5)', 'vulcan.io.write_text: content must be a string, got number', p);
  fails('vio.write_text(args, "\\255")', 'vulcan.io.write_text: content must be valid UTF-8', p);
  fails('vio.write_text(args, "a\\0b")', 'vulcan.io.write_text: content must not contain NUL bytes', p);
  fails('vio.append_text(nil, "x")', 'vulcan.io.append_text: path must be a string, got nil');
  fails('vio.read_text("")', 'vulcan.io.read_text: path must not be empty');
  fails('vio.read_text(args, 1)', 'vulcan.io.read_text: options must be nil, string, or table, got number', p);
  fails('vio.read_text(args, { encoding = "ebcdic" })', 'vulcan.io.read_text: unsupported text encoding `ebcdic`', p);
  // Invalid UTF-8 in a file reads back with replacement characters.
  writeFileSync(p, Buffer.from([0x61, 0xff, 0x62]));
  assert.equal(run('return vio.read_text(args)', p), 'a\ufffdb');
});

test('encodings: gbk, gb18030, latin1, base64 on save and load', () => {
  const g = fresh();
  assert.equal(run('return vio.write_text(args, "中文", "gbk")', g), true);
  assert.equal(readFileSync(g).toString('hex'), 'd6d0cec4');
  assert.equal(run('return vio.read_text(args, { encoding = "gbk" })', g), '中文');
  assert.equal(run('local f = vio.open(args, "r", "gbk") local s = f:read(2) f:close() return s', g), '中');
  fails('vio.write_text(args, "😀", "gbk")', /^vulcan\.io\.write_text: gbk encode failed/, g);
  fails('local f = vio.open(args, "w", "gbk") f:write("😀")', /^file:write: gbk encode failed/, g);

  const g18 = fresh();
  run('local f = vio.open(args, "w", { encoding = "gb18030" }) f:write("€", "😀") f:close()', g18);
  assert.equal(readFileSync(g18).toString('hex'), 'a2e39439fc36');
  assert.equal(run('return vio.read_text(args, "gb18030")', g18), '€😀');

  const l1 = fresh();
  run('vio.append_text(args, "café", "latin1")', l1);
  assert.equal(readFileSync(l1).toString('hex'), '636166e9');
  assert.deepEqual(run('local f = vio.open(args, "r", "latin1") local a, b = f:read(3, 1) f:close() return {a, b}', l1), ['caf', 'é']);

  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const b64 = fresh();
  assert.equal(run('return vio.write_text(args[1], args[2], "base64")', [b64, bytes.toString('base64')]), true);
  assert.deepEqual(readFileSync(b64), bytes);
  assert.equal(run('return vio.read_text(args, "base64")', b64), bytes.toString('base64'));
  assert.equal(run('local f = vio.open(args, "r", "base64") local s = f:read(3) f:close() return s', b64), Buffer.from([0, 1, 2]).toString('base64'));
  fails('vio.write_text(args, "!!", "base64")', /^vulcan\.io\.write_text: base64 decode failed/, b64);
  // utf8 / system / oem are UTF-8 on POSIX.
  const u = fresh();
  run('vio.write_text(args, "ü", "system") vio.append_text(args, "ü", "oem") vio.append_text(args, "ü", "utf8")', u);
  assert.equal(readFileSync(u, 'utf8'), 'üüü');
});

function tmpfiles() {
  const prefix = `luaskills_managed_tmpfile_${process.pid}_`;
  return readdirSync(tmpdir()).filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
}

test('tmpfile: update-capable file under the temp dir, deleted on close and on GC', () => {
  const before = tmpfiles();
  run('_G.t = vio.tmpfile()');
  const during = tmpfiles().filter((n) => !before.includes(n));
  assert.equal(during.length, 1);
  assert.match(during[0], /^luaskills_managed_tmpfile_\d+_\d+_\d+\.tmp$/);
  assert.deepEqual(run('t:write("abc", 1) t:seek("set", 1) local s = t:read("a") t:flush() return s'), 'bc1');
  assert.equal(readFileSync(path.join(tmpdir(), during[0]), 'utf8'), 'abc1');
  assert.equal(run('return t:close()'), true);
  assert.equal(existsSync(path.join(tmpdir(), during[0])), false);
  run('do local x = vio.tmpfile() x:write("gone") end collectgarbage() collectgarbage() _G.t = nil');
  assert.deepEqual(tmpfiles().filter((n) => !before.includes(n)), []);
});

function processGone(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitGone(pid) {
  for (let i = 0; i < 200 && !processGone(pid); i++) await new Promise((r) => setTimeout(r, 25));
  return processGone(pid);
}

test('popen: stdout captured, stderr dropped, close() is the exit status', () => {
  assert.deepEqual(run('local f = vio.popen("echo out; echo err >&2; printf \'a\\\\nb\'") local r = { f:read("a"), f:close(), f:close() } return r'), ['out\na\nb', true, true]);
  assert.deepEqual(run('local f = vio.popen("echo x; exit 3", "r") return { f:read(), f:read() == nil, f:close() }'), ['x', true, false]);
  assert.deepEqual(run('local f = vio.popen("printf \'\\\\377\'", "rb") local s = f:read("a") f:close() return { #s, s:byte() }'), [1, 255]);
  assert.equal(run('local f = vio.popen("printf \'\\\\377\'") local s = f:read("a") f:close() return s'), '\ufffd');
  assert.equal(run('local f = vio.popen("printf \'\\\\326\\\\320\\\\316\\\\304\'", "r", "gbk") return f:read("a")'), '中文');
  assert.equal(run('local f = vio.popen("printf ok", { encoding = "latin1", timeout_ms = 5000 }) return f:read("a")'), 'ok');
  assert.match(run('return tostring(vio.popen("true"))'), /^file \(0x/);
  fails('vio.popen("cat", "w")', 'vulcan.io.popen: write mode is not implemented yet');
  fails('vio.popen("cat", "wb")', 'vulcan.io.popen: write mode is not implemented yet');
  fails('vio.popen("cat", "r+")', 'vulcan.io.popen: unsupported mode `r+`');
  fails('vio.popen("cat", 5)', 'vulcan.io.popen: mode must be a string or options table, got number');
  fails('vio.popen("cat", "r", 5)', 'vulcan.io.popen: options must be nil, string, or table, got number');
  fails('vio.popen("true", { timeout_ms = 0 })', 'vulcan.io.popen: timeout_ms must be a positive number, got number');
  fails('vio.popen("true", { timeout_ms = "5" })', 'vulcan.io.popen: timeout_ms must be a positive number, got string');
  fails('vio.popen(nil)', 'vulcan.io.popen: command must be a string, got nil');
  fails('vio.popen(" ")', 'vulcan.io.popen: command must not be empty');
  fails('local f = vio.popen("echo x") f:write("y")', 'file:write: file is not opened for writing');
});

test('popen timeout kills the process group', async () => {
  const pidFile = fresh('pid');
  fails('vio.popen("sleep 30 & echo $! > " .. args .. "; wait", { timeout_ms = 200 })', 'vulcan.io.popen timed out after 200 ms', pidFile);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(pid > 0);
  assert.equal(await waitGone(pid), true);
});

test('popen honours the VM timeout (and kills the group)', async () => {
  const pidFile = fresh('pid');
  const v = new LuaVm();
  try {
    await assert.rejects(
      v.exec('require("luaskills.io").popen("sleep 30 & echo $! > " .. args .. "; wait")', { args: pidFile, timeoutMs: 300 }),
      (err) => err.code === 'timeout',
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.equal(await waitGone(pid), true);
    // The VM is usable afterwards.
    assert.equal(await v.exec('return require("luaskills.io").popen("echo again"):read()'), 'again');
  } finally {
    v.close();
  }
});

test('logical cwd: relative paths and the popen shell start there', () => {
  const sub = path.join(dir, 'cwd');
  mkdirSync(sub);
  try {
    run('require("luaskills.cwd").set(args)', sub);
    assert.equal(run('return vio.write_text("rel.txt", "here")'), true);
    assert.equal(readFileSync(path.join(sub, 'rel.txt'), 'utf8'), 'here');
    assert.equal(run('return vio.read_text("rel.txt")'), 'here');
    assert.equal(run('local f = vio.open("rel.txt", "a") f:write("!") f:close() return vio.lines("rel.txt")()'), 'here!');
    assert.equal(run('return vio.popen("pwd"):read()'), sub);
    assert.equal(run('return vio.read_text(args)', path.join(sub, 'rel.txt')), 'here!'); // absolute paths unchanged
  } finally {
    run('require("luaskills.cwd").set(nil)');
  }
  assert.equal(run('return vio.popen("pwd"):read()'), process.cwd());
});

test('io_compat in a plain VM: default output is the log, input/output/read/write/close/type', () => {
  const v = new LuaVm();
  try {
    v.execSync('logged = {} io_table = require("luaskills.io_compat")({ log = function(line) logged[#logged + 1] = line end })');
    assert.deepEqual(v.execSync('return { io == io_table, package.loaded.io == io, require("io") == io, package.preload.io() == io, io.stdout == nil }'), [true, true, true, true, true]);
    assert.deepEqual(v.execSync('return { io.write("a", 1, 2.5, true, nil, "é"), io.flush(), io.close(), io.output() == nil }'), [true, true, true, true]);
    assert.deepEqual(v.getGlobal('logged'), ['[LuaSkill:stdout] a12.5truenilé']);

    const out = fresh('compat');
    assert.deepEqual(v.execSync('local f = io.output(args) return { io.type(f), io.output() == f, io.write("x=", 1), io.flush() }', { args: out }), ['file', true, true, true]);
    assert.equal(readFileSync(out, 'utf8'), 'x=1');
    assert.deepEqual(v.execSync('local f = io.output() return { io.close(), io.type(f), io.output() == nil, io.type(42), io.type(io.stdout) }'), [true, 'closed file', true, 'nil', 'nil']);
    assert.equal(v.getGlobal('logged').length, 1);

    writeFileSync(out, 'l1\nl2\n');
    assert.deepEqual(v.execSync('local f = io.input(args) return { io.input() == f, io.read(), io.read("l", "a"), io.close(f), io.type(f) }', { args: out }), [true, 'l1', 'l2', true, 'closed file']);
    assert.deepEqual(v.execSync('local f = io.open(args, "r") io.input(f) local first = io.read() local l = {} for x in io.lines(args) do l[#l + 1] = x end return { first, l, io.type(io.tmpfile()) }', { args: out }), ['l1', ['l1', 'l2'], 'file']);
    assert.throws(() => v.execSync('io.input(42)'), { message: 'io.input expected path string or managed file, got number' });
    assert.throws(() => v.execSync('io.output({})'), { message: 'io.output expected path string or managed file, got table' });
    assert.throws(() => v.execSync('io.close("x")'), { message: 'io.close expected managed file, got string' });
    assert.throws(() => v.execSync('io.input("")'), { message: 'io.input: file must not be empty' });
    assert.throws(() => v.execSync('io.input(args)', { args: path.join(dir, 'none') }), { message: 'vulcan.io.open: No such file or directory (os error 2)' });
    v.execSync('package.loaded["luaskills.io_compat"](nil)'); // a fresh table: no input any more
    assert.throws(() => v.execSync('io.read()'), { message: 'io.read has no managed input; call io.input(path_or_file) first' });
    assert.equal(v.execSync('return io.write("dropped")'), true); // no log function: the text is dropped
  } finally {
    v.close();
  }
});

async function leaseSetup(options) {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'luaskills-io-lease-')));
  const work = path.join(root, 'work');
  mkdirSync(work);
  const engine = new LuaSkillsEngine({ runtimeRoot: root, ...options });
  const logs = [];
  engine.on('log', (entry) => logs.push(entry));
  const lease = await engine.leases.create({ sid: 'io', cwd: work });
  assert.equal(lease.ok, true, JSON.stringify(lease));
  const value = async (code, extra = {}) => {
    const out = await engine.leases.eval({ lease_id: lease.lease_id, code, ...extra });
    assert.equal(out.ok, true, out.message);
    return out.result;
  };
  const done = async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { root, work, engine, logs, value, done };
}

test('lease with enableManagedIoCompat: managed io over the lease cwd, io.write to the log event', async () => {
  const t = await leaseSetup({ enableManagedIoCompat: true });
  try {
    assert.deepEqual(await t.value('return { io.write("hello ", 42), io.stdout == nil, io == require("io"), vulcan.io.open == io.open }'), [true, true, true, true]);
    assert.deepEqual(t.logs, [
      { level: 'info', label: 'stdout', message: 'hello 42', line: '[LuaSkill:stdout] hello 42', source: 'io', tool_name: null, skill_name: null },
    ]);
    assert.equal(await t.value('return __luaskills_lease_log == nil'), true);
    // Relative paths resolve against the lease cwd; the default output persists across evals.
    assert.equal(await t.value('local f = io.output("out.txt") io.write("line 1\\n") return io.type(f)'), 'file');
    assert.deepEqual(await t.value('io.write("line 2\\n") return { io.close(), io.output() == nil }'), [true, true]);
    assert.equal(readFileSync(path.join(t.work, 'out.txt'), 'utf8'), 'line 1\nline 2\n');
    assert.deepEqual(await t.value('io.input("out.txt") return { io.read(), io.read("l"), io.read() == nil }'), ['line 1', 'line 2', true]);
    assert.equal(await t.value('return io.popen("pwd"):read()'), t.work);
    assert.equal(await t.value('return vulcan.io.read_text("out.txt")'), 'line 1\nline 2\n');
    assert.equal(t.logs.length, 1);
  } finally {
    await t.done();
  }
});

test('enableManagedIoCompat: false keeps the native io in leases; the JSON host option maps to it', async () => {
  const t = await leaseSetup({ enableManagedIoCompat: false });
  try {
    assert.deepEqual(await t.value('return { io.stdout ~= nil, io.type(io.stdout), type(vulcan.io.open) }'), [true, 'file', 'function']);
  } finally {
    await t.done();
  }
  assert.deepEqual(engineOptionsFromJson('{"host_options":{"capabilities":{"enable_managed_io_compat":true}}}'), { enableManagedIoCompat: true });
  assert.throws(() => engineOptionsFromJson('{"host_options":{"capabilities":{"other":true}}}'), /other/);
});
