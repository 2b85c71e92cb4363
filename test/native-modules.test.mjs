// require() of real Lua C modules: one compiled here against the fetched headers, and Debian's
// lua-cjson, lua-filesystem and lua-socket (installed by .ci/run).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LuaVm } from '../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const settings = JSON.parse(fs.readFileSync(path.join(root, 'deps', 'lua-settings.json'), 'utf8'));
const DEBIAN_CPATH = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.4/?.so`;
// Debian's own lua5.4 adds these; a stock Lua build does not.
const DEBIAN_PATH = '/usr/share/lua/5.4/?.lua;/usr/share/lua/5.4/?/init.lua';
let moduleDir;

before(() => {
  moduleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-cmod-'));
  const flags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared', '-fPIC'];
  execFileSync('cc', ['-O2', ...flags, '-I', path.join(root, settings.dir, 'src'),
    '-o', path.join(moduleDir, 'vecmath.so'), path.join(root, 'test/fixtures/cmodules/vecmath.c')]);
});

function vmWithCpath() {
  const vm = new LuaVm();
  vm.execSync('package.cpath = args.cpath package.path = args.path .. ";" .. package.path', {
    args: { cpath: `${moduleDir}/?.so;${DEBIAN_CPATH}`, path: DEBIAN_PATH },
  });
  return vm;
}

test('a C module built against the fetched headers loads and runs', async () => {
  const vm = vmWithCpath();
  assert.equal(vm.execSync('return require("vecmath").built_with'), 'Lua 5.4.4');
  assert.equal(vm.execSync('local v = require("vecmath") return v.dot({1, 2, 3}, {4, 5, 6})'), 32);
  assert.deepEqual(await vm.exec('return require("vecmath").range(4)'), [1, 2, 3, 4]);
  assert.throws(() => vm.execSync('return require("vecmath").dot({1}, {1, 2})'), (e) => e.code === 'lua_runtime' && /length mismatch/.test(e.message));
  assert.equal(vm.execSync('return require("vecmath.extra")'), 'extra'); // the all-in-one loader
  assert.equal(vm.execSync('return #package.searchers'), 4);
  vm.close();
});

test('package.loadlib reaches a C function directly', () => {
  const vm = vmWithCpath();
  assert.equal(vm.execSync('local f = package.loadlib(args, "luaopen_vecmath") return f().dot({2}, {21})', { args: path.join(moduleDir, 'vecmath.so') }), 42);
  vm.close();
});

test('Debian lua-cjson: encode and decode', async () => {
  const vm = vmWithCpath();
  assert.equal(vm.execSync('local cjson = require("cjson") return cjson.encode({ a = { 1, 2, 3 } })'), '{"a":[1,2,3]}');
  assert.deepEqual(vm.execSync('return require("cjson").decode(args)', { args: '{"x":[true,{"y":"z"}],"n":1.5}' }), { x: [true, { y: 'z' }], n: 1.5 });
  assert.equal(await vm.exec('return require("cjson").null == require("luaskills.types").null'), true);
  assert.throws(() => vm.execSync('return require("cjson").decode("{bad")'), (e) => e.code === 'lua_runtime' && /Expected object key string/.test(e.message));
  vm.close();
});

test('Debian lua-filesystem: directory listing and attributes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-lfs-'));
  fs.writeFileSync(path.join(dir, 'a.txt'), 'hello');
  fs.mkdirSync(path.join(dir, 'sub'));
  const vm = vmWithCpath();
  const listing = vm.execSync('local lfs = require("lfs") local out = {} for f in lfs.dir(args) do if f ~= "." and f ~= ".." then out[#out + 1] = f .. ":" .. lfs.attributes(args .. "/" .. f, "mode") end end table.sort(out) return out', { args: dir });
  assert.deepEqual(listing, ['a.txt:file', 'sub:directory']);
  assert.equal(vm.execSync('return require("lfs").attributes(args, "size")', { args: path.join(dir, 'a.txt') }), 5);
  assert.equal(vm.execSync('return require("lfs").mkdir(args)', { args: path.join(dir, 'made') }), true);
  assert.ok(fs.statSync(path.join(dir, 'made')).isDirectory());
  vm.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Debian lua-socket: a TCP echo over loopback inside one VM', async () => {
  const vm = vmWithCpath();
  const reply = await vm.exec(`
    local socket = require("socket")
    local server = assert(socket.bind("127.0.0.1", 0))
    local _, port = server:getsockname()
    local client = assert(socket.connect("127.0.0.1", port))
    local conn = assert(server:accept())
    client:send("ping\\n")
    local line = conn:receive("*l")
    conn:send(line:upper() .. "\\n")
    local back = client:receive("*l")
    client:close() conn:close() server:close()
    return back .. " " .. type(socket.gettime())
  `);
  assert.equal(reply, 'PING number');
  vm.close();
});

test('a missing module is a clear Lua error', () => {
  const vm = vmWithCpath();
  assert.throws(() => vm.execSync('require("no_such_module_xyz")'), (e) => e.code === 'lua_runtime' && /module 'no_such_module_xyz' not found/.test(e.message));
  vm.close();
});
