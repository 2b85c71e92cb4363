// The ten JSON surfaces: exact JSON text (keys in byte order, as serde_json writes them), the
// seed's messages for malformed requests, and the exported request schemas.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import {
  LuaSkillsEngine,
  RuntimeLeaseCreateRequestSchema,
  RuntimeLeaseEvalRequestSchema,
  RuntimeLeaseIdentityRequestSchema,
  RuntimeLeaseListRequestSchema,
  RuntimeRequestContextSchema,
} from '../dist/index.js';
import { T0_UNIX, fakeClock } from './fixtures/lease-helpers.mjs';

function setup() {
  const root = mkdtempSync(path.join(tmpdir(), 'luaskills-json-'));
  const engine = new LuaSkillsEngine({ clock: fakeClock(), runtimeRoot: root });
  return { root, engine, done: async () => { await engine.close(); rmSync(root, { recursive: true, force: true }); } };
}

test('the five public surfaces, as JSON text', async () => {
  const { engine, done } = setup();
  const id = `rt_${T0_UNIX}_1`;
  assert.equal(
    await engine.createRuntimeLeaseJson('{"sid":"a","ttl_sec":60,"workspace_root":"/ws","engine_id":7}'),
    `{"cwd":null,"expires_at_unix_ms":${T0_UNIX + 60_000},"generation":1,"lease_id":"${id}","lifetime":"finite","ok":true,"profile":"public","sid":"a","system_lua_lib":null,"ttl_sec":60,"workspace_root":"/ws"}`,
  );
  assert.equal(
    await engine.evalRuntimeLeaseJson(`{"lease_id":"${id}","sid":"a","generation":1,"code":"n = 41 return {z = n + 1, a = args.k, big = math.maxinteger}","args":{"k":"v"}}`),
    `{"cwd":null,"expires_at_unix_ms":${T0_UNIX + 60_000},"generation":1,"lease_id":"${id}","lifetime":"finite","ok":true,"profile":"public","result":{"a":"v","big":9223372036854775807,"z":42},"sid":"a","system_lua_lib":null}`,
  );
  const status = `{"closed":false,"cwd":null,"expired":false,"expires_at_unix_ms":${T0_UNIX + 60_000},"generation":1,"lease_id":"${id}","lifetime":"finite","ok":true,"profile":"public","sid":"a","system_lua_lib":null,"ttl_sec":60,"workspace_root":"/ws"}`;
  assert.equal(engine.runtimeLeaseStatusJson(`{"lease_id":"${id}"}`), status);
  assert.equal(engine.listRuntimeLeasesJson('{}'), `{"leases":[${status}],"ok":true}`);
  assert.equal(engine.listRuntimeLeasesJson('{"sid":null}'), `{"leases":[${status}],"ok":true}`);
  assert.equal(engine.closeRuntimeLeaseJson(`{"lease_id":"${id}"}`), status.replace('"closed":false', '"closed":true'));
  assert.equal(
    engine.closeRuntimeLeaseJson(`{"lease_id":"${id}"}`),
    `{"error_code":"lease_closed","message":"runtime session lease \`${id}\` is closed (sid \`a\`, generation 1)","ok":false}`,
  );
  assert.equal(
    await engine.evalRuntimeLeaseJson('{"lease_id":"nope","code":""}'),
    '{"error_code":"lease_not_found","message":"runtime session lease `nope` was not found","ok":false}',
  );
  await done();
});

test('the five system surfaces, as JSON text', async () => {
  const { root, engine, done } = setup();
  const dir = `${root}/system_lua_lib`;
  const id = `rt_${T0_UNIX}_1`;
  const created = `{"cwd":"${dir}","expires_at_unix_ms":null,"generation":1,"lease_id":"${id}","lifetime":"infinite","ok":true,"profile":"system_lua_lib","sid":"s","system_lua_lib":"${dir}","ttl_sec":null,"workspace_root":null}`;
  assert.equal(await engine.createSystemRuntimeLeaseJson('{"sid":"s","authority":"system"}'), created);
  assert.equal(
    await engine.evalSystemRuntimeLeaseJson(`{"lease_id":"${id}","code":"return nil"}`),
    `{"cwd":"${dir}","expires_at_unix_ms":null,"generation":1,"lease_id":"${id}","lifetime":"infinite","ok":true,"profile":"system_lua_lib","result":null,"sid":"s","system_lua_lib":"${dir}"}`,
  );
  const status = created.replace('{', '{"closed":false,').replace('"expires_at_unix_ms"', '"expired":false,"expires_at_unix_ms"');
  assert.equal(engine.systemRuntimeLeaseStatusJson(`{"lease_id":"${id}"}`), status);
  assert.equal(engine.listSystemRuntimeLeasesJson('{"sid":"s"}'), `{"leases":[${status}],"ok":true}`);
  assert.equal(engine.listRuntimeLeasesJson('{}'), '{"leases":[],"ok":true}');
  assert.equal(
    engine.runtimeLeaseStatusJson(`{"lease_id":"${id}"}`),
    `{"error_code":"lease_profile_mismatch","message":"runtime session lease \`${id}\` belongs to profile \`system_lua_lib\`, not \`public\`","ok":false}`,
  );
  assert.equal(engine.closeSystemRuntimeLeaseJson(`{"lease_id":"${id}","sid":"s","generation":1}`), status.replace('"closed":false', '"closed":true'));
  await done();
});

test('malformed JSON and wrong field types reject with the seed prefix and name the field', async () => {
  const { engine, done } = setup();
  const rejects = async (promise, message) => assert.rejects(promise, { name: 'LeaseRequestError', code: 'invalid_lease_request', message });
  const throws = (fn, message) => assert.throws(fn, { name: 'LeaseRequestError', message });
  const c = 'Invalid runtime session create JSON';
  // V8's own text; newer Node versions append the line and column.
  await assert.rejects(engine.createRuntimeLeaseJson('{'), {
    name: 'LeaseRequestError',
    message: /^Invalid runtime session create JSON: Expected property name or '\}' in JSON at position 1( \(line 1 column 2\))?$/,
  });
  await rejects(engine.createRuntimeLeaseJson('[]'), `${c}: expected a JSON object`);
  await rejects(engine.createRuntimeLeaseJson('{}'), `${c}: missing field \`sid\``);
  await rejects(engine.createRuntimeLeaseJson('{"sid":3}'), `${c}: invalid type for field \`sid\`: expected a string`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","ttl_sec":-1}'), `${c}: invalid type for field \`ttl_sec\`: expected an unsigned integer or null`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","ttl_sec":1.5}'), `${c}: invalid type for field \`ttl_sec\`: expected an unsigned integer or null`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","replace":null}'), `${c}: invalid type for field \`replace\`: expected a boolean`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","lua_roots":["/x",2]}'), `${c}: invalid type for field \`lua_roots[1]\`: expected a string`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","c_roots":"x"}'), `${c}: invalid type for field \`c_roots\`: expected an array of strings`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","cwd":1}'), `${c}: invalid type for field \`cwd\`: expected a string or null`);
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","mounts":[1]}'), 'runtime lease mounts must be one JSON object when present');
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","mounts":"m"}'), 'runtime lease mounts must be one JSON object when present');
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","cwd":"x\\u0000"}'), 'cwd must not contain NUL bytes');
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","workspace_root":"\\u0000"}'), 'workspace_root must not contain NUL bytes');
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","lua_roots":["ok"," ","b\\u0000"]}'), 'lua_roots[2] must not contain NUL bytes');
  await rejects(engine.createRuntimeLeaseJson('{"sid":""}'), 'runtime session sid must not be empty');
  await rejects(engine.createRuntimeLeaseJson('{"sid":"a","ttl_sec":0}'), 'runtime lease ttl_sec must be greater than 0');
  const e = 'Invalid runtime session eval JSON';
  await rejects(engine.evalRuntimeLeaseJson('{"lease_id":"x"}'), `${e}: missing field \`code\``);
  await rejects(engine.evalRuntimeLeaseJson('{"lease_id":"x","code":"","timeout_ms":null}'), `${e}: invalid type for field \`timeout_ms\`: expected an unsigned integer`);
  await rejects(engine.evalRuntimeLeaseJson('{"lease_id":"x","code":"","generation":"1"}'), `${e}: invalid type for field \`generation\`: expected an unsigned integer or null`);
  await rejects(
    engine.evalRuntimeLeaseJson('{"lease_id":"x","code":"","request_context":{"client_info":{"name":5}}}'),
    `${e}: invalid type for field \`request_context.client_info.name\`: expected a string or null`,
  );
  await rejects(engine.evalRuntimeLeaseJson('{"lease_id":"x","code":"","timeout_ms":0}'), 'runtime session eval timeout_ms must be greater than 0');
  await rejects(engine.evalSystemRuntimeLeaseJson('nope'), `${e}: Unexpected token 'o', "nope" is not valid JSON`);
  throws(() => engine.runtimeLeaseStatusJson('{}'), 'Invalid runtime session status JSON: missing field `lease_id`');
  throws(() => engine.systemRuntimeLeaseStatusJson('{"lease_id":1}'), 'Invalid runtime session status JSON: invalid type for field `lease_id`: expected a string');
  throws(() => engine.listRuntimeLeasesJson('{"sid":1}'), 'Invalid runtime session list JSON: invalid type for field `sid`: expected a string or null');
  throws(() => engine.listSystemRuntimeLeasesJson(''), 'Invalid runtime session list JSON: Unexpected end of JSON input');
  throws(() => engine.closeRuntimeLeaseJson('{"lease_id":"x","generation":-2}'), 'Invalid runtime session close JSON: invalid type for field `generation`: expected an unsigned integer or null');
  throws(() => engine.closeSystemRuntimeLeaseJson('{"lease_id":"x","sid":" "}'), 'runtime session sid must not be empty');
  assert.equal(engine.activeLeaseCount, 0);
  await done();
});

test('the typed API reports bad requests with its own prefix', async () => {
  const { engine, done } = setup();
  await assert.rejects(engine.leases.create({ sid: 1 }), {
    message: 'Invalid runtime session create request: invalid type for field `sid`: expected a string',
  });
  assert.throws(() => engine.systemLeases.status({}), { message: 'Invalid runtime session status request: missing field `lease_id`' });
  await done();
});

test('every request has an exported typebox schema', () => {
  for (const schema of [
    RuntimeLeaseCreateRequestSchema,
    RuntimeLeaseEvalRequestSchema,
    RuntimeLeaseIdentityRequestSchema,
    RuntimeLeaseListRequestSchema,
    RuntimeRequestContextSchema,
  ]) {
    assert.equal(schema.type, 'object');
  }
  assert.deepEqual(RuntimeLeaseCreateRequestSchema.required, ['sid']);
  assert.deepEqual(RuntimeLeaseEvalRequestSchema.required, ['lease_id', 'code']);
  assert.deepEqual(RuntimeLeaseIdentityRequestSchema.required, ['lease_id']);
  assert.deepEqual(Object.keys(RuntimeLeaseCreateRequestSchema.properties), ['sid', 'ttl_sec', 'replace', 'cwd', 'workspace_root', 'lua_roots', 'c_roots', 'mounts']);
  assert.deepEqual(Object.keys(RuntimeLeaseEvalRequestSchema.properties), [
    'lease_id', 'sid', 'generation', 'code', 'args', 'timeout_ms', 'request_context', 'client_budget', 'tool_config',
  ]);
});
