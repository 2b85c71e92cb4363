// vulcan.host and vulcan.models through engine-registered handlers: sync, async, throwing,
// missing and slow handlers, upstream's envelopes, and the caller block.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const roots = [];
after(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

const probe = `return function(args)
  local f = load("return " .. args.expr, "probe", "t")
  return vulcan.json.encode({ r = f() })
end`;

async function engine(options = {}) {
  const { root, skillsDir } = writeSkills({ probe: { run: probe } });
  roots.push(root);
  const e = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, ...options });
  await e.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
  const run = async (expr, ctx) => JSON.parse((await e.callSkill('probe-run', { expr }, ctx)).content).r;
  return { e, run };
}

test('vulcan.host without a handler: empty list, false, callback_missing envelope', async () => {
  const { e, run } = await engine();
  assert.deepEqual(await run('vulcan.host.list()'), []);
  assert.equal(await run('vulcan.host.has("x")'), false);
  assert.equal(await run('vulcan.host.has_tool("x")'), false);
  assert.deepEqual(await run('vulcan.host.call("search", { q = 1 })'), {
    ok: false, error: { code: 'host_tool_callback_missing', message: "host tool bridge has no registered callback for 'search'" },
  });
  await assert.rejects(run('vulcan.host.call("search", "q")'), /host\.call: args must be a table, got string/);
  await assert.rejects(run('vulcan.host.has(5)'), /host\.has: tool_name must be a string, got number/);
  await assert.rejects(run('vulcan.host.call("  ", {})'), /host\.call: tool_name must not be empty/);
  await e.close();
});

test('vulcan.host with sync and async handlers: requests, normalisation, errors', async () => {
  const { e, run } = await engine();
  const seen = [];
  e.setHostToolHandler(async (request, caller) => {
    seen.push({ request, caller });
    if (request.action === 'list') return [{ name: 'search' }, { name: 'fetch' }];
    if (request.action === 'has') {
      if (request.tool_name === 'weird') return 'yes';
      if (request.tool_name === 'obj') return { available: true };
      return request.tool_name === 'search';
    }
    if (request.tool_name === 'boom') throw new Error('tool exploded');
    if (request.tool_name === 'scalar') return 42;
    if (request.tool_name === 'array') return [1, 2];
    await new Promise((r) => setTimeout(r, 5));
    return { ok: true, hits: request.args.q };
  });
  assert.deepEqual(await run('vulcan.host.list()'), [{ name: 'search' }, { name: 'fetch' }]);
  assert.equal(await run('vulcan.host.has("search")'), true);
  assert.equal(await run('vulcan.host.has("nope")'), false);
  assert.equal(await run('vulcan.host.has("obj")'), true);
  await assert.rejects(run('vulcan.host.has("weird")'), /vulcan\.host\.has: host tool has callback must return a boolean/);
  assert.deepEqual(await run('vulcan.host.call("search", { q = "lua" })'), { ok: true, hits: 'lua' });
  assert.deepEqual(await run('vulcan.host.call("scalar", {})'), { ok: true, value: 42 });
  assert.deepEqual(await run('vulcan.host.call("array", {})'), { ok: true, value: [1, 2] });
  assert.deepEqual(await run('vulcan.host.call("boom", {})'), { ok: false, error: { code: 'host_tool_callback_error', message: 'tool exploded' } });
  const call = seen.find((s) => s.request.tool_name === 'scalar');
  assert.deepEqual(call.request, { action: 'call', tool_name: 'scalar', args: {} }); // empty args go out as an object
  assert.deepEqual(call.caller, {
    skill_id: 'probe', entry_name: 'run', canonical_tool_name: 'probe-run', root_name: 'ROOT',
    skill_dir: call.caller.skill_dir, client_name: null, request_id: null,
  });
  assert.deepEqual(seen[0].request, { action: 'list', tool_name: null, args: {} });
  // A sync handler works the same; a list failure is a Lua error.
  e.setHostToolHandler((request) => {
    if (request.action === 'list') throw new Error('no list today');
    return { ok: true };
  });
  await assert.rejects(run('vulcan.host.list()'), /vulcan\.host\.list: no list today/);
  assert.deepEqual(await run('vulcan.host.call("x", {})'), { ok: true });
  e.setHostToolHandler(null);
  assert.equal(await run('vulcan.host.has("search")'), false);
  assert.throws(() => e.setHostToolHandler('nope'), /expected a function or null/);
  await e.close();
});

test('a slow host handler is cut off by the call timeout, and the VM is not harmed', async () => {
  const { e, run } = await engine();
  e.setHostToolHandler(() => new Promise((r) => setTimeout(() => r({ late: true }), 2000)));
  await assert.rejects(e.callSkill('probe-run', { expr: 'vulcan.host.call("slow", {})' }, undefined, { timeoutMs: 150 }), (err) => err.code === 'timeout');
  e.setHostToolHandler(() => ({ fast: true }));
  assert.deepEqual(await run('vulcan.host.call("fast", {})'), { fast: true });
  await e.close();
});

test('vulcan.models: status, has, envelopes, argument errors, caller', async () => {
  const { e, run } = await engine();
  assert.deepEqual(await run('vulcan.models.status()'), { ok: true, capabilities: { embed: false, llm: false } });
  assert.equal(await run('vulcan.models.has("embed")'), false);
  const missing = await run('vulcan.models.embed("hello")');
  assert.equal(missing.ok, false);
  assert.equal(missing.error.code, 'model_unavailable');
  const requests = [];
  e.setModelHandlers({
    embed: async (req) => {
      requests.push(req);
      if (req.text === 'fail') return { ok: false, error: { code: 'budget_exceeded', message: 'no budget', provider_status: 429 } };
      if (req.text === 'odd') return { ok: false, error: { code: 'weird_code', message: 'odd' } };
      if (req.text === 'throw') throw Object.assign(new Error('provider down'), { code: 'timeout' });
      return { vector: [0.5, -1, 2], usage: { input_tokens: 3 } };
    },
    llm: (req) => ({ assistant: `${req.system}/${req.user}` }),
  });
  assert.deepEqual(await run('vulcan.models.status()'), { ok: true, capabilities: { embed: true, llm: true } });
  assert.equal(await run('vulcan.models.has("llm")'), true);
  assert.equal(await run('vulcan.models.has("vision")'), false);
  assert.equal(await run('vulcan.models.has("llm", "x")'), false);
  assert.equal(await run('vulcan.models.has(5)'), false);
  assert.deepEqual(await run('vulcan.models.embed("hello")'), { ok: true, vector: [0.5, -1, 2], dimensions: 3, usage: { input_tokens: 3 } });
  assert.deepEqual(await run('vulcan.models.embed("fail")'), { ok: false, error: { code: 'budget_exceeded', message: 'no budget', provider_status: 429 } });
  assert.deepEqual(await run('vulcan.models.embed("odd")'), { ok: false, error: { code: 'internal_error', message: 'odd' } });
  assert.deepEqual(await run('vulcan.models.embed("throw")'), { ok: false, error: { code: 'timeout', message: 'provider down' } });
  assert.deepEqual(await run('vulcan.models.llm("be brief", "hi")'), { ok: true, assistant: 'be brief/hi' });
  const bad = async (expr, message) => assert.deepEqual(await run(expr), { ok: false, error: { code: 'invalid_argument', message } });
  await bad('vulcan.models.embed()', 'vulcan.models.embed: expected 1 argument(s), got 0');
  await bad('vulcan.models.embed("a", "b")', 'vulcan.models.embed: expected 1 argument(s), got 2');
  await bad('vulcan.models.embed("   ")', 'vulcan.models.embed: text must not be empty');
  await bad('vulcan.models.embed(7)', 'vulcan.models.embed: text must be a string, got integer');
  await bad('vulcan.models.embed("a\\0b")', 'vulcan.models.embed: text must not contain NUL bytes');
  await bad('vulcan.models.llm("x")', 'vulcan.models.llm: expected 2 argument(s), got 1');
  await bad('vulcan.models.llm("x", "")', 'vulcan.models.llm: user must not be empty');
  await run('vulcan.models.embed("ctx")', { request_context: { request_id: 'rq-9', client_info: { name: 'ide' } } });
  assert.deepEqual(requests.at(-1).caller, {
    skill_id: 'probe', entry_name: 'run', canonical_tool_name: 'probe-run', root_name: 'ROOT',
    skill_dir: requests.at(-1).caller.skill_dir, client_name: 'ide', request_id: 'rq-9',
  });
  e.setModelHandlers({ embed: null });
  assert.equal(await run('vulcan.models.has("embed")'), false);
  await e.close();
});
