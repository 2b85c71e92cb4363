// Skill lifecycle on real folders: install and update from local directories, uninstall with
// and without databases, enable / disable, every guard's refusal text, and rollbacks that leave
// folders, records and the registry exactly as they were.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';

const base = mkdtempSync(path.join(tmpdir(), 'luaskills-lifecycle-'));
after(() => rmSync(base, { recursive: true, force: true }));

// A package `id` at `version` whose one entry `hello` returns `text`.
function makePackage(dir, id, version, text, extra = {}) {
  const skill = path.join(dir, id);
  mkdirSync(path.join(skill, 'runtime'), { recursive: true });
  writeFileSync(path.join(skill, 'skill.yaml'), `name: ${id}\nversion: ${version}\nentries:\n  - name: hello\n    description: hi\n    lua_entry: runtime/hello.lua\n    lua_module: ${id.replace(/-/g, '_')}_hello\n`);
  writeFileSync(path.join(skill, 'runtime', 'hello.lua'), extra.source ?? `return function() return ${JSON.stringify(text)} end`);
  return skill;
}

// A runtime root with ROOT / PROJECT / USER layers (upstream SDK layout) and a loaded engine.
async function setup(name) {
  const root = path.join(base, name);
  for (const d of ['root_skills', 'project_skills', 'user_skills', 'sources']) mkdirSync(path.join(root, d), { recursive: true });
  makePackage(path.join(root, 'root_skills'), 'core', '1.0.0', 'core');
  const engine = new LuaSkillsEngine({ runtimeRoot: root, pool: { minSize: 0, maxSize: 1 } });
  const roots = [
    { name: 'ROOT', skills_dir: path.join(root, 'root_skills') },
    { name: 'PROJECT', skills_dir: path.join(root, 'project_skills') },
    { name: 'USER', skills_dir: path.join(root, 'user_skills') },
  ];
  await engine.loadFromRoots(roots);
  const progress = [];
  const lifecycle = [];
  engine.on('skill-progress', (e) => progress.push(e));
  engine.on('skill-lifecycle', (e) => lifecycle.push(e));
  const names = () => engine.listEntries().map((e) => e.canonical_name);
  const snapshot = () => ({
    user: readdirSync(path.join(root, 'user_skills')).sort(),
    state: existsSync(path.join(root, 'state')) ? listTree(path.join(root, 'state')) : [],
    entries: names(),
  });
  return { root, engine, roots, progress, lifecycle, names, snapshot, src: path.join(root, 'sources') };
}

function listTree(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    out.push(prefix + name);
    try {
      out.push(...listTree(full, `${prefix}${name}/`));
    } catch {
      /* a file */
    }
  }
  return out;
}

test('install from a local directory, call it, update it, uninstall it', async () => {
  const t = await setup('basic');
  const v1 = makePackage(t.src, 'notes', '1.0.0', 'v1');
  const installed = await t.engine.installSkill({ source: v1, source_type: 'local_dir' });
  assert.deepEqual(installed, {
    skill_id: 'notes', status: 'installed', message: "skill 'notes' 1.0.0 installed into root 'USER'",
    version: '1.0.0', source_type: 'local_dir', source_locator: v1,
  });
  assert.equal((await t.engine.callSkill('notes-hello')).content, 'v1');
  assert.deepEqual(readdirSync(path.join(t.root, 'state', 'install_tmp')), []); // staging cleaned
  const record = readFileSync(path.join(t.root, 'state', 'installs', 'notes.yaml'), 'utf8');
  assert.match(record, /managed: true/);
  assert.match(record, /source_type: local_dir/);
  assert.deepEqual(t.lifecycle.at(-1), { plane: 'Skills', action: 'Install', skill_id: 'notes', root_name: 'USER', status: 'installed', message: installed.message });
  const phases = t.progress.filter((e) => e.operation_id === t.progress.at(-1).operation_id).map((e) => e.phase);
  assert.deepEqual(phases, ['validating_request', 'resolving_source', 'source_resolved', 'extracting_archive', 'validating_skill_manifest', 'staging_install', 'reloading_runtime', 'committing', 'completed']);
  assert.deepEqual(t.progress.at(-1).sequence, phases.length);

  assert.equal((await t.engine.installSkill({ source: v1, source_type: 'local_dir' })).status, 'already_installed');
  assert.equal((await t.engine.updateSkill({ skill_id: 'notes' })).status, 'up_to_date');
  rmSync(v1, { recursive: true });
  makePackage(t.src, 'notes', '1.1.0', 'v2');
  const updated = await t.engine.updateSkill({ skill_id: 'notes' });
  assert.equal(updated.status, 'updated');
  assert.equal(updated.message, "skill 'notes' updated from 1.0.0 to 1.1.0 in root 'USER'");
  assert.equal((await t.engine.callSkill('notes-hello')).content, 'v2');
  assert.deepEqual(readdirSync(path.join(t.root, 'state', 'update_backup')), []);
  assert.equal((await t.engine.updateSkill({ skill_id: 'ghost' })).status, 'missing_skill');

  mkdirSync(path.join(t.root, 'databases', 'sqlite', 'notes'), { recursive: true });
  const removed = await t.engine.uninstallSkill('notes');
  assert.deepEqual(removed, {
    skill_id: 'notes', skill_removed: true, sqlite_removed: false, lancedb_removed: false, sqlite_retained: true, lancedb_retained: true,
    message: 'skill package removed=true sqlite_removed=false sqlite_retained=true lancedb_removed=false lancedb_retained=true',
  });
  assert.equal(existsSync(path.join(t.root, 'user_skills', 'notes')), false);
  assert.equal(existsSync(path.join(t.root, 'state', 'installs', 'notes.yaml')), false);
  assert.equal(existsSync(path.join(t.root, 'databases', 'sqlite', 'notes')), true); // retained
  assert.deepEqual(t.names(), ['core-hello']);
  await t.engine.installSkill({ source: path.join(t.src, 'notes'), source_type: 'local_dir' });
  const purged = await t.engine.uninstallSkill('notes', { removeSqlite: true, removeLancedb: true });
  assert.deepEqual([purged.sqlite_removed, purged.sqlite_retained, purged.lancedb_removed, purged.lancedb_retained], [true, false, false, false]);
  assert.equal(existsSync(path.join(t.root, 'databases', 'sqlite', 'notes')), false);
  await t.engine.close();
});

test('enable and disable: a record in the state folder, calls refused while disabled', async () => {
  const t = await setup('state');
  await t.engine.installSkill({ source: makePackage(t.src, 'tool', '1.0.0', 'on'), source_type: 'local_dir' });
  const off = await t.engine.disableSkill('tool', 'maintenance');
  assert.equal(off.enabled, false);
  const record = JSON.parse(readFileSync(path.join(t.root, 'state', 'skills', 'disabled', 'tool.json'), 'utf8'));
  assert.equal(record.skill_id, 'tool');
  assert.equal(record.reason, 'maintenance');
  assert.equal(typeof record.disabled_at_unix_ms, 'number');
  assert.deepEqual(t.names(), ['core-hello']);
  await assert.rejects(t.engine.callSkill('tool-hello'), (err) => err.code === 'skill_not_found');
  assert.equal((await t.engine.enableSkill('tool')).enabled, true);
  assert.equal((await t.engine.callSkill('tool-hello')).content, 'on');
  await assert.rejects(t.engine.disableSkill('nope'), (err) => err.code === 'refused' && err.message === "declared skill instance 'nope' not found");
  await assert.rejects(t.engine.disableSkill('core'), (err) => err.message === 'ROOT skill root is system-controlled and cannot be processed through the skills plane for action Disable');
  await assert.rejects(t.engine.disableSkill('Bad_Id'), (err) => err.code === 'invalid_request');
  assert.equal((await t.engine.disableSkill('core', undefined, { plane: 'system' })).enabled, false);
  await assert.rejects(t.engine.enableSkill('core', { plane: 'system', authority: 'delegated_tool' }), /DelegatedTool authority cannot Enable the system-controlled ROOT skill root/);
  await t.engine.enableSkill('core', { plane: 'system' });
  assert.equal(t.lifecycle.filter((e) => e.status === 'blocked').length, 4);
  await t.engine.close();
});

test('planes, authorities, ROOT ownership and shadowing refusals', async () => {
  const t = await setup('guards');
  const pkg = makePackage(t.src, 'core', '2.0.0', 'shadow');
  await assert.rejects(t.engine.installSkill({ source: pkg, source_type: 'local_dir' }), (err) =>
    err.message === `skill 'core' is managed by the ROOT system layer at ${path.join(t.root, 'root_skills', 'core')}; Install in 'USER' is not allowed until the ROOT skill is removed`);
  await assert.rejects(t.engine.installSkill({ source: pkg, source_type: 'local_dir' }, { targetRoot: 'ROOT' }), /ordinary skills plane cannot Install the system-controlled ROOT skill root/);
  await assert.rejects(t.engine.installSkill({ source: makePackage(t.src, 'sys', '1.0.0', 's'), source_type: 'local_dir' }, { plane: 'system', authority: 'delegated_tool' }), /DelegatedTool authority cannot Install the system-controlled ROOT skill root/);
  assert.equal((await t.engine.installSkill({ source: path.join(t.src, 'sys'), source_type: 'local_dir' }, { plane: 'system' })).message, "skill 'sys' 1.0.0 installed into root 'ROOT'");
  await assert.rejects(t.engine.installSkill({ source: pkg, source_type: 'local_dir' }, { targetRoot: 'ELSEWHERE' }), /target root 'ELSEWHERE' is not part of the full runtime root chain/);
  const p = makePackage(path.join(t.src, 'p'), 'layered', '1.0.0', 'project');
  await t.engine.installSkill({ source: p, source_type: 'local_dir' }, { targetRoot: 'PROJECT' });
  // USER is lower priority than PROJECT: an install there would be shadowed.
  await assert.rejects(t.engine.installSkill({ source: p, source_type: 'local_dir' }, { targetRoot: 'USER' }),
    /skill 'layered' in target root 'USER' is shadowed by higher-priority root 'PROJECT'; update the higher-priority layer or remove that override before changing this fallback root/);
  assert.equal((await t.engine.installSkill({ source: p, source_type: 'local_dir' })).status, 'already_installed');
  await assert.rejects(t.engine.installSkill({ source: 'https://example.com/x.zip', source_type: 'url', skill_id: 'x' }),
    /public URL skill install is disabled by source policy; use github, official_hub, or a host-private system manifest/);
  await assert.rejects(t.engine.installSkill({ source_type: 'github' }), /install\/update request requires skill_id or one source that can derive it/);
  makePackage(path.join(t.root, 'project_skills'), 'handmade', '1.0.0', 'h');
  await t.engine.reloadFromRoots(t.roots);
  await assert.rejects(t.engine.updateSkill({ skill_id: 'handmade' }), (err) =>
    err.code === 'refused' && err.message === "skill 'handmade' is not managed by the install workflow; automatic update is unavailable");
  await t.engine.close();
});

test('failures roll back: a bad manifest, an entry that does not load, a crash between steps', async () => {
  const t = await setup('rollback');
  const before = t.snapshot();
  const bad = makePackage(t.src, 'broken', 'not-semver', 'x');
  await assert.rejects(t.engine.installSkill({ source: bad, source_type: 'local_dir' }), (err) => err.code === 'manifest_invalid');
  const syntax = makePackage(path.join(t.src, 's'), 'syntax', '1.0.0', '', { source: 'return function( end' });
  await assert.rejects(t.engine.installSkill({ source: syntax, source_type: 'local_dir' }), (err) => err.code === 'manifest_invalid' && /does not load/.test(err.message));
  for (const phase of ['staging_install', 'reloading_runtime', 'committing']) {
    const pkg = makePackage(path.join(t.src, phase), 'crashy', '1.0.0', 'c');
    await assert.rejects(
      t.engine.installSkill({ source: pkg, source_type: 'local_dir' }, { onProgress: (e) => { if (e.phase === phase) throw new Error(`crash at ${phase}`); } }),
      new RegExp(`crash at ${phase}`),
    );
    const after = t.snapshot();
    assert.deepEqual(after.user, before.user, phase);
    assert.deepEqual(after.entries, before.entries, phase);
    assert.equal(after.state.filter((p) => /crashy|installs\/.+\.yaml$/.test(p)).length, 0, `${phase}: ${after.state}`);
  }
  // An update that crashes after the swap restores the old version.
  await t.engine.installSkill({ source: makePackage(path.join(t.src, 'u1'), 'stable', '1.0.0', 'old'), source_type: 'local_dir' });
  rmSync(path.join(t.src, 'u1'), { recursive: true });
  makePackage(path.join(t.src, 'u1'), 'stable', '2.0.0', 'new');
  await assert.rejects(t.engine.updateSkill({ skill_id: 'stable' }, { onProgress: (e) => { if (e.phase === 'committing') throw new Error('crash'); } }), /crash/);
  assert.equal((await t.engine.callSkill('stable-hello')).content, 'old');
  assert.match(readFileSync(path.join(t.root, 'state', 'installs', 'stable.yaml'), 'utf8'), /version: 1\.0\.0/);
  assert.deepEqual(readdirSync(path.join(t.root, 'state', 'update_backup')), []);
  assert.equal(t.lifecycle.filter((e) => e.status === 'failed').length, 6);
  await t.engine.close();
});

test('JSON surfaces with upstream envelopes', async () => {
  const t = await setup('json');
  const src = makePackage(t.src, 'jsonny', '1.0.0', 'j');
  const ok = JSON.parse(await t.engine.lifecycle.installSkillJson(JSON.stringify({ skill_roots: t.roots, request: { source: src, source_type: 'local_dir' } })));
  assert.equal(ok.ok, true);
  assert.equal(ok.result.status, 'installed');
  assert.deepEqual(JSON.parse(await t.engine.lifecycle.disableSkillJson('{"skill_id":"jsonny","reason":"r"}')), { ok: true, result: { disabled: true } });
  assert.deepEqual(JSON.parse(await t.engine.lifecycle.enableSkillJson('{"skill_id":"jsonny"}')), { ok: true, result: { enabled: true } });
  assert.deepEqual(JSON.parse(await t.engine.lifecycle.systemDisableSkillJson('{"skill_id":"core"}')), {
    ok: false, error: "system_disable_skill_json requires host-injected authority: use 'system' or 'delegated_tool'",
  });
  assert.deepEqual(JSON.parse(await t.engine.lifecycle.systemDisableSkillJson('{"skill_id":"core","authority":"delegated_tool"}')), {
    ok: false, error: 'DelegatedTool authority cannot Disable the system-controlled ROOT skill root',
  });
  const un = JSON.parse(await t.engine.lifecycle.uninstallSkillJson('{"skill_id":"jsonny","options":{"remove_sqlite":true}}'));
  assert.equal(un.result.sqlite_retained, false);
  assert.equal(JSON.parse(await t.engine.lifecycle.installSkillJson('{bad')).error.startsWith('install_skill_json received invalid JSON input: '), true);
  await t.engine.close();
});

test('operations on one state folder are serialised, also against another process holding the lock', async () => {
  const t = await setup('lock');
  const a = makePackage(path.join(t.src, 'a'), 'alpha', '1.0.0', 'a');
  const b = makePackage(path.join(t.src, 'b'), 'beta', '1.0.0', 'b');
  const [ra, rb] = await Promise.all([
    t.engine.installSkill({ source: a, source_type: 'local_dir' }),
    t.engine.installSkill({ source: b, source_type: 'local_dir' }),
  ]);
  assert.deepEqual([ra.status, rb.status], ['installed', 'installed']);
  assert.deepEqual(t.names(), ['alpha-hello', 'beta-hello', 'core-hello']);
  // A lock left by a dead process is taken over.
  writeFileSync(path.join(t.root, 'state', 'lifecycle.lock'), JSON.stringify({ pid: 999999, created_at_unix_ms: Date.now() }));
  assert.equal((await t.engine.disableSkill('alpha')).enabled, false);
  assert.equal(existsSync(path.join(t.root, 'state', 'lifecycle.lock')), false);
  await t.engine.close();
});

test('a call running during an update finishes on the version it started with', async () => {
  const t = await setup('inflight');
  const slow = 'return function(args) local t = os.clock() while os.clock() - t < 0.4 do end return "%s" end';
  const v1 = makePackage(path.join(t.src, 'x'), 'busy', '1.0.0', '', { source: slow.replace('%s', 'old') });
  await t.engine.installSkill({ source: v1, source_type: 'local_dir' });
  const running = t.engine.callSkill('busy-hello');
  await new Promise((r) => setTimeout(r, 100)); // the call is inside its handler now
  rmSync(v1, { recursive: true });
  makePackage(path.join(t.src, 'x'), 'busy', '2.0.0', '', { source: 'return function() return "new" end' });
  assert.equal((await t.engine.updateSkill({ skill_id: 'busy' })).status, 'updated');
  assert.equal((await running).content, 'old');
  assert.equal((await t.engine.callSkill('busy-hello')).content, 'new');
  await t.engine.close();
});

test('another process holding the lifecycle lock makes an operation wait for it', async () => {
  const t = await setup('xproc');
  await t.engine.installSkill({ source: makePackage(path.join(t.src, 'l'), 'locked', '1.0.0', 'l'), source_type: 'local_dir' });
  const lock = path.join(t.root, 'state', 'lifecycle.lock');
  const marker = path.join(t.root, 'released');
  const { spawn } = await import('node:child_process');
  const holder = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    fs.writeFileSync(${JSON.stringify(lock)}, JSON.stringify({ pid: process.pid, created_at_unix_ms: Date.now() }), { flag: 'wx' });
    process.stdout.write('held\\n');
    setTimeout(() => { fs.writeFileSync(${JSON.stringify(marker)}, 'x'); fs.rmSync(${JSON.stringify(lock)}); }, 600);
  `]);
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  let stderr = '';
  holder.stderr.on('data', (d) => { stderr += d; });
  await new Promise((resolve, reject) => {
    holder.stdout.once('data', resolve);
    holder.once('exit', (code) => reject(new Error(`lock holder exited early (${code}): ${stderr}`)));
  });
  const result = await t.engine.disableSkill('locked');
  assert.equal(result.enabled, false);
  assert.equal(existsSync(marker), true, 'the operation ran only after the other process released the lock');
  await exited;
  await t.engine.close();
});
