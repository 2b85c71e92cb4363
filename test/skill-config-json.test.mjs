// The skill-config JSON surfaces (upstream skill_config_*_json): envelopes, the 0.5.5 batch and
// 0.4.6 single-value forms of set, compare-and-swap, masking of sensitive values, bad input.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const ret = 'return function() return "x" end';
const { root, skillsDir } = writeSkills({ typed: { run: ret }, plain: { run: ret } }, undefined, {
  typed: {
    config: [
      { key: 'limit', type: 'integer', description: 'max items', default: 10, constraints: { minimum: 1, maximum: 100 } },
      { key: 'token', type: 'string', description: 'api token', sensitive: true },
    ],
  },
});
after(() => rmSync(root, { recursive: true, force: true }));

test('list / describe / validate / get / set / delete / refresh as JSON', async () => {
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 } });
  try {
    const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
    assert.deepEqual(report.failed, []);
    const j = engine.configJson;
    const call = async (fn, input) => JSON.parse(await j[fn](JSON.stringify(input)));

    const set = await call('setJson', { skill_id: 'typed', values: { limit: 42, token: 's3cret' } });
    assert.equal(set.ok, true);
    assert.deepEqual(set.result.changed_keys.sort(), ['limit', 'token']);
    const rev = set.result.revision;
    assert.deepEqual((await call('getJson', { skill_id: 'typed', key: 'limit' })).result.value, 42);
    const stale = await call('setJson', { skill_id: 'typed', values: { limit: 5 }, expected_revision: '0' });
    assert.equal(stale.ok, false);
    assert.match(stale.error, /CONFIG_REVISION_CONFLICT/);
    assert.equal((await call('setJson', { skill_id: 'typed', values: { limit: 5 }, expected_revision: rev })).ok, true);
    const bad = await call('setJson', { skill_id: 'typed', values: { limit: 1000 } });
    assert.match(bad.error, /CONFIG_VALUE_OUT_OF_RANGE/);
    assert.match((await call('setJson', { skill_id: 'typed', key: 'nope', value: 'x' })).error, /CONFIG_KEY_UNDECLARED/);
    assert.equal((await call('setJson', { skill_id: 'plain', key: 'mode', value: 'fast' })).ok, true); // 0.4.6 form

    const listed = JSON.stringify(await call('listJson', {}));
    assert.equal(listed.includes('s3cret'), false);
    assert.equal(JSON.stringify(await call('describeJson', { skill_id: 'typed', include_values: true })).includes('s3cret'), false);
    const validation = (await call('validateJson', { skill_id: 'typed' })).result;
    assert.equal(validation.complete, true);
    assert.deepEqual((await call('deleteJson', { skill_id: 'plain', key: 'mode' })).result.deleted, true);
    const refreshed = await call('refreshJson', {});
    assert.equal(refreshed.ok, true);
    // Both stores of the config root; this engine wrote every change itself, so nothing is new.
    assert.deepEqual(refreshed.result.map((r) => [r.store_scope, r.changed]), [['skills', false], ['system-skills', false]]);
    assert.match(refreshed.result[1].revision, /^[1-9][0-9]*$/);
    assert.deepEqual((await call('refreshJson', { store_scope: 'skills' })).result, [{ store_scope: 'skills', revision: '0', changed: false }]);

    assert.match(JSON.parse(await j.getJson('{oops')).error, /^skill_config_get_json received invalid JSON input: /);
    assert.deepEqual(JSON.parse(await j.getJson('[]')), { ok: false, error: 'skill_config_get_json expects a JSON object' });
    assert.deepEqual(JSON.parse(await j.getJson('{"skill_id":"typed"}')), { ok: false, error: 'skill_config_get_json.key: Expected required property' });
    assert.match(JSON.parse(await j.setJson('{"skill_id":"typed","values":{},"expected_revision":7}')).error, /^skill_config_set_json\.expected_revision: /);
    // Every field is checked by its schema, and the refusal names it.
    const refused = async (fn, input) => (await call(fn, input)).error;
    assert.equal(await refused('getJson', { skill_id: 'typed', key: 5 }), 'skill_config_get_json.key: Expected string');
    assert.equal(await refused('getJson', { skill_id: 'typed', key: 'limit', extra: 1 }), 'skill_config_get_json.extra: Unexpected property');
    assert.equal(await refused('setJson', { skill_id: 'typed', values: { limit: [1] } }), 'skill_config_set_json.values.limit: Expected union value');
    assert.equal(await refused('setJson', { skill_id: 'typed', key: 'limit' }), 'skill_config_set_json.value: Expected required property');
    assert.equal(await refused('refreshJson', { store_scope: 'users' }), 'skill_config_refresh_json.store_scope: Expected union value');
    assert.equal(await refused('eventsPollJson', { limit: 0 }), 'skill_config_events_poll_json.limit: Expected integer to be greater or equal to 1');
    assert.equal(await refused('describeJson', { mode: 'installed', include_values: true }), 'skill_config_describe_json: include_values is only allowed in effective mode');
    assert.equal(await refused('describeJson', { root_name: 'ROOT' }), 'skill_config_describe_json: root_name is only allowed in installed mode');
    assert.equal(await refused('eventsPollJson', { after_sequence: '-1' }), 'afterSequence must be a decimal string of an unsigned 64-bit integer');
  } finally {
    await engine.close();
  }
});
