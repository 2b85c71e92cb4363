// `npm run build:cmake` builds the same addon as node-gyp: it loads, runs Lua, and exports the
// Lua C API for C modules exactly like the node-gyp build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gypAddon = path.join(root, 'build', 'Release', 'luaskills.node');
const cmakeAddon = path.join(root, 'build-cmake', 'Release', 'luaskills.node');

function exportedSymbols(file) {
  return execFileSync('nm', ['-D', '--defined-only', file], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => / T /.test(l))
    .map((l) => l.split(' ').pop())
    .sort();
}

test('npm run build:cmake builds an equivalent addon', { timeout: 600_000 }, () => {
  execFileSync('npm', ['run', 'build:cmake'], { cwd: root, stdio: 'pipe' });
  assert.ok(fs.existsSync(cmakeAddon));
  const script = `
    import { LuaVm } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))};
    const vm = new LuaVm();
    vm.registerHostFunction('twice', (x) => x * 2);
    const r = await vm.exec('return twice(args.n) + #require("luaskills.types").array({1, 2})', { args: { n: 20 } });
    process.stdout.write(String(r));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, LUASKILLS_NATIVE: cmakeAddon },
    encoding: 'utf8',
  });
  assert.equal(out, '42');
  const symbols = exportedSymbols(cmakeAddon);
  assert.ok(symbols.includes('lua_pcallk') && symbols.includes('luaL_newstate') && symbols.includes('luaopen_base'));
  assert.ok(symbols.includes('napi_register_module_v1'));
  assert.deepEqual(symbols.filter((s) => !/^(lua_|luaL_|luaopen_)/.test(s)), ['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  assert.deepEqual(symbols, exportedSymbols(gypAddon));
});
