// Canonical names (collisions, reserved names, order), list_entries and help descriptors, the
// authority filter, is_skill / skill_name_for_tool, and the reload delta.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { SkillRegistry, diffEntryRegistries, isEmptyRegistryDelta, loadSkillSet } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const collide = path.join(here, 'fixtures/skills/collide/skills');
const layers = path.join(here, 'fixtures/skills/layers');
const chain = [
  { name: 'ROOT', skills_dir: path.join(layers, 'root/skills') },
  { name: 'PROJECT', skills_dir: path.join(layers, 'project/skills') },
  { name: 'USER', skills_dir: path.join(layers, 'user/skills') },
];

test('collisions get -2 in (base, directory, skill, entry, module) order; reserved names are skipped', async () => {
  const plain = await loadSkillSet([{ name: 'ROOT', skills_dir: collide }]);
  assert.deepEqual(plain.registry.entries.map((e) => [e.canonical_name, e.skill.skill_id, e.entry.name]), [
    ['demo-notes-add', 'demo', 'notes-add'],
    ['demo-notes-add-2', 'demo-notes', 'add'],
  ]);
  const reserved = await loadSkillSet([{ name: 'ROOT', skills_dir: collide }], { reservedEntryNames: ['demo-notes-add', 'demo-notes-add-3'] });
  assert.deepEqual(reserved.registry.entries.map((e) => e.canonical_name), ['demo-notes-add-2', 'demo-notes-add-4']);
  assert.equal(reserved.registry.canonicalNameOf('demo-notes', 'add'), 'demo-notes-add-4');
  assert.equal(reserved.registry.resolve('demo-notes-add'), undefined);
});

test('list_entries: exact descriptors, sorted by canonical name; delegated_tool hides ROOT', async () => {
  const { registry } = await loadSkillSet(chain);
  assert.deepEqual(registry.listEntries().map((e) => e.canonical_name), [
    'alpha-add', 'alpha-search', 'beta-run', 'delta-mod-go', 'gamma-go', 'gone-run', 'off-run', 'paused-run', 'shared-ping', 'skipme-run',
  ].filter((n) => n !== 'off-run')); // no empty ROOT/gone here: PROJECT's gone loads
  const beta = registry.listEntries().find((e) => e.canonical_name === 'beta-run');
  assert.deepEqual(beta, {
    canonical_name: 'beta-run',
    skill_id: 'beta',
    local_name: 'run',
    root_name: 'PROJECT',
    skill_dir: path.join(layers, 'project/skills/beta'),
    description: '',
    parameters: [
      { name: 'a', param_type: 'string', description: 'First.', required: true },
      { name: 'b', param_type: 'boolean', description: '', required: false },
    ],
    input_schema: { type: 'object', properties: { b: { type: 'boolean' }, a: { type: 'string', description: 'First.' } }, required: ['a'] },
  });
  assert.deepEqual(registry.listEntries('delegated_tool').map((e) => e.canonical_name), [
    'beta-run', 'delta-mod-go', 'gamma-go', 'gone-run', 'paused-run', 'skipme-run',
  ]);
  assert.throws(() => registry.listEntries('root'), { name: 'TypeError', message: `Invalid authority: expected 'system' or 'delegated_tool', got "root"` });
  // Two skills sharing lua_module "main" both load, under their own canonical names.
  assert.deepEqual(['gamma-go', 'delta-mod-go'].map((n) => registry.resolve(n).entry.lua_module), ['main', 'main']);
});

test('is_skill and skill_name_for_tool: exact canonical names, filtered by authority', async () => {
  const { registry } = await loadSkillSet(chain);
  assert.equal(registry.isSkill('alpha-add'), true);
  assert.equal(registry.isSkill('alpha-add', 'delegated_tool'), false);
  assert.equal(registry.isSkill('beta-run', 'delegated_tool'), true);
  assert.equal(registry.isSkill('alpha'), false);
  assert.equal(registry.isSkill(' alpha-add'), false);
  assert.equal(registry.skillNameForTool('alpha-search'), 'alpha');
  assert.equal(registry.skillNameForTool('alpha-search', 'delegated_tool'), undefined);
  assert.equal(registry.skillNameForTool('gamma-go', 'delegated_tool'), 'gamma');
});

test('help descriptors: one per skill sorted by id, main relates every entry, topics their own', async () => {
  const { registry } = await loadSkillSet(chain);
  assert.deepEqual(registry.skillHelp('alpha'), {
    skill_id: 'alpha',
    skill_name: 'Alpha Notes',
    skill_version: '0.1.0',
    root_name: 'ROOT',
    skill_dir: path.join(layers, 'root/skills/alpha'),
    main: { flow_name: 'main', description: 'Overview of alpha.', related_entries: ['alpha-add', 'alpha-search'], is_main: true },
    flows: [{ flow_name: 'search-flow', description: 'How to search.', related_entries: ['alpha-search'], is_main: false }],
  });
  assert.deepEqual(registry.skillHelp('gamma').main, { flow_name: 'main', description: '', related_entries: ['gamma-go'], is_main: true });
  assert.deepEqual(registry.listSkillHelp().map((h) => h.skill_id), ['alpha', 'beta', 'delta-mod', 'gamma', 'gone', 'paused', 'shared', 'skipme']);
  assert.deepEqual(registry.listSkillHelp('delegated_tool').map((h) => h.skill_id), ['beta', 'delta-mod', 'gamma', 'gone', 'paused', 'skipme']);
  assert.equal(registry.skillHelp('alpha', 'delegated_tool'), undefined);
  assert.equal(registry.skillHelp('nope'), undefined);
});

test('reload delta: added, removed and updated canonical names', async () => {
  const before = await loadSkillSet(chain);
  const after = await loadSkillSet(chain, { ignoredSkillIds: ['gamma'], reservedEntryNames: ['beta-run'] });
  const delta = diffEntryRegistries(before.registry, after.registry);
  assert.deepEqual(delta.added_entries.map((e) => e.canonical_name), ['beta-run-2']);
  assert.deepEqual(delta.removed_entry_names, ['beta-run', 'gamma-go']);
  assert.deepEqual(delta.updated_entries, []);
  assert.equal(isEmptyRegistryDelta(diffEntryRegistries(before.registry, before.registry)), true);
  const changed = before.registry.listEntries().map((e) => (e.canonical_name === 'alpha-add' ? { ...e, description: 'old' } : e));
  const update = diffEntryRegistries(changed, before.registry);
  assert.deepEqual(update.updated_entries.map((e) => [e.canonical_name, e.description]), [['alpha-add', 'Append one note.']]);
  assert.deepEqual(diffEntryRegistries(null, before.registry).added_entries.length, before.registry.size);
});

test('hand-built registries refuse a duplicate skill id', async () => {
  const { packages } = await loadSkillSet([{ name: 'ROOT', skills_dir: collide }]);
  assert.throws(() => new SkillRegistry([packages[0], packages[0]]), { name: 'TypeError', message: "SkillRegistry: skill id 'demo' appears twice" });
});
