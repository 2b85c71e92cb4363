// Engine host options: upstream names in JSON, camelCase in TS, the runtime-root layout.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { LuaSkillsEngine, engineOptionsFromJson, resolveHostPaths } from '../dist/index.js';

test('a runtime root derives every directory, overwriting explicit ones', () => {
  assert.deepEqual(resolveHostPaths({ runtimeRoot: '/rt', tempDir: '/elsewhere' }), {
    runtimeRoot: '/rt',
    tempDir: '/rt/temp',
    resourcesDir: '/rt/resources',
    luaPackagesDir: '/rt/lua_packages',
    hostProvidedToolRoot: '/rt/bin',
    hostProvidedLuaRoot: '/rt/lua_packages',
    hostProvidedFfiRoot: '/rt/libs',
    systemLuaLibDir: '/rt/system_lua_lib',
    downloadCacheRoot: '/rt/temp/downloads',
    skillConfigFilePath: null,
    skillConfigRoot: '/rt/config',
    dependencyDirName: 'dependencies',
    stateDirName: 'state',
    databaseDirName: 'databases',
  });
  // An explicit config root is the one thing a runtime root does not overwrite.
  assert.equal(resolveHostPaths({ runtimeRoot: '/rt', skillConfigRoot: '/cfg' }).skillConfigRoot, '/cfg');
  assert.equal(resolveHostPaths({ runtimeRoot: '/rt', skillConfigFilePath: '/x.json' }).skillConfigFilePath, null);
  assert.throws(() => new LuaSkillsEngine({ skillConfigRoot: 'relative/cfg' }), /options\.skillConfigRoot: expected an absolute path/);
  assert.deepEqual(engineOptionsFromJson('{"host_options":{"skill_config_root":"/c"}}'), { skillConfigRoot: '/c' });
  const plain = resolveHostPaths({ tempDir: '/t', stateDirName: 'st' });
  assert.equal(plain.tempDir, '/t');
  assert.equal(plain.stateDirName, 'st');
  assert.equal(plain.resourcesDir, null);
  assert.equal(plain.dependencyDirName, '');
});

test('JSON options use upstream names; errors name the field', () => {
  assert.deepEqual(
    engineOptionsFromJson(JSON.stringify({
      pool_config: { min_size: 1, max_size: 3, idle_ttl_secs: 30 },
      host_options: { runtime_root: '/rt', ignored_skill_ids: ['x'], reserved_entry_names: [], allow_network_download: false },
    })),
    { runtimeRoot: '/rt', ignoredSkillIds: ['x'], reservedEntryNames: [], allowNetworkDownload: false, pool: { minSize: 1, maxSize: 3, idleTtlSec: 30 } },
  );
  assert.throws(() => engineOptionsFromJson('{'), /^TypeError: Invalid engine options JSON: /);
  assert.throws(() => engineOptionsFromJson('{"host_options":{"temp_dir":5}}'), (e) => e instanceof TypeError && /host_options\.temp_dir/.test(e.message));
  assert.throws(() => engineOptionsFromJson('{"host_options":{"tmp_dir":"/x"}}'), /tmp_dir/);
  assert.throws(() => engineOptionsFromJson('{"pool_config":{"min_size":1}}'), /pool_config/);
});

test('fromJsonOptions builds an engine; the runtime-root layout places disabled-state records', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'luaskills-opts-'));
  const skills = path.join(root, 'skills');
  mkdirSync(path.join(skills, 'demo-a', 'runtime'), { recursive: true });
  writeFileSync(path.join(skills, 'demo-a', 'skill.yaml'), 'name: A\nversion: 1.0.0\nentries:\n  - name: go\n    lua_entry: runtime/go.lua\n    lua_module: demo_a_go\n');
  writeFileSync(path.join(skills, 'demo-a', 'runtime', 'go.lua'), 'return function() return "went" end\n');
  const engine = LuaSkillsEngine.fromJsonOptions(JSON.stringify({ pool_config: { min_size: 0, max_size: 1, idle_ttl_secs: 5 }, host_options: { runtime_root: root } }));
  assert.equal(engine.hostPaths.systemLuaLibDir, path.join(root, 'system_lua_lib'));
  assert.equal(engine.systemLuaLibDir, path.join(root, 'system_lua_lib'));
  assert.deepEqual((await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skills }])).loaded, ['demo-a']);
  assert.equal((await engine.callSkill('demo-a-go')).content, 'went');
  // A disabled-state record under <skills_dir>/../state hides the skill on reload.
  mkdirSync(path.join(root, 'state', 'skills', 'disabled'), { recursive: true });
  writeFileSync(path.join(root, 'state', 'skills', 'disabled', 'demo-a.json'), '{}');
  const report = await engine.reloadFromRoots([{ name: 'ROOT', skills_dir: skills }]);
  assert.deepEqual(report.loaded, []);
  assert.equal(report.skipped.find((s) => s.skill_id === 'demo-a')?.reason, 'disabled_state');
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});
