// vulcan.runtime.skills.*: the delegated management bridge — off by default, the status and layer
// views, ROOT-targeting payloads refused before dispatch, handler results and errors.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine, engineOptionsFromJson, payloadTargetsRoot } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const probe = `return function(args)
  local f = load("return " .. args.expr, "probe", "t")
  return vulcan.json.encode({ r = f() })
end`;
const { root, skillsDir } = writeSkills({ probe: { run: probe } });
after(() => rmSync(root, { recursive: true, force: true }));
const userDir = path.join(root, 'user-skills');
mkdirSync(userDir);
const projectDir = path.join(root, 'project-skills');
mkdirSync(projectDir);

async function engine(options, roots = [{ name: 'ROOT', skills_dir: skillsDir }]) {
  const e = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, ...options });
  await e.loadFromRoots(roots);
  const run = async (expr) => JSON.parse((await e.callSkill('probe-run', { expr })).content).r;
  return { e, run };
}

test('off by default: status, layers, and every action refused', async () => {
  const { e, run } = await engine({});
  assert.equal(await run('vulcan.runtime.skills.enabled'), false);
  assert.deepEqual(await run('vulcan.runtime.skills.status()'), {
    enabled: false, callback_registered: false, mode: 'host_callback', message: 'Skill management bridge is disabled by host policy',
  });
  assert.deepEqual(await run('vulcan.runtime.skills.layers()'), { writable: false, labels: [], layers: [] });
  for (const op of ['install', 'update', 'uninstall', 'enable', 'disable']) {
    await assert.rejects(run(`vulcan.runtime.skills.${op}({ skill_id = "x" })`), new RegExp(`vulcan\\.runtime\\.skills\\.${op} is disabled by host policy`));
  }
  await e.close();
});

test('enabled: layers of the root chain, ROOT refused, handler dispatch, missing handler, errors', async () => {
  const { e, run } = await engine({ enableSkillManagementBridge: true }, [
    { name: 'ROOT', skills_dir: skillsDir },
    { name: 'PROJECT', skills_dir: projectDir },
    { name: 'USER', skills_dir: userDir },
  ]);
  assert.equal(await run('vulcan.runtime.skills.enabled'), true);
  assert.equal((await run('vulcan.runtime.skills.status()')).message, 'Skill management bridge is enabled but no host callback is registered');
  assert.deepEqual(await run('vulcan.runtime.skills.layers()'), {
    default: 'USER', writable: true, labels: ['PROJECT', 'USER'],
    layers: [
      { label: 'PROJECT', writable: true, description: 'Project skill layer' },
      { label: 'USER', writable: true, description: 'User skill layer' },
    ],
  });
  await assert.rejects(run('vulcan.runtime.skills.install({ skill_id = "x" })'), /vulcan\.runtime\.skills\.install: Runtime skill management bridge is enabled but no host callback is registered/);
  const seen = [];
  e.setSkillManagementHandler(async (request) => {
    seen.push(request);
    if (request.input.fail) throw new Error('not allowed today');
    return { ok: true, action: request.action, skill_id: request.input.skill_id };
  });
  assert.deepEqual((await run('vulcan.runtime.skills.status()')).callback_registered, true);
  assert.deepEqual(await run('vulcan.runtime.skills.disable({ skill_id = "demo", target_layer = "USER" })'), { ok: true, action: 'disable', skill_id: 'demo' });
  assert.deepEqual(seen.at(-1), { action: 'disable', authority: 'delegated_tool', input: { skill_id: 'demo', target_layer: 'USER' } });
  await assert.rejects(run('vulcan.runtime.skills.update({ skill_id = "demo", fail = true })'), /vulcan\.runtime\.skills\.update: not allowed today/);
  for (const payload of ['{ layer = "root" }', '{ ["Target-Root"] = " ROOT " }', '{ options = { targetLayer = "ROOT" } }', '{ target_root = { name = "ROOT" } }', '{ root_name = { "USER", "ROOT" } }']) {
    await assert.rejects(run(`vulcan.runtime.skills.install(${payload})`), /vulcan\.runtime\.skills\.install cannot target the system-controlled ROOT layer/, payload);
  }
  const count = seen.length;
  assert.deepEqual(await run('vulcan.runtime.skills.install({ name = "ROOT", layer = "PROJECT" })'), { ok: true, action: 'install' }); // a skill named ROOT is fine
  assert.equal(seen.length, count + 1);
  await assert.rejects(run('vulcan.runtime.skills.enable(print)'), /vulcan\.runtime\.skills\.enable: json\.encode: Cannot convert a Lua function to JSON/);
  await e.close();
});

test('ROOT payload rule and the JSON capability', () => {
  assert.equal(payloadTargetsRoot({ skill_id: 'root' }), false);
  assert.equal(payloadTargetsRoot({ rootName: 'Root' }), true);
  assert.equal(payloadTargetsRoot([{ nested: { layer: 'ROOT' } }]), true);
  assert.equal(payloadTargetsRoot({ layer: { label: 'PROJECT' } }), false);
  assert.deepEqual(engineOptionsFromJson('{"host_options":{"capabilities":{"enable_managed_io_compat":true,"enable_skill_management_bridge":true}}}'), {
    enableManagedIoCompat: true, enableSkillManagementBridge: true,
  });
});
