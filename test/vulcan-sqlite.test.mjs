// vulcan.sqlite: the per-skill SQLite binding on better-sqlite3 (real files in temp dirs), the
// disabled binding, binding switches through vulcan.call, a host provider, and slow-log records.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const roots = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

// Every entry runs `args.code` (a chunk body) and returns its value as JSON.
const RUN = `return function(args)
  local chunk = assert(load(args.code, "=code", "t"))
  return vulcan.json.encode(chunk())
end`;

function tree(extras = {}, skills = { db: { run: RUN }, other: { run: RUN } }) {
  const t = writeSkills(skills, undefined, extras);
  roots.push(t.root);
  return t;
}

async function engineOn({ root, skillsDir }, options = {}) {
  const engine = new LuaSkillsEngine({ runtimeRoot: root, pool: { minSize: 0, maxSize: 2 }, ...options });
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
  return engine;
}

const run = async (engine, name, code) => JSON.parse((await engine.callSkill(name, { code })).content);

const ENABLED = { db: { sqlite: { enable: true } } };

test('status and info of an enabled binding: upstream keys, paths under <root>/databases', async () => {
  const t = tree(ENABLED);
  const engine = await engineOn(t);
  try {
    const out = await run(engine, 'db-run', 'return { enabled = vulcan.sqlite.enabled, status = vulcan.sqlite.status(), info = vulcan.sqlite.info() }');
    const file = path.join(t.root, 'databases', 'sqlite', 'db', 'db.sqlite3');
    assert.equal(out.enabled, true);
    const s = out.status;
    assert.deepEqual(Object.keys(s).sort(), [
      'binding_tag', 'capabilities', 'database_path', 'default_database_path', 'enabled', 'ffi_stage', 'initialized',
      'integration_mode', 'library_name', 'library_path', 'library_version', 'log_level', 'root_name', 'skill_dir_name',
      'skill_name', 'slow_log_enabled', 'slow_log_threshold_ms', 'space_label', 'space_root',
    ]);
    assert.equal(s.enabled, true);
    assert.equal(s.initialized, true);
    assert.equal(s.skill_name, 'db');
    assert.equal(s.skill_dir_name, 'db');
    assert.equal(s.database_path, file);
    assert.equal(s.default_database_path, file);
    assert.equal(s.space_root, path.join(t.root, 'databases'));
    assert.equal(s.space_label, 'ROOT');
    assert.equal(s.root_name, 'ROOT');
    assert.equal(s.binding_tag, 'ROOT-db');
    assert.equal(s.integration_mode, 'dynamic_library');
    assert.equal(s.library_name, 'better-sqlite3');
    assert.equal(s.log_level, 'info');
    assert.equal(s.slow_log_enabled, false);
    assert.equal(s.slow_log_threshold_ms, 500);
    assert.ok(s.capabilities.includes('search_fts'));
    assert.deepEqual({ ...out.info, library_info: undefined }, { ...s, library_info: undefined });
    assert.equal(out.info.library_info.name, 'better-sqlite3');
    assert.match(out.info.library_info.sqlite_version, /^3\.\d+/);
    // Opened lazily: status does not create the file.
    assert.equal(existsSync(file), false);
    await run(engine, 'db-run', 'return vulcan.sqlite.execute_script({ sql = "create table t(a)" })');
    assert.equal(existsSync(file), true);
  } finally {
    await engine.close();
  }
});

const DISABLED_METHODS = [
  'execute_script', 'execute_batch', 'query_json', 'query_stream', 'query_stream_wait_metrics', 'query_stream_chunk',
  'query_stream_close', 'tokenize_text', 'upsert_custom_word', 'remove_custom_word', 'list_custom_words',
  'ensure_fts_index', 'rebuild_fts_index', 'upsert_fts_document', 'delete_fts_document', 'search_fts',
];
const PROBE_DISABLED = `local errs = {}
for _, m in ipairs(${JSON.stringify(DISABLED_METHODS).replace('[', '{').replace(/]$/, '}')}) do
  local ok, e = pcall(vulcan.sqlite[m], {})
  errs[m] = ok and "no error" or e
end
local l_ok, l_err = pcall(vulcan.lancedb.create_table, {})
return { enabled = vulcan.sqlite.enabled, status = vulcan.sqlite.status(), info = vulcan.sqlite.info(), errs = errs,
  l_status = vulcan.lancedb.status(), l_err = l_err, l_enabled = vulcan.lancedb.enabled }`;

function assertDisabled(out, skillName) {
  const expected = { enabled: false, initialized: false, integration_mode: 'dynamic_library', reason: 'current skill has not enabled sqlite' };
  if (skillName !== undefined) expected.skill_name = skillName;
  assert.equal(out.enabled, false);
  assert.deepEqual(out.status, expected);
  assert.deepEqual(out.info, expected);
  for (const m of DISABLED_METHODS) assert.equal(out.errs[m], 'current skill has not enabled sqlite', m);
  assert.equal(out.l_enabled, false);
  assert.equal(out.l_status.reason, 'current skill has not enabled lancedb');
  assert.equal(out.l_err, 'current skill has not enabled lancedb');
}

test('the disabled binding: a skill without sqlite.enable, run_lua, a lease', async () => {
  const engine = await engineOn(tree(ENABLED));
  try {
    assertDisabled(await run(engine, 'other-run', PROBE_DISABLED), 'other');
    assertDisabled(JSON.parse(await engine.runLua(`return vulcan.json.encode((function() ${PROBE_DISABLED} end)())`)));
    const lease = JSON.parse(await engine.createRuntimeLeaseJson(JSON.stringify({ sid: 'db-lease' })));
    assert.equal(lease.ok, true);
    const evaled = JSON.parse(
      await engine.evalRuntimeLeaseJson(
        JSON.stringify({ lease_id: lease.lease_id, sid: 'db-lease', generation: lease.generation, code: `return vulcan.json.encode((function() ${PROBE_DISABLED} end)())` }),
      ),
    );
    assert.equal(evaled.ok, true);
    assertDisabled(JSON.parse(evaled.result));
  } finally {
    await engine.close();
  }
});

// Reports the bindings it was given, then scribbles on them, keeps references to them and replaces
// one outright; a kept reference from the last call is written to before anything is read.
const SCRIBBLE = `local kept = {}
return function()
  if kept.s then kept.s.late = "late"; kept.l.late = "late" end
  local s, l = vulcan.sqlite, vulcan.lancedb
  local seen = {
    enabled = s.enabled, l_enabled = l.enabled, name = s.status().skill_name, l_name = l.status().skill_name,
    query_json = type(s.query_json), vector_search = type(l.vector_search),
    clean = s.extra == nil and l.extra == nil and s.late == nil and l.late == nil,
    fresh = kept.s ~= s and kept.l ~= l,
  }
  s.extra, l.extra = "left over", "left over"
  s.query_json = nil
  s.status = function() return { skill_name = "hijacked" } end
  kept.s, kept.l = s, l
  vulcan.lancedb = "replaced"
  return vulcan.json.encode(seen)
end`;

test('binding tables are fresh on every call: scribbles, kept references and replacements never reach the next call', async () => {
  const skills = { db: { scribble: SCRIBBLE }, other: { scribble: SCRIBBLE } };
  const t = tree(ENABLED, skills);
  // One VM, so every call runs where the previous one scribbled.
  const engine = await engineOn(t, { pool: { minSize: 1, maxSize: 1 } });
  const seen = (enabled, name) => ({
    enabled, l_enabled: false, name, l_name: name, query_json: 'function', vector_search: 'function', clean: true, fresh: true,
  });
  try {
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(JSON.parse((await engine.callSkill('db-scribble', {})).content), seen(true, 'db'));
      assert.deepEqual(JSON.parse((await engine.callSkill('other-scribble', {})).content), seen(false, 'other'));
    }
    assertDisabled(JSON.parse(await engine.runLua(`return vulcan.json.encode((function() ${PROBE_DISABLED} end)())`)));
    const leftovers = await engine.runLua(
      'return table.concat({ tostring(vulcan.sqlite.extra), tostring(vulcan.sqlite.late), tostring(vulcan.lancedb.extra), type(vulcan.lancedb) }, ",")',
    );
    assert.equal(leftovers, 'nil,nil,nil,table');
  } finally {
    await engine.close();
  }
});

test('vulcan.call switches bindings to the callee and back', async () => {
  const skills = {
    db: {
      run: RUN,
      outer: `return function()
        local before = vulcan.sqlite.enabled
        local inner = vulcan.call("other-inner", {})
        local back = vulcan.sqlite.enabled
        local n = vulcan.sqlite.query_json({ sql = "select 1 as one" }).rows[1].one
        return vulcan.json.encode({ before = before, inner = inner, back = back, n = n, name = vulcan.sqlite.status().skill_name })
      end`,
    },
    other: {
      inner: `return function()
        local ok, e = pcall(vulcan.sqlite.query_json, { sql = "select 1" })
        local back = vulcan.call("db-probe", {})
        return { enabled = vulcan.sqlite.enabled, name = vulcan.sqlite.status().skill_name, err = e, nested = back,
          after = vulcan.sqlite.enabled }
      end`,
    },
  };
  skills.db.probe = `return function() return { enabled = vulcan.sqlite.enabled, name = vulcan.sqlite.status().skill_name } end`;
  const engine = await engineOn(tree(ENABLED, skills));
  try {
    const out = JSON.parse((await engine.callSkill('db-outer', {})).content);
    assert.deepEqual(out, {
      before: true,
      back: true,
      n: 1,
      name: 'db',
      inner: { enabled: false, name: 'other', err: 'current skill has not enabled sqlite', nested: { enabled: true, name: 'db' }, after: false },
    });
  } finally {
    await engine.close();
  }
});

test('execute_script, execute_batch with ?1..?N, query_json; a failing batch rolls back', async () => {
  const engine = await engineOn(tree(ENABLED));
  try {
    const out = await run(engine, 'db-run', `local s = vulcan.sqlite
      local r = {}
      r.script = s.execute_script({ sql = "create table t(id integer primary key, n integer, label text, f real, b blob); create index t_n on t(n);" })
      r.one = s.execute_script({ sql = "insert into t(n, label) values (?1, ?2)", params = { 7, "seven" } })
      r.batch = s.execute_batch({ sql = "insert into t(n, label, f) values (?2, ?1, ?3)", items = { { "a", 1, 0.5 }, { "b", 2, 1.5 } } })
      local ok, e = pcall(s.execute_batch, { sql = "insert into t(id, n) values (?1, ?2)", items = { { 100, 1 }, { 100, 2 } } })
      r.batch_err = e
      r.rows = s.query_json({ sql = "select id, n, label, f from t order by id" })
      r.typed = s.query_json({ sql = "select ?1 as i, ?2 as s, ?3 as n, ?4 as b, ?5 as x", params = {
        { kind = "int64", value = 5 }, { kind = "string", value = "x" }, { kind = "null" }, { kind = "bool", value = true },
        { kind = "bytes", base64 = "aGk=" } } })
      r.from_json = s.query_json({ sql = "select ?1 + ?2 as sum", params_json = "[2, 3]" })
      local function err(f, input) local ok, e = pcall(f, input) return e end
      r.errs = {
        no_sql = err(s.execute_script, {}),
        not_table = err(s.query_json, "select 1"),
        bad_sql = err(s.query_json, { sql = "select * from nope" }),
        two = err(s.query_json, { sql = "select 1; select 2" }),
        count = err(s.query_json, { sql = "select ?1", params = { 1, 2 } }),
        both = err(s.query_json, { sql = "select ?1", params = { 1 }, params_json = "[1]" }),
        kind = err(s.query_json, { sql = "select ?1", params = { { kind = "date" } } }),
        items = err(s.execute_batch, { sql = "select 1" }),
        empty = err(s.execute_batch, { sql = "select 1", items = {} }),
      }
      return r`);
    assert.deepEqual(out.script, { success: true, message: 'script executed', rows_changed: 0, last_insert_rowid: 0, statements_executed: 2 });
    assert.deepEqual(out.one, { success: true, message: 'statement executed', rows_changed: 1, last_insert_rowid: 1, statements_executed: 1 });
    assert.deepEqual(out.batch, { success: true, message: 'batch executed', rows_changed: 2, last_insert_rowid: 3, statements_executed: 2 });
    assert.equal(out.batch_err, 'UNIQUE constraint failed: t.id');
    assert.deepEqual(out.rows.rows, [
      { id: 1, n: 7, label: 'seven', f: null },
      { id: 2, n: 1, label: 'a', f: 0.5 },
      { id: 3, n: 2, label: 'b', f: 1.5 },
    ]);
    assert.equal(out.rows.row_count, 3);
    assert.equal(out.rows.success, true);
    assert.equal(out.rows.json_data, '[{"id":1,"n":7,"label":"seven","f":null},{"id":2,"n":1,"label":"a","f":0.5},{"id":3,"n":2,"label":"b","f":1.5}]');
    assert.deepEqual(out.typed.rows, [{ i: 5, s: 'x', n: null, b: 1, x: 'aGk=' }]);
    assert.deepEqual(out.from_json.rows, [{ sum: 5 }]);
    assert.deepEqual(out.errs, {
      no_sql: 'missing or empty field `sql`',
      not_table: 'sqlite.query_json: input must be a table, got string',
      bad_sql: 'no such table: nope',
      two: 'The supplied SQL string contains more than one statement',
      count: 'wrong number of parameters: the statement takes 1, 2 given',
      both: 'provide either params or params_json, but not both',
      kind: 'params[0].kind=date is unsupported',
      items: 'items must be an array of arrays',
      empty: 'items must not be empty',
    });
  } finally {
    await engine.close();
  }
});

test('integers stay Lua integers, 2^53+1 and int64 limits included', async () => {
  const engine = await engineOn(tree(ENABLED));
  try {
    const out = await run(engine, 'db-run', `local s = vulcan.sqlite
      s.execute_script({ sql = "create table big(v integer)" })
      s.execute_batch({ sql = "insert into big values (?1)", items = { { 9007199254740993 }, { math.maxinteger }, { math.mininteger }, { 3 } } })
      local rows = s.query_json({ sql = "select v from big order by rowid" }).rows
      local r = {}
      for i, row in ipairs(rows) do r["v" .. i] = math.type(row.v) .. " " .. string.format("%d", row.v) end
      r.eq = rows[1].v == 9007199254740993 and rows[2].v == math.maxinteger
      r.sum = s.query_json({ sql = "select ?1 + 1 as v", params = { 9007199254740992 } }).rows[1].v == 9007199254740993
      return r`);
    assert.deepEqual(out, {
      v1: 'integer 9007199254740993', v2: 'integer 9223372036854775807', v3: 'integer -9223372036854775808', v4: 'integer 3', eq: true, sum: true,
    });
  } finally {
    await engine.close();
  }
});

test('query_stream: NDJSON chunks, metrics, close, unknown stream', async () => {
  const engine = await engineOn(tree(ENABLED));
  try {
    const out = await run(engine, 'db-run', `local s = vulcan.sqlite
      s.execute_script({ sql = "create table r(i integer, t text)" })
      local items = {}
      for i = 1, 50 do items[i] = { i, string.rep("x", 20) } end
      s.execute_batch({ sql = "insert into r values (?1, ?2)", items = items })
      local st = s.query_stream({ sql = "select i, t from r where i > ?1 order by i", params = { 0 }, chunk_bytes = 200 })
      local m = s.query_stream_wait_metrics({ stream_id = st.stream_id })
      local text, chunks = {}, {}
      for i = 0, m.chunk_count - 1 do
        local c = s.query_stream_chunk({ stream_id = st.stream_id, index = i })
        chunks[#chunks + 1] = c.byte_count
        text[#text + 1] = c.chunk_base64
      end
      local ok, range = pcall(s.query_stream_chunk, { stream_id = st.stream_id, index = m.chunk_count })
      local closed = s.query_stream_close({ stream_id = st.stream_id })
      local ok2, gone = pcall(s.query_stream_wait_metrics, { stream_id = st.stream_id })
      local ok3, missing = pcall(s.query_stream_chunk, { stream_id = st.stream_id })
      return { st = st, m = m, chunks = chunks, b64 = text, range = range, closed = closed, gone = gone }`);
    assert.deepEqual(out.st, { success: true, stream_id: 1, metrics_ready: false });
    assert.equal(out.m.success, true);
    assert.equal(out.m.metrics_ready, true);
    assert.equal(out.m.row_count, 50);
    assert.ok(out.m.chunk_count > 1);
    assert.equal(out.chunks.length, out.m.chunk_count);
    assert.ok(out.chunks.every((n) => n <= 200));
    const text = out.b64.map((b) => Buffer.from(b, 'base64').toString('utf8')).join('');
    assert.equal(Buffer.byteLength(text), out.m.total_bytes);
    const rows = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows[0], { i: 1, t: 'x'.repeat(20) });
    assert.equal(rows.length, 50);
    assert.equal(rows[49].i, 50);
    assert.equal(out.range, `query stream chunk index out of range: ${out.m.chunk_count} (chunk_count=${out.m.chunk_count})`);
    assert.deepEqual(out.closed, { success: true, stream_id: 1, message: 'query_stream handle 1 closed successfully' });
    assert.equal(out.gone, 'query stream handle not found: 1');
  } finally {
    await engine.close();
  }
});

test('FTS: ensure, upsert, search, delete, rebuild; custom words and tokenize_text', async () => {
  const engine = await engineOn(tree(ENABLED));
  try {
    const out = await run(engine, 'db-run', `local s = vulcan.sqlite
      local r = {}
      r.ensure = s.ensure_fts_index({ index_name = "docs" })
      r.up1 = s.upsert_fts_document({ index_name = "docs", id = "d1", file_path = "/a.md", title = "Lua tables", content = "Tables are the only data structure in Lua." })
      r.up2 = s.upsert_fts_document({ index_name = "docs", id = "d2", file_path = "/b.md", title = "SQLite", content = "SQLite stores tables in one file." })
      r.up1b = s.upsert_fts_document({ index_name = "docs", id = "d1", file_path = "/a.md", title = "Lua tables", content = "Tables are the only data structure in Lua; tables everywhere." })
      r.search = s.search_fts({ index_name = "docs", query = "tables" })
      r.lua = s.search_fts({ index_name = "docs", query = "lua", limit = 5 })
      r.del = s.delete_fts_document({ index_name = "docs", id = "d2" })
      r.del_missing = s.delete_fts_document({ index_name = "docs", id = "nope" })
      r.after = s.search_fts({ index_name = "docs", query = "sqlite" })
      r.rebuild = s.rebuild_fts_index({ index_name = "docs" })
      r.after_rebuild = s.search_fts({ index_name = "docs", query = "structure" }).total
      r.word = s.upsert_custom_word({ word = "田女士", weight = 42 })
      r.words = s.list_custom_words()
      r.tok_none = s.tokenize_text({ text = "  hello,   world  " })
      r.tok_cjk = s.tokenize_text({ text = "市民田女士急匆匆 ok", tokenizer_mode = "jieba", search_mode = true })
      r.cjk_up = s.upsert_fts_document({ index_name = "zh", tokenizer_mode = "jieba", id = "z1", file_path = "/z.md", title = "新闻", content = "市民田女士急匆匆地走了" })
      r.cjk = s.search_fts({ index_name = "zh", tokenizer_mode = "jieba", query = "田女士" })
      r.removed = s.remove_custom_word({ word = "田女士" })
      local function err(f, input) local ok, e = pcall(f, input) return e end
      r.errs = {
        name = err(s.ensure_fts_index, { index_name = "bad-name" }),
        reserved = err(s.ensure_fts_index, { index_name = "_vulcan_x" }),
        mode = err(s.search_fts, { index_name = "docs", query = "x", tokenizer_mode = "icu" }),
        query = err(s.search_fts, { index_name = "docs" }),
      }
      return r`);
    assert.deepEqual(out.ensure, { success: true, index_name: 'docs', tokenizer_mode: 'none' });
    assert.deepEqual(out.up1, { success: true, affected_rows: 1, index_name: 'docs', id: 'd1' });
    assert.deepEqual(out.up1b, { success: true, affected_rows: 2, index_name: 'docs', id: 'd1' });
    const s = out.search;
    assert.equal(s.success, true);
    assert.equal(s.source, 'sqlite_fts');
    assert.equal(s.query_mode, 'fts');
    assert.equal(s.tokenizer_mode, 'none');
    assert.equal(s.total, 2);
    assert.deepEqual(s.hits.map((h) => [h.id, h.rank]), [['d1', 1], ['d2', 2]]);
    assert.equal(s.hits[0].file_path, '/a.md');
    assert.equal(s.hits[0].title, 'Lua tables');
    assert.equal(s.hits[0].title_highlight, 'Lua <mark>tables</mark>');
    assert.match(s.hits[0].content_snippet, /<mark>Tables<\/mark>/);
    assert.equal(s.hits[0].score, -s.hits[0].raw_score);
    assert.ok(s.hits[0].score >= s.hits[1].score);
    assert.equal(out.lua.total, 1);
    assert.deepEqual(out.del, { success: true, affected_rows: 1, index_name: 'docs', id: 'd2' });
    assert.equal(out.del_missing.affected_rows, 0);
    assert.equal(out.after.total, 0);
    assert.deepEqual(out.after.hits, []);
    assert.deepEqual(out.rebuild, { success: true, index_name: 'docs', tokenizer_mode: 'none', reindexed_rows: 1 });
    assert.equal(out.after_rebuild, 1);
    assert.deepEqual(out.word, { success: true, affected_rows: 1, word: '田女士', weight: 42 });
    assert.deepEqual(out.words, { success: true, total: 1, words: [{ word: '田女士', weight: 42 }] });
    assert.deepEqual(out.tok_none, { success: true, tokenizer_mode: 'none', normalized_text: 'hello, world', fts_query: '"hello" "world"', tokens: ['hello', 'world'] });
    assert.deepEqual(out.tok_cjk.tokens, ['市', '民', '田女士', '急', '匆', '匆', 'ok']);
    assert.equal(out.tok_cjk.tokenizer_mode, 'jieba');
    assert.match(out.tok_cjk.fts_query, / OR /);
    assert.equal(out.cjk.total, 1);
    assert.equal(out.cjk.hits[0].id, 'z1');
    assert.equal(out.cjk.hits[0].title, '新闻');
    assert.equal(out.cjk.hits[0].content_snippet, '市民<mark>田女士</mark>急匆匆地走了');
    assert.deepEqual(out.removed, { success: true, affected_rows: 1, word: '田女士' });
    assert.deepEqual(out.errs, {
      name: 'ensure_fts_index failed: index_name only supports [A-Za-z0-9_]',
      reserved: 'ensure_fts_index failed: reserved index_name prefix',
      mode: 'unsupported sqlite tokenizer mode: icu',
      query: 'missing or empty field `query`',
    });
  } finally {
    await engine.close();
  }
});

const NOTES = {
  notes: {
    add: `return function(args)
      local s = vulcan.sqlite
      s.execute_script({ sql = "create table if not exists notes(id integer primary key, task text not null, done integer not null default 0)" })
      local r = s.execute_script({ sql = "insert into notes(task) values (?1)", params = { args.task } })
      return tostring(r.last_insert_rowid)
    end`,
    done: `return function(args)
      return tostring(vulcan.sqlite.execute_script({ sql = "update notes set done = 1 where id = ?1", params = { args.id } }).rows_changed)
    end`,
    list: `return function()
      local s = vulcan.sqlite
      s.execute_script({ sql = "create table if not exists notes(id integer primary key, task text not null, done integer not null default 0)" })
      return vulcan.json.encode(s.query_json({ sql = "select id, task, done from notes order by id" }).rows)
    end`,
  },
};

test('a notes skill keeps its tasks across calls and engine restarts', async () => {
  const t = tree({ notes: { sqlite: { enable: true } } }, NOTES);
  let engine = await engineOn(t);
  try {
    assert.equal((await engine.callSkill('notes-add', { task: 'write tests' })).content, '1');
    assert.equal((await engine.callSkill('notes-add', { task: 'ship' })).content, '2');
    assert.equal((await engine.callSkill('notes-done', { id: 1 })).content, '1');
  } finally {
    await engine.close();
  }
  engine = await engineOn(t);
  try {
    assert.deepEqual(JSON.parse((await engine.callSkill('notes-list')).content), [
      { id: 1, task: 'write tests', done: 1 },
      { id: 2, task: 'ship', done: 0 },
    ]);
    assert.equal((await engine.callSkill('notes-add', { task: 'after restart' })).content, '3');
  } finally {
    await engine.close();
  }
  assert.ok(existsSync(path.join(t.root, 'databases', 'sqlite', 'notes', 'notes.sqlite3')));
});

test('two skills write their own databases in parallel without losing rows', async () => {
  const writer = (table) => `return function(args)
    local s = vulcan.sqlite
    s.execute_script({ sql = "create table if not exists ${table}(n integer)" })
    s.execute_batch({ sql = "insert into ${table}(n) values (?1)", items = { { args.n }, { args.n + 1000 } } })
    return tostring(s.query_json({ sql = "select count(*) as c from ${table}" }).rows[1].c)
  end`;
  const count = (table) => `return function() return vulcan.json.encode(vulcan.sqlite.query_json({ sql = "select count(*) as c, count(distinct n) as d from ${table}" }).rows[1]) end`;
  const t = tree(
    { alpha: { sqlite: { enable: true } }, beta: { sqlite: { enable: true } } },
    { alpha: { write: writer('a'), count: count('a') }, beta: { write: writer('b'), count: count('b') } },
  );
  const engine = await engineOn(t);
  try {
    const calls = [];
    for (let i = 0; i < 40; i++) {
      calls.push(engine.callSkill('alpha-write', { n: i }));
      calls.push(engine.callSkill('beta-write', { n: i }));
    }
    await Promise.all(calls);
    assert.deepEqual(JSON.parse((await engine.callSkill('alpha-count')).content), { c: 80, d: 80 });
    assert.deepEqual(JSON.parse((await engine.callSkill('beta-count')).content), { c: 80, d: 80 });
    assert.ok(existsSync(path.join(t.root, 'databases', 'sqlite', 'alpha', 'alpha.sqlite3')));
    assert.ok(existsSync(path.join(t.root, 'databases', 'sqlite', 'beta', 'beta.sqlite3')));
  } finally {
    await engine.close();
  }
});

test('a host provider receives {action, binding, input}; its errors reach Lua; null restores the default', async () => {
  const t = tree(ENABLED);
  const engine = await engineOn(t);
  const seen = [];
  engine.setDatabaseProvider('sqlite', async (request) => {
    seen.push(request);
    if (request.action === 'execute_script') throw new Error('host says no');
    return { success: true, rows: [{ from: 'host', n: 9007199254740993n }], row_count: 1 };
  });
  try {
    const out = await run(engine, 'db-run', `local q = vulcan.sqlite.query_json({ sql = "select 1", params = { 1, "x" } })
      local ok, e = pcall(vulcan.sqlite.execute_script, { sql = "create table t(a)" })
      return { q = q, err = e, words = vulcan.sqlite.list_custom_words(), mode = vulcan.sqlite.status().integration_mode,
        big = math.type(q.rows[1].n) }`);
    assert.deepEqual(out.q, { success: true, rows: [{ from: 'host', n: 9007199254740993 }], row_count: 1 });
    assert.equal(out.big, 'integer');
    assert.equal(out.err, 'host says no');
    assert.equal(out.mode, 'host_callback');
    assert.deepEqual(seen.map((r) => r.action), ['query_json', 'execute_script', 'list_custom_words']);
    assert.deepEqual(seen[0].input, { sql: 'select 1', params: [1, 'x'] });
    assert.deepEqual(seen[2].input, {});
    assert.deepEqual(seen[0].binding, {
      space_label: 'ROOT',
      skill_id: 'db',
      binding_tag: 'ROOT-db',
      root_name: 'ROOT',
      space_root: path.join(t.root, 'databases'),
      skill_dir: path.join(t.skillsDir, 'db'),
      skill_dir_name: 'db',
      database_kind: 'sqlite',
      default_database_path: path.join(t.root, 'databases', 'sqlite', 'db', 'db.sqlite3'),
    });
    // Nothing was opened by the default provider.
    assert.equal(existsSync(path.join(t.root, 'databases', 'sqlite', 'db', 'db.sqlite3')), false);
    engine.setDatabaseProvider('sqlite', null);
    const back = await run(engine, 'db-run', 'return vulcan.sqlite.query_json({ sql = "select 2 as two" }).rows');
    assert.deepEqual(back, [{ two: 2 }]);
    assert.throws(() => engine.setDatabaseProvider('sqlite', 'nope'), TypeError);
  } finally {
    await engine.close();
  }
});

test('log records: per-operation info, slow log with its threshold, failures as warnings, off silences', async () => {
  const t = tree({
    db: { sqlite: { enable: true, slow_log_enabled: true, slow_log_threshold_ms: 0 } },
    other: { sqlite: { enable: true, log_level: 'off', slow_log_enabled: true, slow_log_threshold_ms: 0 } },
  });
  const logs = [];
  const engine = await engineOn(t, { logSink: (r) => logs.push(r) });
  try {
    await run(engine, 'db-run', 'pcall(vulcan.sqlite.query_json, { sql = "select * from nope" }) return vulcan.sqlite.query_json({ sql = "select 1 as x" }).rows');
    const lines = logs.map((r) => r.line);
    assert.deepEqual(lines.slice(0, 2), ['[LuaSkill:info] [Sqlite:info] skill=db db=db op=query_json', '[LuaSkill:warn] [Sqlite:warn] skill=db db=db op=query_json message=no such table: nope']);
    assert.equal(lines[2], '[LuaSkill:info] [Sqlite:info] skill=db db=db op=query_json');
    assert.match(lines[3], /^\[LuaSkill:info\] \[Sqlite:slow\] skill=db db=db op=query_json elapsed_ms=\d+$/);
    assert.equal(lines.length, 4);
    assert.equal(logs[1].level, 'warn');
    assert.equal(logs[3].skill_name, 'db');
    assert.equal(logs[3].tool_name, 'db-run');
    logs.length = 0;
    await run(engine, 'other-run', 'pcall(vulcan.sqlite.query_json, { sql = "select * from nope" }) return vulcan.sqlite.query_json({ sql = "select 1 as x" }).rows');
    assert.deepEqual(logs, []);
  } finally {
    await engine.close();
  }
});
