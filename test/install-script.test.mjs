// scripts/install.mjs, what `npm install luaskills` runs (docs/install.md): it takes a prebuilt
// addon that fits this platform, and builds from source instead when there is none or when
// LUASKILLS_BUILD_FROM_SOURCE=1 / `npm install --build-from-source` (npm_config_build_from_source)
// asks for it. The script runs for real in a copy of the package; node-gyp is a stand-in that
// records its arguments, since a real build is the job of `npm ci` in .ci/run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-install-'));
after(() => rmSync(work, { recursive: true, force: true }));
const settings = JSON.parse(readFileSync(path.join(root, 'deps', 'lua-settings.json'), 'utf8'));

// node-gyp-build's libc tag for this machine (prebuildify --tag-libc names the file with it).
const libc = process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
const prebuildName = process.platform === 'linux' ? `luaskills.${libc}.node` : 'luaskills.node';

/** A copy of the package (scripts, package.json, the Lua source) with or without a prebuild. */
function packageCopy(withPrebuild) {
  const dir = mkdtempSync(path.join(work, 'pkg-'));
  cpSync(path.join(root, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  mkdirSync(path.join(dir, 'deps'));
  symlinkSync(path.join(root, settings.dir), path.join(dir, 'deps', path.basename(settings.dir)), 'dir');
  if (withPrebuild) {
    const folder = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, prebuildName), 'not loaded by the install script');
  }
  const gypLog = path.join(dir, 'gyp-args.json');
  const fakeGyp = path.join(dir, 'fake-node-gyp.cjs');
  writeFileSync(fakeGyp, `require('fs').writeFileSync(${JSON.stringify(gypLog)}, JSON.stringify(process.argv.slice(2)));\n`);
  return { dir, gypLog, fakeGyp };
}

function install(pkg, env = {}) {
  const clean = { ...process.env, npm_config_node_gyp: pkg.fakeGyp, ...env };
  if (!('LUASKILLS_BUILD_FROM_SOURCE' in env)) delete clean.LUASKILLS_BUILD_FROM_SOURCE;
  if (!('npm_config_build_from_source' in env)) delete clean.npm_config_build_from_source;
  const stdout = execFileSync(process.execPath, [path.join(pkg.dir, 'scripts', 'install.mjs')], { env: clean, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const gyp = existsSync(pkg.gypLog) ? JSON.parse(readFileSync(pkg.gypLog, 'utf8')) : null;
  return { stdout, gyp };
}

test('a prebuild that fits: used, nothing is built', () => {
  const pkg = packageCopy(true);
  const { stdout, gyp } = install(pkg);
  assert.equal(stdout, `luaskills: using the prebuilt addon ${path.join('prebuilds', `${process.platform}-${process.arch}`, prebuildName)}\n`);
  assert.equal(gyp, null);
  assert.equal(existsSync(path.join(pkg.dir, 'deps', 'lua-settings.gypi')), false, 'the Lua source is not even prepared');
});

for (const [what, env] of [
  ['LUASKILLS_BUILD_FROM_SOURCE=1', { LUASKILLS_BUILD_FROM_SOURCE: '1' }],
  ['npm install --build-from-source (npm_config_build_from_source=true)', { npm_config_build_from_source: 'true' }],
]) {
  test(`${what}: builds from source although a prebuild fits`, () => {
    const pkg = packageCopy(true);
    const { stdout, gyp } = install(pkg, env);
    assert.equal(stdout, '');
    assert.deepEqual(gyp, ['rebuild', '-j', '2']);
    // fetch-lua.mjs ran first: the settings binding.gyp includes point at the Lua source.
    assert.equal(readFileSync(path.join(pkg.dir, 'deps', 'lua-settings.gypi'), 'utf8').includes(`'lua_dir': '${path.basename(settings.dir)}'`), true);
  });
}

test('no prebuild for this platform: builds from source', () => {
  const pkg = packageCopy(false);
  const { stdout, gyp } = install(pkg);
  assert.equal(stdout, '');
  assert.deepEqual(gyp, ['rebuild', '-j', '2']);
});
