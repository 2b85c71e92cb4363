#!/usr/bin/env node
// `npm install` of this package: use a prebuilt addon when one fits this platform (no compiler
// needed), else build from source (fetch the Lua source, then node-gyp). Set
// LUASKILLS_BUILD_FROM_SOURCE=1 (or npm's --build-from-source) to always build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function prebuilt() {
  try {
    // node-gyp-build's lookup: prebuilds/<platform>-<arch>/ with the napi and libc tags.
    const file = require('node-gyp-build').path(root);
    return file.includes(`${path.sep}prebuilds${path.sep}`) ? file : null;
  } catch {
    return null;
  }
}

const forced = process.env.LUASKILLS_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';
const found = forced ? null : prebuilt();
if (found) {
  process.stdout.write(`luaskills: using the prebuilt addon ${path.relative(root, found)}\n`);
  process.exit(0);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
run(process.execPath, [path.join(root, 'scripts', 'fetch-lua.mjs')]);
// npm puts its own node-gyp on PATH for install scripts; honour npm_config_node_gyp when set.
const gyp = process.env.npm_config_node_gyp;
if (gyp) run(process.execPath, [gyp, 'rebuild', '-j', '2']);
else run('node-gyp', ['rebuild', '-j', '2']);
