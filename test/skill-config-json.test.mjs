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
    assert.match(refreshed.result.revision, /^[0-9]+$/);

    assert.match(JSON.parse(await j.getJson('{oops')).error, /^skill_config_get_json received invalid JSON input: /);
    assert.deepEqual(JSON.parse(await j.getJson('[]')), { ok: false, error: 'skill_config_get_json expects a JSON object' });
    assert.deepEqual(JSON.parse(await j.getJson('{"skill_id":"typed"}')), { ok: false, error: 'skill_config_get_json: key must be a string' });
    assert.match(JSON.parse(await j.setJson('{"skill_id":"typed","values":{},"expected_revision":7}')).error, /expected_revision must be a decimal string/);
  } finally {
    await engine.close();
  }
});
