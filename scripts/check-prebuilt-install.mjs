#!/usr/bin/env node
// Proves the prebuilt path for this platform: pack the package with its prebuilt addon, install
// the tarball into a fresh folder with no compiler reachable, then run Lua and require a real Lua
// C module (Debian's lua-cjson) from there. CI runs it after the tests (`.ci/run`).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npmCli = process.env.npm_execpath ?? '/usr/lib/node_modules/npm/bin/npm-cli.js';
const npm = (args, options = {}) => execFileSync(process.execPath, [npmCli, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });

const tag = `${process.platform}-${process.arch}`;
if (!fs.existsSync(path.join(root, 'prebuilds', tag))) {
  process.stdout.write('building the prebuilt addon (npm run prebuild)\n');
  npm(['run', 'prebuild'], { cwd: root, stdio: 'inherit' });
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-prebuilt-'));
try {
  const tarball = npm(['pack', '--pack-destination', work, '--silent'], { cwd: root }).trim().split('\n').pop();
  // A PATH with node and sh only: no cc, c++, make or python, so nothing can be compiled.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs install scripts through sh
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
    const r = spawnSync(tool, ['--version'], { env: { PATH: bin } });
    if (!r.error) throw new Error(`${tool} is reachable; the check would prove nothing`);
  }
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
  // Optional dependencies (better-sqlite3, which has no reachable prebuild here) are left out.
  npm(['install', path.join(work, tarball), '--omit=optional', '--no-audit', '--no-fund'], {
    cwd: app,
    stdio: 'inherit',
    env: { ...process.env, PATH: bin, npm_config_nodedir: '' },
  });
  const cpath = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.4/?.so`;
  fs.writeFileSync(
    path.join(app, 'check.mjs'),
    `import { LuaVm } from 'luaskills';
const vm = new LuaVm();
const sum = vm.execSync('return 6 * 7');
const json = vm.execSync('package.cpath = args .. ";" .. package.cpath return require("cjson").encode({ ok = true })', { args: ${JSON.stringify(cpath)} });
console.log(JSON.stringify({ sum, json }));`,
  );
  const out = execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8', env: { PATH: bin } });
  const result = JSON.parse(out);
  if (result.sum !== 42 || result.json !== '{"ok":true}') throw new Error(`unexpected result: ${out}`);
  const addon = fs.readdirSync(path.join(app, 'node_modules', 'luaskills', 'prebuilds', tag));
  process.stdout.write(`prebuilt install OK (${tag}: ${addon.join(', ')}; no build/ directory: ${!fs.existsSync(path.join(app, 'node_modules', 'luaskills', 'build'))}): ${out}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
