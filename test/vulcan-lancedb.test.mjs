// vulcan.lancedb: the disabled binding, a host provider (upstream host_callback), and the default
// provider on @lancedb/lancedb when that optional package is installed (skipped otherwise).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const roots = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const RUN = `return function(args)
  local chunk = assert(load(args.code, "=code", "t"))
  return vulcan.json.encode(chunk())
end`;

async function setup() {
  const t = writeSkills({ vec: { run: RUN }, other: { run: RUN } }, undefined, { vec: { lancedb: { enable: true } } });
  roots.push(t.root);
  const engine = new LuaSkillsEngine({ runtimeRoot: t.root, pool: { minSize: 0, maxSize: 2 } });
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: t.skillsDir }]);
  return { t, engine };
}
const run = async (engine, name, code) => JSON.parse((await engine.callSkill(name, { code })).content);

let lancedbInstalled = true;
try {
  createRequire(import.meta.url).resolve('@lancedb/lancedb');
} catch {
  lancedbInstalled = false;
}

test('disabled lancedb binding and enabled status', async () => {
  const { t, engine } = await setup();
  try {
    const off = await run(engine, 'other-run', `local ok, e = pcall(vulcan.lancedb.vector_search, {})
      return { enabled = vulcan.lancedb.enabled, status = vulcan.lancedb.info(), err = e }`);
    assert.deepEqual(off, {
      enabled: false,
      status: { enabled: false, initialized: false, skill_name: 'other', integration_mode: 'dynamic_library', reason: 'current skill has not enabled lancedb' },
      err: 'current skill has not enabled lancedb',
    });
    const on = await run(engine, 'vec-run', 'return { enabled = vulcan.lancedb.enabled, status = vulcan.lancedb.status(), sqlite = vulcan.sqlite.enabled }');
    assert.equal(on.enabled, true);
    assert.equal(on.sqlite, false);
    assert.equal(on.status.skill_name, 'vec');
    assert.equal(on.status.binding_tag, 'ROOT-vec');
    assert.equal(on.status.database_path, path.join(t.root, 'databases', 'lancedb', 'vec'));
    assert.equal(on.status.slow_log_threshold_ms, 800);
    assert.equal(on.status.library_name, '@lancedb/lancedb');
  } finally {
    await engine.close();
  }
});

test('a host LanceDB provider: request shapes, vector_upsert payload, data_json of a JSON search', async () => {
  const { t, engine } = await setup();
  const seen = [];
  engine.setDatabaseProvider('lancedb', (request) => {
    seen.push(request);
    if (request.action === 'vector_search') {
      return { meta: { message: 'ok', format: 'json', rows: 1 }, data_base64: Buffer.from('[{"id":"a","_distance":0}]').toString('base64') };
    }
    if (request.action === 'drop_table') throw new Error('table busy');
    return { message: request.action };
  });
  try {
    const out = await run(engine, 'vec-run', `local l = vulcan.lancedb
      local r = {}
      r.create = l.create_table({ table_name = "docs", columns = { { name = "id", column_type = "string" } } })
      r.up = l.vector_upsert({ table_name = "docs", rows = { { id = "a", vector = { 1, 0 } } }, key_columns = { "id" } })
      r.search = l.vector_search({ table_name = "docs", vector = { 1, 0 }, limit = 1 })
      local ok, e = pcall(l.drop_table, { table_name = "docs" })
      r.err = e
      local ok2, e2 = pcall(l.vector_upsert, { table_name = "docs" })
      r.err2 = e2
      return r`);
    assert.deepEqual(out.create, { message: 'create_table' });
    assert.deepEqual(out.search, { message: 'ok', format: 'json', rows: 1, data_json: '[{"id":"a","_distance":0}]' });
    assert.equal(out.err, 'table busy');
    assert.equal(out.err2, 'lancedb.vector_upsert: input requires rows or data');
    assert.deepEqual(seen.map((r) => r.action), ['create_table', 'vector_upsert', 'vector_search', 'drop_table']);
    const up = seen[1].input;
    assert.equal(up.input_format, 'json');
    assert.deepEqual(JSON.parse(up.data), [{ id: 'a', vector: [1, 0] }]);
    assert.deepEqual(JSON.parse(Buffer.from(up.data_base64, 'base64').toString()), [{ id: 'a', vector: [1, 0] }]);
    assert.equal(seen[2].input.output_format, 'json');
    assert.equal(seen[0].binding.database_kind, 'lance_db');
    assert.equal(seen[0].binding.default_database_path, path.join(t.root, 'databases', 'lancedb', 'vec'));
  } finally {
    await engine.close();
  }
});

test('the default provider on @lancedb/lancedb: create, upsert, search, delete, drop', { skip: !lancedbInstalled && '@lancedb/lancedb is not installed' }, async () => {
  const { engine } = await setup();
  try {
    const out = await run(engine, 'vec-run', `local l = vulcan.lancedb
      local r = {}
      r.create = l.create_table({ table_name = "docs", columns = {
        { name = "id", column_type = "string", nullable = false },
        { name = "text", column_type = "string" },
        { name = "vector", column_type = "vector_float32", vector_dim = 3 } } })
      r.up = l.vector_upsert({ table_name = "docs", rows = {
        { id = "a", text = "alpha", vector = { 1, 0, 0 } },
        { id = "b", text = "beta", vector = { 0, 1, 0 } },
        { id = "c", text = "gamma", vector = { 0, 0, 1 } } } })
      r.merge = l.vector_upsert({ table_name = "docs", key_columns = { "id" }, rows = {
        { id = "a", text = "alpha2", vector = { 0.9, 0.1, 0 } }, { id = "d", text = "delta", vector = { 0.5, 0.5, 0 } } } })
      r.search = l.vector_search({ table_name = "docs", vector = { 1, 0, 0 }, limit = 2 })
      r.rows = vulcan.json.decode(r.search.data_json)
      r.del = l.delete({ table_name = "docs", condition = "id = 'c'" })
      r.drop = l.drop_table({ table_name = "docs" })
      local ok, e = pcall(l.vector_search, { table_name = "docs", vector = { 1, 0, 0 } })
      r.err = e
      return r`);
    assert.equal(out.create.message, 'table docs ready');
    assert.equal(out.up.input_rows, 3);
    assert.equal(out.up.inserted_rows, 3);
    assert.equal(out.merge.inserted_rows, 1);
    assert.equal(out.merge.updated_rows, 1);
    assert.equal(out.search.format, 'json');
    assert.equal(out.search.rows, 2);
    assert.deepEqual(out.rows.map((r) => r.id), ['a', 'd']);
    assert.equal(out.rows[0].text, 'alpha2');
    assert.equal(out.del.deleted_rows, 1);
    assert.equal(out.drop.message, 'table docs dropped');
    assert.ok(typeof out.err === 'string' && out.err.length > 0);
  } finally {
    await engine.close();
  }
});
