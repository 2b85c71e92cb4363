#!/usr/bin/env node
// Windows only (the prebuilds workflow runs it after `npm run prebuild`, in an MSVC developer
// shell): proves that the win32 prebuild ships Lua as lua54.dll beside luaskills.node and that a
// Lua C module linked against lua54.lib — the way LuaRocks builds them — loads into the addon's
// Lua. The module is built in a folder without lua54.dll, so its import can only bind to the
// lua54.dll the addon already loaded (Windows reuses a loaded DLL of the same name).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.platform !== 'win32') {
  process.stdout.write(`check-lua-dll: skipped, lua54.dll is the Windows build only (this is ${process.platform})\n`);
  process.exit(0);
}

const prebuildDir = path.join(root, 'prebuilds', `win32-${process.arch}`);
const addon = path.join(prebuildDir, 'luaskills.node');
const dll = path.join(prebuildDir, 'lua54.dll');
const importLib = path.join(root, 'build', 'Release', 'lua54.lib');
for (const file of [addon, dll, importLib]) {
  if (!fs.existsSync(file)) throw new Error(`check-lua-dll: ${path.relative(root, file)} is missing (run npm run prebuild first)`);
}

const run = (cmd, args, options = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...options });
const dependents = (file) => run('dumpbin', ['/nologo', '/dependents', file]).toLowerCase();
if (!dependents(addon).includes('lua54.dll')) throw new Error('check-lua-dll: luaskills.node does not import lua54.dll');

const settings = JSON.parse(fs.readFileSync(path.join(root, 'deps', 'lua-settings.json'), 'utf8'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-lua-dll-'));
try {
  const moduleDll = path.join(work, 'vecmath.dll');
  // /MD: the shared C runtime, as lua54.dll uses; the luaopen_* functions are exported by name.
  run('cl', [
    '/nologo', '/O2', '/MD', '/LD', '/DLUA_BUILD_AS_DLL', `/I${path.join(root, settings.dir, 'src')}`,
    path.join(root, 'test', 'fixtures', 'cmodules', 'vecmath.c'), importLib,
    `/Fe${moduleDll}`, `/Fo${path.join(work, 'vecmath.obj')}`,
    '/link', '/EXPORT:luaopen_vecmath', '/EXPORT:luaopen_vecmath_extra',
  ], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
  if (!dependents(moduleDll).includes('lua54.dll')) throw new Error('check-lua-dll: vecmath.dll does not import lua54.dll');
  if (fs.existsSync(path.join(work, 'lua54.dll'))) throw new Error('check-lua-dll: the module folder must not hold a lua54.dll');

  const script = `
    import { LuaVm } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
    const vm = new LuaVm();
    vm.execSync('package.cpath = args', { args: ${JSON.stringify(path.join(work, '?.dll'))} });
    const out = vm.execSync('local v = require("vecmath") return { v.built_with, v.dot({1, 2, 3}, {4, 5, 6}), #v.range(4), require("vecmath.extra") }');
    vm.close();
    process.stdout.write(JSON.stringify(out));
  `;
  const out = run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LUASKILLS_NATIVE: addon } });
  const expected = JSON.stringify([`Lua ${settings.version}`, 32, 4, 'extra']);
  if (out !== expected) throw new Error(`check-lua-dll: expected ${expected}, got ${out}`);
  process.stdout.write(`check-lua-dll: OK (${path.relative(root, prebuildDir)}: ${fs.readdirSync(prebuildDir).join(', ')}; a C module linked against lua54.lib runs on the addon's Lua: ${out})\n`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
