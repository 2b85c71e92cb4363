// Root chain rules, effective resolution across three layers (first root wins, empty directory
// and enable: false hide lower layers), host filters, and a broken skill that breaks nothing else.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

import { disabledRecordPath, loadSkillSet, validateSkillRootChain } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Git keeps no empty directories, so the layers are copied and the empty one made here.
const scratch = mkdtempSync(path.join(tmpdir(), 'luaskills-roots-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
cpSync(path.join(here, 'fixtures/skills/layers'), scratch, { recursive: true });
mkdirSync(path.join(scratch, 'root/skills/gone'));
const dirOf = (layer) => path.join(scratch, layer, 'skills');
const chain = [
  { name: 'ROOT', skills_dir: dirOf('root') },
  { name: 'project', skills_dir: dirOf('project') },
  { name: ' User ', skills_dir: dirOf('user') },
];

test('chain rules: upstream texts, verbatim', () => {
  const refuse = (roots, message) => assert.throws(() => validateSkillRootChain(roots), { name: 'SkillRootError', code: 'invalid_skill_roots', message });
  const r = (name) => ({ name, skills_dir: '/x' });
  refuse([], 'ROOT skill root is required; pass a ROOT layer before starting LuaSkills');
  refuse([r('PROJECT'), r('USER')], 'ROOT skill root is required; pass a ROOT layer before starting LuaSkills');
  refuse([r('ROOT'), r('OVERRIDE')], "unsupported skill root label 'OVERRIDE'; expected one of ROOT, PROJECT, USER");
  refuse([r('ROOT'), r('user'), r('USER')], "duplicate skill root label 'USER'; only one ROOT, PROJECT, and USER root is supported");
  refuse([r('ROOT'), r('USER'), r('PROJECT')], 'skill roots must be ordered by fixed priority ROOT -> PROJECT -> USER');
  refuse([r('PROJECT'), r('ROOT')], 'skill roots must be ordered by fixed priority ROOT -> PROJECT -> USER');
  assert.throws(() => validateSkillRootChain([{ name: 'ROOT' }]), { name: 'TypeError', message: /^Invalid skill roots\.0\.skills_dir: / });
  assert.deepEqual(validateSkillRootChain([{ name: ' root ', skills_dir: 'rel/skills' }, r('USER')]), [
    { name: 'ROOT', skills_dir: path.resolve('rel/skills') },
    { name: 'USER', skills_dir: '/x' },
  ]);
});

test('loadSkillSet rejects a broken chain and bad options before touching the disk', async () => {
  await assert.rejects(loadSkillSet([{ name: 'USER', skills_dir: '/nope' }]), { name: 'SkillRootError' });
  await assert.rejects(loadSkillSet(chain, { ignored: [] }), { name: 'TypeError', message: 'Invalid skill load options.ignored: Unexpected property' });
});

test('layering: first root wins, empty dir and enable:false hide lower layers, filters, failures', async () => {
  const set = await loadSkillSet(chain, { ignoredSkillIds: [' skipme '], stateDirName: 'state' });
  assert.deepEqual(set.roots.map((r) => r.name), ['ROOT', 'PROJECT', 'USER']);
  assert.deepEqual(set.report.loaded, ['alpha', 'beta', 'delta-mod', 'gamma', 'shared']);
  assert.deepEqual(set.packages.map((p) => [p.skill_id, p.root_name, p.version]), [
    ['alpha', 'ROOT', '0.1.0'],
    ['beta', 'PROJECT', '1.2.3-beta.1+build.7'],
    ['delta-mod', 'USER', '1.0.0'],
    ['gamma', 'USER', '1.0.0'],
    ['shared', 'ROOT', '2.0.0'],
  ]);
  const skipped = set.report.skipped.map(({ skill_id, root_name, skill_dir, reason, message }) => ({ skill_id, root_name, skill_dir, reason, message }));
  assert.deepEqual(skipped, [
    { skill_id: 'gone', root_name: 'ROOT', skill_dir: path.join(dirOf('root'), 'gone'), reason: 'empty_dir', message: `skill 'gone' is hidden by the empty directory ${path.join(dirOf('root'), 'gone')}` },
    { skill_id: 'gone', root_name: 'PROJECT', skill_dir: path.join(dirOf('project'), 'gone'), reason: 'shadowed', message: `skill 'gone' in PROJECT is shadowed by ROOT (${path.join(dirOf('root'), 'gone')})` },
    { skill_id: 'off', root_name: 'ROOT', skill_dir: path.join(dirOf('root'), 'off'), reason: 'manifest_disabled', message: `skill 'off' is disabled by enable: false in ${path.join(dirOf('root'), 'off/skill.yaml')}` },
    { skill_id: 'off', root_name: 'PROJECT', skill_dir: path.join(dirOf('project'), 'off'), reason: 'shadowed', message: `skill 'off' in PROJECT is shadowed by ROOT (${path.join(dirOf('root'), 'off')})` },
    { skill_id: 'shared', root_name: 'PROJECT', skill_dir: path.join(dirOf('project'), 'shared'), reason: 'shadowed', message: `skill 'shared' in PROJECT is shadowed by ROOT (${path.join(dirOf('root'), 'shared')})` },
    { skill_id: 'paused', root_name: 'PROJECT', skill_dir: path.join(dirOf('project'), 'paused'), reason: 'disabled_state', message: `Skipped disabled skill 'paused' (${path.join(scratch, 'project/state/skills/disabled/paused.json')})` },
    { skill_id: 'skipme', root_name: 'PROJECT', skill_dir: path.join(dirOf('project'), 'skipme'), reason: 'ignored', message: "Skipped host-ignored skill 'skipme'" },
  ]);
  assert.deepEqual(set.report.failed, [
    { skill_id: 'broken', root_name: 'USER', skill_dir: path.join(dirOf('user'), 'broken'), code: 'manifest_schema', message: "skill.yaml: unknown field 'colour'" },
  ]);
  assert.deepEqual(set.report.roots, [
    { root_name: 'ROOT', skills_dir: dirOf('root'), exists: true },
    { root_name: 'PROJECT', skills_dir: dirOf('project'), exists: true },
    { root_name: 'USER', skills_dir: dirOf('user'), exists: true },
  ]);
});

test('disabled records: upstream default state dir is "" ; runtimeRoot implies "state"', async () => {
  assert.equal(disabledRecordPath('/rt/skills', '', 'x'), '/rt/skills/disabled/x.json');
  assert.equal(disabledRecordPath('/rt/skills', 'state', 'x'), '/rt/state/skills/disabled/x.json');
  const plain = await loadSkillSet(chain);
  assert.ok(plain.report.loaded.includes('paused'), 'no state dir name: the record under state/ is not consulted');
  const layout = await loadSkillSet(chain, { runtimeRoot: scratch, stateDirName: 'ignored-when-runtime-root' });
  assert.ok(!layout.report.loaded.includes('paused'));
});

test('absent roots load nothing; invalid directory names and plain files are skipped', async () => {
  const none = await loadSkillSet([{ name: 'ROOT', skills_dir: path.join(scratch, 'missing') }]);
  assert.deepEqual([none.packages, none.report.loaded, none.report.failed, none.registry.size], [[], [], [], 0]);
  assert.deepEqual(none.report.roots, [{ root_name: 'ROOT', skills_dir: path.join(scratch, 'missing'), exists: false }]);
  const invalid = await loadSkillSet([{ name: 'ROOT', skills_dir: path.join(here, 'fixtures/skills/invalid/skills') }]);
  assert.deepEqual(invalid.report.loaded, ['valid-one']);
  assert.deepEqual(invalid.report.skipped.map((s) => [s.skill_id, s.reason]), [['Bad_Dir', 'invalid_dir_name']]);
  assert.equal(invalid.report.failed.length, 24);
  assert.ok(invalid.report.failed.every((f) => f.root_name === 'ROOT' && typeof f.code === 'string'));
});
