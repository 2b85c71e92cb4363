// dependencies.yaml against a loopback server: a GitHub-shaped release whose zip carries a real
// executable script the skill runs through vulcan.process.exec, url + sha256, a skilllist index
// with a tar.gz, probing (host scope, existing installs, unversioned), offline refusal with
// upstream's texts, a failed install that leaves nothing behind, and lifecycle cleanup.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import * as tar from 'tar';

import { currentPlatformKey, dependencyInstallRoot, parseDependencyManifest, platformKeyOf, sanitizePathComponent } from '../dist/index.js';
import { depTree, loadDeps, useDepsServer, writeDepSkill } from './helpers/deps-server.mjs';
import { buildZip, unixAttrs } from './helpers/zip.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const PLATFORM = currentPlatformKey();
const ctx = useDepsServer('luaskills-deps-');
const work = ctx.work;
let base;
let files; // pathname -> { status?, body, type? }
let requests;
before(async () => {
  await ctx.ready;
  ({ base, files, requests } = ctx.srv);
});

let counter = 0;
// A runtime root with skills { id: { entries: { name: lua }, deps: yamlText, version? } }.
const tree = (skills) => depTree(work, `root-${++counter}`, skills);
const writeSkill = writeDepSkill;
const load = (t, options = {}) => loadDeps(t, base, options);
const toolDir = (t, skill, name, version) => path.join(t.root, 'dependencies', 'tools', skill, name, version, PLATFORM);

test('manifest: defaults, skill_list alias, errors naming the field; platform keys; sanitised paths', () => {
  const m = parseDependencyManifest(
    'tool_dependencies:\n  - name: rg\n    source: { type: url }\n    packages: { linux-x64: { url: "http://x/rg", exports: [ { archive_path: rg, target_path: bin/rg } ] } }\n' +
      'lua_dependencies:\n  - name: lpeg\n    required: false\n    scope: host\n    source: { type: skill_list, skilllist: { url: "http://x/i.yaml", package: lpeg } }\n',
    'dependencies.yaml',
  );
  assert.deepEqual(m.tool_dependencies[0], {
    kind: 'tool', name: 'rg', version: null, required: true, scope: 'skill',
    source: { type: 'url', github: null, skilllist: null },
    packages: { 'linux-x64': { archive_type: 'raw', asset_name: null, url: 'http://x/rg', sha256: null, exports: [{ archive_path: 'rg', target_path: 'bin/rg', executable: false }] } },
  });
  assert.equal(m.lua_dependencies[0].source.type, 'skilllist');
  assert.equal(m.lua_dependencies[0].required, false);
  assert.equal(m.lua_dependencies[0].scope, 'host');
  assert.deepEqual(parseDependencyManifest('', 'd.yaml').tool_dependencies, []);
  assert.throws(() => parseDependencyManifest('tool_dependencies:\n  - name: rg\n    source: { type: ftp }\n', 'd.yaml'), /^Error: Failed to parse d\.yaml: tool_dependencies\.0\.source\.type: /);
  assert.throws(() => parseDependencyManifest('tool_dependencies:\n  - source: { type: url }\n', 'd.yaml'), /tool_dependencies\.0\.name/);
  assert.throws(() => parseDependencyManifest('tool_dependencies: [', 'd.yaml'), /^Error: Failed to parse d\.yaml: /);
  assert.equal(platformKeyOf('win32', 'x64'), 'windows-x64');
  assert.equal(platformKeyOf('darwin', 'arm64'), 'macos-arm64');
  assert.equal(platformKeyOf('linux', 'arm64'), 'linux-arm64');
  assert.equal(platformKeyOf('freebsd', 'x64'), 'unknown');
  assert.equal(platformKeyOf('linux', 'ia32'), 'unknown');
  assert.equal(sanitizePathComponent('a b/c:d@1.2-x_y'), 'a_b_c_d_1.2-x_y');
  assert.equal(sanitizePathComponent(''), 'unnamed');
  assert.equal(dependencyInstallRoot('/r', 'skill', 's', 'ast grep', null, 'linux-x64'), path.join('/r', 's', 'ast_grep', 'unversioned', 'linux-x64'));
  assert.equal(dependencyInstallRoot('/h', 'host', 's', 'rg', '14.1', 'linux-x64'), path.join('/h', 'rg', '14.1', 'linux-x64'));
});

test('github_release zip: a real executable script, installed and run through vulcan.process.exec', async () => {
  const script = '#!/bin/sh\necho "hello from tool $1"\n';
  const zip = await buildZip([
    { name: 'hello-1.2.0/', os: 3, attrs: unixAttrs(0o40755) },
    { name: 'hello-1.2.0/bin/hello', data: script, os: 3, attrs: unixAttrs(0o100644) },
    { name: 'hello-1.2.0/README', data: 'not exported' },
  ]);
  const asset = `hello-1.2.0-${PLATFORM}.zip`;
  files.set('/api/repos/acme/hello/releases/tags/v1.2.0', {
    type: 'application/json',
    body: JSON.stringify({ tag_name: 'v1.2.0', assets: [{ name: asset, browser_download_url: `https://github.com/acme/hello/releases/download/v1.2.0/${asset}` }] }),
  });
  files.set(`/gh/acme/hello/releases/download/v1.2.0/${asset}`, { body: zip });
  const deps = `tool_dependencies:
  - name: hello
    version: "1.2.0"
    source:
      type: github_release
      github: { repo: acme/hello }
    packages:
      ${PLATFORM}:
        archive_type: zip
        asset_name: "hello-{version}-${PLATFORM}.zip"
        exports:
          - archive_path: "bin/hello"
            target_path: "bin/hello-{tag}"
            executable: true
`;
  const run = `return function(args)
  local exe = vulcan.deps.tools_path .. "/hello/1.2.0/${PLATFORM}/bin/hello-v1.2.0"
  local r = vulcan.process.exec({ program = exe, args = { args.who }, timeout_ms = 5000 })
  if not r.ok then error(r.error or r.stderr) end
  return r.stdout
end`;
  const t = tree({ tooluser: { entries: { run }, deps }, plain: {} });
  requests.length = 0;
  const { engine, report, logs } = await load(t);
  assert.deepEqual(report.failed, []);
  assert.deepEqual(report.loaded, ['plain', 'tooluser']);
  // The declared version is tried as a tag first, then v-prefixed (404 moves on).
  assert.deepEqual(requests.slice(0, 3), ['/api/repos/acme/hello/releases/tags/1.2.0', '/api/repos/acme/hello/releases/tags/v1.2.0', `/gh/acme/hello/releases/download/v1.2.0/${asset}`]);
  const installed = path.join(toolDir(t, 'tooluser', 'hello', '1.2.0'), 'bin', 'hello-v1.2.0');
  assert.equal(statSync(installed).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(path.dirname(installed)), ['hello-v1.2.0']); // only the export
  assert.equal((await engine.callSkill('tooluser-run', { who: 'lua' })).content, 'hello from tool lua\n');
  assert.ok(logs.some((r) => r.source === 'dependency' && r.line === `[LuaSkills:dependency] Installed dependency 'hello' for skill 'tooluser' on ${PLATFORM}`));
  // Cached download is in the cache root; no temp folder is left beside the install root.
  assert.ok(readdirSync(path.join(t.root, 'temp', 'downloads')).some((n) => n.startsWith(`tool-hello-${PLATFORM}`)));
  assert.deepEqual(readdirSync(path.dirname(toolDir(t, 'tooluser', 'hello', '1.2.0'))), [PLATFORM]);
  await engine.close();

  // Offline reload: the probe finds the install ({tag} rendered with the v-prefixed candidate).
  requests.length = 0;
  const offline = await load(t, { allowNetworkDownload: false });
  assert.deepEqual(offline.report.failed, []);
  assert.deepEqual(requests, []);
  assert.ok(offline.logs.some((r) => r.message === `Skill 'tooluser' reuses existing dependency 'hello' on ${PLATFORM}`));
  assert.equal((await offline.engine.callSkill('tooluser-run', { who: 'again' })).content, 'hello from tool again\n');
  await offline.engine.close();
});

test('url raw with sha256, skilllist tar.gz; a checksum mismatch fails that skill only', async () => {
  const raw = Buffer.from('return { answer = 42 }\n');
  files.set('/files/answer.lua', { body: raw });
  const src = path.join(work, 'tarsrc');
  mkdirSync(path.join(src, 'pkg-2.0', 'lib'), { recursive: true });
  writeFileSync(path.join(src, 'pkg-2.0', 'lib', 'mod.lua'), 'return "mod 2.0"\n');
  const tgz = path.join(work, 'pkg.tar.gz');
  await tar.c({ gzip: true, file: tgz, cwd: src }, ['pkg-2.0']);
  files.set('/files/pkg.tar.gz', { body: readFileSync(tgz) });
  files.set('/index.yaml', {
    type: 'text/yaml',
    body: `packages:\n  modpkg:\n    version: "2.0"\n    packages:\n      ${PLATFORM}:\n        archive_type: tar_gz\n        url: "${base}/files/pkg.tar.gz"\n        exports:\n          - { archive_path: lib/mod.lua, target_path: "mod-{version}.lua" }\n`,
  });
  const good = `lua_dependencies:
  - name: answer
    version: "1.0"
    source: { type: url }
    packages:
      ${PLATFORM}: { url: "${base}/files/answer.lua", sha256: "${sha(raw)}", exports: [ { archive_path: answer.lua, target_path: answer.lua } ] }
  - name: modpkg
    version: "2.0"
    source: { type: skilllist, skilllist: { url: "${base}/index.yaml", package: modpkg } }
`;
  const bad = `lua_dependencies:
  - name: answer
    source: { type: url }
    packages:
      ${PLATFORM}: { url: "${base}/files/answer.lua", sha256: "${'0'.repeat(64)}", exports: [ { archive_path: answer.lua, target_path: answer.lua } ] }
`;
  const read = 'return function() local p = vulcan.deps.lua_path return vulcan.fs.read(p .. "/answer/1.0/' + PLATFORM + '/answer.lua") .. vulcan.fs.read(p .. "/modpkg/2.0/' + PLATFORM + '/mod-2.0.lua") end';
  const t = tree({ good: { entries: { read }, deps: good }, bad: { deps: bad } });
  const { engine, report } = await load(t);
  assert.deepEqual(report.loaded, ['good']);
  assert.equal(report.failed.length, 1);
  assert.equal(report.failed[0].skill_id, 'bad');
  assert.equal(report.failed[0].code, 'dependency_failed');
  assert.match(report.failed[0].message, /^Failed to prepare dependencies for bad: Checksum mismatch for /);
  assert.equal(existsSync(path.join(t.root, 'dependencies', 'lua', 'bad')), false, 'nothing half-installed');
  assert.equal((await engine.callSkill('good-read')).content, 'return { answer = 42 }\nreturn "mod 2.0"\n');
  await engine.close();
});

test('offline: upstream errors for required, warnings for optional; host scope is probed, never downloaded', async () => {
  const pkg = (name) => `{ url: "${base}/files/${name}", exports: [ { archive_path: ${name}, target_path: bin/${name} } ] }`;
  const t = tree({
    needs: { deps: `tool_dependencies:\n  - name: rg\n    version: "14.1"\n    source: { type: url }\n    packages:\n      ${PLATFORM}: ${pkg('rg')}\n` },
    optional: { deps: `tool_dependencies:\n  - name: fd\n    required: false\n    source: { type: url }\n    packages:\n      ${PLATFORM}: ${pkg('fd')}\n` },
    hosted: { deps: `tool_dependencies:\n  - name: jq\n    version: v1.7\n    scope: host\n    source: { type: url }\n    packages:\n      ${PLATFORM}: ${pkg('jq')}\n` },
    hostmissing: { deps: `ffi_dependencies:\n  - name: libz\n    scope: host\n    source: { type: url }\n    packages:\n      ${PLATFORM}: ${pkg('libz')}\n` },
    hostoptional: { deps: `lua_dependencies:\n  - name: cjson\n    scope: host\n    required: false\n    source: { type: url }\n    packages:\n      ${PLATFORM}: ${pkg('cjson')}\n` },
  });
  // jq under the host tool root (`<runtime root>/bin`), in the `1.7` folder of a `v1.7` declaration.
  const jq = path.join(t.root, 'bin', 'jq', '1.7', PLATFORM, 'bin', 'jq');
  mkdirSync(path.dirname(jq), { recursive: true });
  writeFileSync(jq, '#!/bin/sh\n');
  requests.length = 0;
  const { engine, report, logs } = await load(t, { allowNetworkDownload: false });
  assert.deepEqual(report.loaded, ['hosted', 'hostoptional', 'optional']);
  const failures = Object.fromEntries(report.failed.map((f) => [f.skill_id, `${f.code}: ${f.message}`]));
  assert.deepEqual(failures, {
    needs: "dependency_failed: Failed to prepare dependencies for needs: required dependency 'rg' is missing and network download is disabled",
    hostmissing: "dependency_failed: Failed to prepare dependencies for hostmissing: required host dependency 'libz' is missing",
  });
  const warnings = logs.filter((r) => r.level === 'warn').map((r) => [r.skill_name, r.line]);
  assert.deepEqual(warnings.sort(), [
    ['hostoptional', "[LuaSkills:dependency] Optional host dependency 'cjson' is missing"],
    ['optional', "[LuaSkills:dependency] Optional dependency 'fd' is missing and download is disabled"],
  ]);
  assert.deepEqual(requests, []);
  await engine.close();
});

test('unversioned github dependency: latest release, resolved version folder, probed offline later', async () => {
  const asset = `u-${PLATFORM}`;
  files.set('/api/repos/acme/u/releases/latest', {
    type: 'application/json',
    body: JSON.stringify({ tag_name: 'v3.1.4', assets: [{ name: asset, browser_download_url: `https://github.com/acme/u/releases/download/v3.1.4/${asset}` }] }),
  });
  files.set(`/gh/acme/u/releases/download/v3.1.4/${asset}`, { body: 'payload' });
  const deps = `tool_dependencies:\n  - name: u\n    source: { type: github_release, github: { repo: "https://github.com/acme/u/" } }\n    packages:\n      ${PLATFORM}: { asset_name: "u-${PLATFORM}", exports: [ { archive_path: u, target_path: "u-{version}" } ] }\n`;
  const t = tree({ uskill: { deps } });
  const first = await load(t);
  assert.deepEqual(first.report.failed, []);
  assert.equal(readFileSync(path.join(toolDir(t, 'uskill', 'u', '3.1.4'), 'u-3.1.4'), 'utf8'), 'payload');
  await first.engine.close();
  requests.length = 0;
  const second = await load(t, { allowNetworkDownload: false });
  assert.deepEqual(second.report.failed, []);
  assert.deepEqual(requests, []);
  await second.engine.close();
});

test('a broken archive: cache cleared and one retry, then the skill fails and nothing is installed', async () => {
  files.set('/files/broken.zip', { body: 'this is not a zip' });
  const deps = `tool_dependencies:\n  - name: broken\n    source: { type: url }\n    packages:\n      ${PLATFORM}: { archive_type: zip, url: "${base}/files/broken.zip", exports: [ { archive_path: x, target_path: x } ] }\n`;
  const zipMissing = await buildZip([{ name: 'other', data: 'x' }]);
  files.set('/files/missing.zip', { body: zipMissing });
  const deps2 = `tool_dependencies:\n  - name: missing\n    source: { type: url }\n    packages:\n      ${PLATFORM}: { archive_type: zip, url: "${base}/files/missing.zip", exports: [ { archive_path: x, target_path: "../escape" } ] }\n`;
  const t = tree({ broke: { deps }, escape: { deps: deps2 }, fine: {} });
  requests.length = 0;
  const { engine, report, logs } = await load(t);
  assert.deepEqual(report.loaded, ['fine']);
  const broke = report.failed.find((f) => f.skill_id === 'broke');
  assert.match(broke.message, /Failed to open zip archive: .*\. Automatic redownload and reinstall also failed: Failed to open zip archive: /);
  assert.equal(requests.filter((p) => p === '/files/broken.zip').length, 2);
  assert.ok(logs.some((r) => r.message.startsWith("Dependency 'broken' install from cached archive failed once, retrying after cache cleanup: ")));
  assert.match(report.failed.find((f) => f.skill_id === 'escape').message, /dependency export target '\.\.\/escape' must stay inside the dependency root/);
  for (const id of ['broke', 'escape']) {
    const dir = path.join(t.root, 'dependencies', 'tools', id);
    const leftovers = existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((n) => !statSync(path.join(dir, n)).isDirectory()) : [];
    assert.deepEqual(leftovers, [], `no files left for ${id}`);
  }
  await engine.close();
});

test('uninstall removes skill-private dependencies; update removes versions no longer declared', async () => {
  files.set('/files/v1', { body: 'one' });
  files.set('/files/v2', { body: 'two' });
  const deps = (v) => `tool_dependencies:\n  - name: t\n    version: "${v}"\n    source: { type: url }\n    packages:\n      ${PLATFORM}: { url: "${base}/files/v${v}", exports: [ { archive_path: t, target_path: t } ] }\n`;
  const t = tree({});
  mkdirSync(t.skillsDir, { recursive: true });
  const { engine } = await load(t);
  const src = path.join(work, 'src-upd');
  writeSkill(src, 'upd', { deps: deps(1), version: '1.0.0' });
  assert.equal((await engine.installSkill({ source: path.join(src, 'upd'), source_type: 'local_dir' }, { plane: 'system' })).status, 'installed');
  const v1 = toolDir(t, 'upd', 't', '1');
  assert.equal(readFileSync(path.join(v1, 't'), 'utf8'), 'one');
  rmSync(path.join(src, 'upd'), { recursive: true });
  writeSkill(src, 'upd', { deps: deps(2), version: '2.0.0' });
  assert.equal((await engine.updateSkill({ skill_id: 'upd' }, { plane: 'system' })).status, 'updated');
  assert.equal(readFileSync(path.join(toolDir(t, 'upd', 't', '2'), 't'), 'utf8'), 'two');
  assert.equal(existsSync(v1), false, 'the v1 install root is removed by the diff-clean');
  const removed = await engine.uninstallSkill('upd', { plane: 'system' });
  assert.equal(removed.skill_removed, true);
  assert.equal(existsSync(path.join(t.root, 'dependencies', 'tools', 'upd')), false);
  await engine.close();
});
