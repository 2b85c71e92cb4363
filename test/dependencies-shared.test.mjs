// Dependencies shared between engines and with the host: two engines preparing one dependency
// over one download cache at the same time (the asset is held by the server so both downloads
// overlap) both succeed and the first finished install is kept; Lua packages and Lua C modules
// under the host roots load with a plain require, host-scope FFI libraries are probed there, and
// an incomplete install root left from before is replaced.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LuaVm, currentPlatformKey } from '../dist/index.js';
import { depTree, failuresOf, loadDeps, useDepsServer } from './helpers/deps-server.mjs';
import { buildZip, unixAttrs } from './helpers/zip.mjs';

const PLATFORM = currentPlatformKey();
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ctx = useDepsServer('luaskills-depshare-');
const work = ctx.work;
let srv;
before(async () => {
  await ctx.ready;
  srv = ctx.srv;
});

/** Polls `check` (a hang guard, not a timing assertion). */
async function until(check, what) {
  for (let i = 0; i < 2000; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`hang guard: ${what}`);
}

test('two engines, one cache, overlapping downloads: both load and run the tool; the first install stays', async () => {
  const script = '#!/bin/sh\necho "shared $1"\n';
  const zip = await buildZip([{ name: 'tool-1.0/bin/tool', data: script, os: 3, attrs: unixAttrs(0o100755) }]);
  const sha = createHash('sha256').update(zip).digest('hex');
  // Each response sends its first half and waits; both are released only once both requests
  // are in, the second only after the first engine's install is in place.
  const held = [];
  let bothIn;
  const arrived = new Promise((r) => (bothIn = r));
  srv.handlers.set('/files/tool.zip', (req, res) => {
    res.writeHead(200, { 'content-length': zip.length });
    res.write(zip.subarray(0, 100));
    held.push(res);
    if (held.length === 2) bothIn();
  });
  const deps = `tool_dependencies:
  - name: tool
    version: "1.0"
    source: { type: url }
    packages:
      ${PLATFORM}: { archive_type: zip, url: "${srv.base}/files/tool.zip", sha256: "${sha}", exports: [ { archive_path: bin/tool, target_path: bin/tool, executable: true } ] }
`;
  const run = `return function(args)
  local r = vulcan.process.exec({ program = vulcan.deps.tools_path .. "/tool/1.0/${PLATFORM}/bin/tool", args = { args.who }, timeout_ms = 5000 })
  if not r.ok then error(r.error or r.stderr) end
  return r.stdout
end`;
  const t = depTree(work, 'race', { racer: { entries: { run }, deps } });
  const installed = path.join(t.root, 'dependencies', 'tools', 'racer', 'tool', '1.0', PLATFORM, 'bin', 'tool');
  const both = Promise.all([loadDeps(t, srv.base), loadDeps(t, srv.base)]);
  await arrived;
  held[0].end(zip.subarray(100));
  await until(() => existsSync(installed), 'first install');
  const first = statSync(installed).ino;
  held[1].end(zip.subarray(100));
  const [a, b] = await both;
  srv.handlers.delete('/files/tool.zip');
  for (const { report } of [a, b]) {
    assert.deepEqual(report.failed, []);
    assert.deepEqual(report.loaded, ['racer']);
  }
  assert.equal(statSync(installed).ino, first, 'the later install kept the finished one');
  assert.equal((await a.engine.callSkill('racer-run', { who: 'a' })).content, 'shared a\n');
  assert.equal((await b.engine.callSkill('racer-run', { who: 'b' })).content, 'shared b\n');
  // One complete cached payload, no temp files; no temp folders beside the install root.
  const cache = readdirSync(path.join(t.root, 'temp', 'downloads'));
  assert.equal(cache.length, 1);
  assert.match(cache[0], new RegExp(`^tool-tool-${PLATFORM}-[0-9a-f]{12}\\.zip$`));
  assert.equal(createHash('sha256').update(readFileSync(path.join(t.root, 'temp', 'downloads', cache[0]))).digest('hex'), sha);
  assert.deepEqual(readdirSync(path.join(t.root, 'dependencies', 'tools', 'racer', 'tool', '1.0')), [PLATFORM]);
  await a.engine.close();
  await b.engine.close();
});

test('host roots on package.path / package.cpath: a Lua C module in hostProvidedFfiRoot, a Lua package, a host-scope FFI library', async () => {
  const settings = JSON.parse(readFileSync(path.join(repo, 'deps', 'lua-settings.json'), 'utf8'));
  const ffiRoot = path.join(work, 'host-libs');
  const luaPackages = path.join(work, 'host-lua');
  mkdirSync(ffiRoot, { recursive: true });
  mkdirSync(path.join(luaPackages, 'share', 'lua'), { recursive: true });
  writeFileSync(path.join(luaPackages, 'share', 'lua', 'greet.lua'), 'return { hi = function(n) return "hi " .. n end }\n');
  const flags = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared', '-fPIC'];
  const compile = (out) =>
    execFileSync('cc', ['-O2', ...flags, '-I', path.join(repo, settings.dir, 'src'), '-o', out, path.join(repo, 'test/fixtures/cmodules/vecmath.c')]);
  compile(path.join(ffiRoot, 'vecmath.so'));
  // A host-scope FFI dependency, provided by the host at <ffi root>/<name>/<version>/<platform>/.
  const hostLib = path.join(ffiRoot, 'vecmath', '1.0', PLATFORM, 'lib', 'libvecmath.so');
  mkdirSync(path.dirname(hostLib), { recursive: true });
  compile(hostLib);
  const deps = `ffi_dependencies:
  - name: vecmath
    version: "1.0"
    scope: host
    source: { type: url }
    packages:
      ${PLATFORM}: { url: "${srv.base}/never", exports: [ { archive_path: libvecmath.so, target_path: lib/libvecmath.so } ] }
`;
  const use = `return function(args)
  local v = require("vecmath")
  local open = package.loadlib(args.lib, "luaopen_vecmath")
  return table.concat({ v.dot({1, 2}, {3, 4}), require("greet").hi("lua"), open().dot({2}, {21}),
    package.searchpath("vecmath", package.cpath), vulcan.deps.ffi_path }, "|")
end`;
  const paths = 'return function() return package.path .. "\\n" .. package.cpath end';
  const t = depTree(work, 'host', { user: { entries: { use, paths }, deps } });
  srv.requests.length = 0;
  const options = { runtimeRoot: undefined, hostProvidedFfiRoot: ffiRoot, luaPackagesDir: luaPackages, allowNetworkDownload: false };
  const { engine, report } = await loadDeps(t, srv.base, options);
  assert.deepEqual(failuresOf(report), {});
  assert.deepEqual(srv.requests, [], 'host scope is probed, never downloaded');
  const out = (await engine.callSkill('user-use', { lib: hostLib })).content;
  assert.equal(out, `11.0|hi lua|42.0|${ffiRoot}/vecmath.so|${path.join(t.root, 'dependencies', 'ffi', 'user')}`);
  const stock = new LuaVm();
  const [stockPath, stockCpath] = [stock.execSync('return package.path'), stock.execSync('return package.cpath')];
  stock.close();
  const [lpath, cpath] = (await engine.callSkill('user-paths')).content.split('\n');
  const L = luaPackages;
  assert.equal(lpath, `${L}/share/lua/?.lua;${L}/share/lua/?/init.lua;${L}/?.lua;${stockPath}`);
  assert.equal(cpath, `${L}/lib/lua/?.so;${L}/lib/lua/?/init.so;${L}/lib/lua/loadall.so;${L}/?/?.so;${ffiRoot}/?.so;${ffiRoot}/?/init.so;${stockCpath}`);
  // luaexec VMs start from the same paths.
  assert.match(await engine.luaExec({ code: 'return require("vecmath").dot({1}, {5}), package.cpath == args.cpath', args: { cpath } }), /1\. \n```json\n5\n```\n\n2\. \n```json\ntrue\n```$/);
  await engine.close();

  // Folders that do not exist are not added; skill-scope dependency roots never are.
  const bare = await loadDeps(t, srv.base, { ...options, hostProvidedFfiRoot: path.join(work, 'no-libs'), luaPackagesDir: path.join(work, 'no-lua'), allowNetworkDownload: false });
  assert.deepEqual(failuresOf(bare.report), { user: "dependency_failed: Failed to prepare dependencies for user: required host dependency 'vecmath' is missing" });
  await bare.engine.close();
  const plain = depTree(work, 'plain', { p: { entries: { paths } } });
  const third = await loadDeps(plain, srv.base, { ...options, hostProvidedFfiRoot: path.join(work, 'no-libs'), luaPackagesDir: path.join(work, 'no-lua') });
  assert.equal((await third.engine.callSkill('p-paths')).content, `${stockPath}\n${stockCpath}`);
  await third.engine.close();
});

test('an incomplete install root left from before is replaced as a whole', async () => {
  srv.files.set('/files/lib.lua', { body: 'return "fresh"\n' });
  const deps = `lua_dependencies:\n  - name: lib\n    version: "2"\n    source: { type: url }\n    packages:\n      ${PLATFORM}: { url: "${srv.base}/files/lib.lua", exports: [ { archive_path: lib.lua, target_path: lib.lua } ] }\n`;
  const t = depTree(work, 'stale', { s: { deps } });
  const root = path.join(t.root, 'dependencies', 'lua', 's', 'lib', '2', PLATFORM);
  mkdirSync(path.join(root, 'old'), { recursive: true });
  writeFileSync(path.join(root, 'old', 'leftover'), 'from an interrupted install');
  const { engine, report } = await loadDeps(t, srv.base);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(readdirSync(root), ['lib.lua']);
  assert.equal(readFileSync(path.join(root, 'lib.lua'), 'utf8'), 'return "fresh"\n');
  assert.deepEqual(readdirSync(path.dirname(root)), [PLATFORM]);
  await engine.close();
});
