#!/usr/bin/env node
// Obtains the pinned Lua 5.4 source into deps/ (git-ignored) and writes the settings that
// binding.gyp and CMakeLists.txt read. Lua's source is never committed: it comes, in order, from
//   1. an existing deps/lua-5.4.x/ directory,
//   2. LUASKILLS_LUA_TARBALL (a local tarball),
//   3. the official release tarball (lua.org),
//   4. Debian's lua5.4 source package (`apt-get source`, private apt dirs, no root needed),
//      then the same file straight from the Debian pool.
// Every tarball is checked against the pinned sha256 before it is unpacked.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LUA_VERSION = '5.4.4';
// sha256 of lua-5.4.4.tar.gz; Debian's lua5.4_5.4.4.orig.tar.gz is the same file.
export const LUA_SHA256 = '164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61';
const DEBIAN_SOURCE_VERSION = '5.4.4-3+deb12u1';
const OFFICIAL_URL = `https://www.lua.org/ftp/lua-${LUA_VERSION}.tar.gz`;
const DEBIAN_POOL_URL = `http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_${LUA_VERSION}.orig.tar.gz`;
const DOWNLOAD_TIMEOUT_MS = 30_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const depsDir = path.join(root, 'deps');

function log(msg) {
  process.stderr.write(`[fetch-lua] ${msg}\n`);
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

/** Finds a complete deps/lua-5.4.x/ tree; returns its directory name or null. */
function existingTree() {
  if (!fs.existsSync(depsDir)) return null;
  const dirs = fs.readdirSync(depsDir).filter((d) => /^lua-5\.4\.\d+$/.test(d)).sort();
  for (const d of dirs.reverse()) {
    if (fs.existsSync(path.join(depsDir, d, 'src', 'lapi.c'))) return d;
  }
  return null;
}

function unpack(tarball, origin) {
  const digest = sha256(tarball);
  if (digest !== LUA_SHA256) {
    throw new Error(`${origin}: sha256 ${digest} does not match the pinned ${LUA_SHA256}`);
  }
  fs.mkdirSync(depsDir, { recursive: true });
  const tmp = path.join(depsDir, `.lua-${process.pid}.tar.gz`);
  fs.writeFileSync(tmp, tarball);
  try {
    const r = spawnSync('tar', ['xzf', tmp, '-C', depsDir], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${origin}: tar exited with ${r.status ?? r.error}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const dir = `lua-${LUA_VERSION}`;
  if (!fs.existsSync(path.join(depsDir, dir, 'src', 'lapi.c'))) {
    throw new Error(`${origin}: the tarball did not contain ${dir}/src`);
  }
  log(`Lua ${LUA_VERSION} unpacked from ${origin}`);
  return dir;
}

async function download(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function fromAptSource() {
  const which = spawnSync('apt-get', ['--version'], { stdio: 'ignore' });
  if (which.status !== 0) throw new Error('apt-get is not available');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'luaskills-apt-'));
  try {
    for (const d of ['lists/partial', 'cache/archives/partial', 'etc/sources.list.d', 'etc/preferences.d']) {
      fs.mkdirSync(path.join(work, d), { recursive: true });
    }
    fs.writeFileSync(
      path.join(work, 'etc/sources.list'),
      'deb-src http://deb.debian.org/debian bookworm main\n',
    );
    const aptOpts = [
      '-o', `Dir::State::Lists=${path.join(work, 'lists')}`,
      '-o', `Dir::Cache=${path.join(work, 'cache')}`,
      '-o', `Dir::Etc::SourceList=${path.join(work, 'etc/sources.list')}`,
      '-o', `Dir::Etc::SourceParts=${path.join(work, 'etc/sources.list.d')}`,
      '-o', `Dir::Etc::PreferencesParts=${path.join(work, 'etc/preferences.d')}`,
      '-o', 'Debug::NoLocking=1',
      '-o', 'APT::Sandbox::User=',
      '-qq',
    ];
    const update = spawnSync('apt-get', [...aptOpts, 'update'], { stdio: 'inherit', timeout: 300_000 });
    if (update.status !== 0) throw new Error(`apt-get update exited with ${update.status}`);
    const src = spawnSync(
      'apt-get',
      [...aptOpts, 'source', '--download-only', `lua5.4=${DEBIAN_SOURCE_VERSION}`],
      { cwd: work, stdio: 'inherit', timeout: 300_000 },
    );
    const orig = path.join(work, `lua5.4_${LUA_VERSION}.orig.tar.gz`);
    if (src.status !== 0 || !fs.existsSync(orig)) {
      throw new Error(`apt-get source exited with ${src.status}`);
    }
    return fs.readFileSync(orig);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function writeSettings(dir) {
  const rel = `deps/${dir}`;
  fs.writeFileSync(
    path.join(depsDir, 'lua-settings.gypi'),
    `# Written by scripts/fetch-lua.mjs (paths relative to deps/, as gyp reads them)\n{ 'variables': { 'lua_dir': '${dir}' } }\n`,
  );
  fs.writeFileSync(
    path.join(depsDir, 'lua-settings.cmake'),
    `# Written by scripts/fetch-lua.mjs\nset(LUA_DIR "\${CMAKE_CURRENT_SOURCE_DIR}/${rel}")\n`,
  );
  fs.writeFileSync(
    path.join(depsDir, 'lua-settings.json'),
    `${JSON.stringify({ version: dir.slice(4), dir: rel, sha256: LUA_SHA256 }, null, 2)}\n`,
  );
}

async function main() {
  const found = existingTree();
  if (found) {
    writeSettings(found);
    log(`using existing deps/${found}`);
    return;
  }
  const failures = [];
  const attempts = [];
  if (process.env.LUASKILLS_LUA_TARBALL) {
    const file = process.env.LUASKILLS_LUA_TARBALL;
    attempts.push([`LUASKILLS_LUA_TARBALL=${file}`, async () => fs.readFileSync(file)]);
  }
  attempts.push([OFFICIAL_URL, () => download(OFFICIAL_URL)]);
  attempts.push([`apt-get source lua5.4=${DEBIAN_SOURCE_VERSION}`, async () => fromAptSource()]);
  attempts.push([DEBIAN_POOL_URL, () => download(DEBIAN_POOL_URL)]);
  for (const [origin, get] of attempts) {
    try {
      const dir = unpack(await get(), origin);
      writeSettings(dir);
      return;
    } catch (err) {
      failures.push(`  - ${origin}: ${err instanceof Error ? err.message : String(err)}`);
      log(`${origin} failed, trying the next source`);
    }
  }
  log(
    `could not obtain the Lua ${LUA_VERSION} source. Tried:\n${failures.join('\n')}\n` +
      `Fix: download lua-${LUA_VERSION}.tar.gz (sha256 ${LUA_SHA256}) and run\n` +
      `  LUASKILLS_LUA_TARBALL=/path/to/lua-${LUA_VERSION}.tar.gz npm install\n` +
      `or unpack it so that deps/lua-${LUA_VERSION}/src/lapi.c exists.`,
  );
  process.exit(1);
}

await main();
