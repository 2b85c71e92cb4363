// LuaSkillsEngine with real skill packages: loading and its report, queries, callSkill with the
// full result contract, run_lua, help rendering, timeouts, cancellation, parallel calls, reload.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LuaSkillsEngine, SkillCallError } from '../dist/index.js';

const fixture = fileURLToPath(new URL('./fixtures/engine-skills/skills', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-engine-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function engineWith(options = {}) {
  const dir = mkdtempSync(path.join(work, 'skills-'));
  cpSync(fixture, dir, { recursive: true });
  const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 2 }, ...options });
  const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: dir }]);
  return { engine, report, dir };
}

test('a broken skill is reported and the others load', async () => {
  const { engine, report } = await engineWith();
  assert.deepEqual(report.loaded, ['demo-call', 'demo-text']);
  assert.deepEqual(report.failed.map((f) => [f.skill_id, f.code]), [['demo-broken', 'invalid_version'], ['demo-syntax', 'entry_syntax']]);
  assert.match(report.failed[0].message, /version must be a valid semantic version/);
  assert.equal(report.failed[1].message, 'skill demo-syntax entry bad: [string "demo_syntax_bad"]:2: unfinished string near \'"unterminated\'');
  assert.deepEqual(engine.loadReport(), report);
  assert.deepEqual(engine.listEntries().map((e) => e.canonical_name), [
    'demo-call-sum', 'demo-text-echo', 'demo-text-fail', 'demo-text-multi', 'demo-text-table', 'demo-text-work',
  ]);
  assert.equal(engine.isSkill('demo-text-echo'), true);
  assert.equal(engine.isSkill('demo-text-nope'), false);
  assert.equal(engine.skillNameForTool('demo-text-echo'), 'demo-text');
  await engine.close();
});

test('callSkill: args, request context, module state per VM, content metrics', async () => {
  const { engine } = await engineWith({ pool: { minSize: 0, maxSize: 1 } });
  const ctx = { request_context: { request_id: 'req-1', unknown_field: 'dropped' }, tool_config: { mode: 'fast' }, client_budget: 7 };
  assert.deepEqual(await engine.callSkill('demo-text-echo', { text: 'hi' }, ctx), {
    content: 'hi|req-1|fast|1', overflow_mode: null, template_hint: null, content_bytes: 15, content_lines: 1, host_result: null,
  });
  // The next call starts from a clean scope; module state stays with the VM.
  assert.equal((await engine.callSkill('demo-text-echo', { text: 'again' })).content, 'again|nil|nil|2');
  assert.equal((await engine.callSkill('demo-text-echo', 'not an object')).content, 'nil|nil|nil|3');
  await engine.close();
});

test('callSkill: overflow mode, template hint and a host_result the host enabled', async () => {
  const { engine } = await engineWith();
  const plain = await engine.callSkill('demo-text-multi', { n: 3 });
  assert.deepEqual(plain, { content: 'line 1\r\nline 2', overflow_mode: 'Page', template_hint: 'list-template', content_bytes: 13, content_lines: 2, host_result: null });
  const enabled = await engine.callSkill('demo-text-multi', { n: 3 }, { request_context: { client_capabilities: { host_result: { enabled: true } } } });
  assert.deepEqual(enabled.host_result, { kind: 'note', payload: { n: 3 } });
  await assert.rejects(
    engine.callSkill('demo-text-multi', {}, { request_context: { client_capabilities: { host_result: { enabled: true, allowed_kinds: ['change_set'] } } } }),
    (e) => e instanceof SkillCallError && e.code === 'invalid_result' && e.message === "Lua skill 'demo-text-multi' returned host_result.kind 'note' which is not allowed by the host",
  );
  await engine.close();
});

test('callSkill failures: unknown name, Lua error, table result, timeout, cancel', async () => {
  const { engine } = await engineWith();
  await assert.rejects(engine.callSkill('demo-text-nope', {}), (e) => e.code === 'skill_not_found' && e.message === "Lua skill 'demo-text-nope' not found");
  await assert.rejects(engine.callSkill('demo-text-fail', { why: 'x' }), (e) =>
    e.code === 'skill_error' && e.message === `Lua skill 'demo-text-fail' error: [string "demo_text_fail"]:2: it broke: x` && e.cause.traceback.includes('stack traceback'));
  await assert.rejects(engine.callSkill('demo-text-table', {}), (e) =>
    e.code === 'invalid_result' && e.message === "Tool results must be returned as plain strings. Structured JSON or table results are not supported. (skill='demo-text-table', actual_type='table')");
  const start = performance.now();
  await assert.rejects(engine.callSkill('demo-text-work', { iterations: 1e12 }, undefined, { timeoutMs: 50 }), (e) => e.code === 'timeout' && e.message.startsWith("Lua skill 'demo-text-work' error: timeout"));
  assert.ok(performance.now() - start < 10_000); // stopped by its timeout (the work would take hours)
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(engine.callSkill('demo-text-work', { iterations: 1e12 }, undefined, { signal: ac.signal }), (e) => e.code === 'cancelled');
  // The pool still serves calls afterwards.
  assert.equal((await engine.callSkill('demo-text-echo', { text: 'ok' })).content.split('|')[0], 'ok');
  await engine.close();
});

test('vulcan.call reaches other skills and gets tables unchanged', async () => {
  const { engine } = await engineWith();
  assert.equal((await engine.callSkill('demo-call-sum', {})).content, 'sum=6 caller=demo-call-sum');
  await engine.close();
});

test('runLua: first result, args, request context, errors', async () => {
  const { engine } = await engineWith();
  assert.deepEqual(await engine.runLua('return { n = args.n * 2, req = vulcan.context.request.request_id }', { n: 21 }, { request_context: { request_id: 'r9' } }), { n: 42, req: 'r9' });
  assert.equal(await engine.runLua('return vulcan.context.request.request_id'), undefined);
  assert.equal(await engine.runLua('return vulcan.json.encode({ b = args, a = vulcan.json.object() })', [1, 2]), '{"a":{},"b":[1,2]}');
  assert.equal(await engine.runLua('return vulcan.path.join("a", "b")'), 'a/b');
  await assert.rejects(engine.runLua('error("bad", 0)'), (e) => e.message === 'Lua run_lua error: bad');
  await assert.rejects(engine.runLua('while true do end', {}, undefined, { timeoutMs: 30 }), (e) => e.code === 'timeout');
  await engine.close();
});

test('help: descriptors, markdown verbatim, Lua help run with the skill context', async () => {
  const { engine, dir } = await engineWith();
  const help = engine.listSkillHelp().find((h) => h.skill_id === 'demo-text');
  assert.deepEqual(help.flows.map((f) => [f.flow_name, f.related_entries]), [['live', ['demo-text-echo']]]);
  const main = await engine.renderSkillHelpDetail('demo-text', 'main');
  assert.equal(main.content, '# Demo Text\n\nEchoes text.\n');
  assert.equal(main.content_type, 'markdown');
  assert.equal(main.is_main, true);
  assert.equal(main.skill_dir, path.join(dir, 'demo-text'));
  const live = await engine.renderSkillHelpDetail('demo-text', ' live ', { request_context: { request_id: 'h1' } });
  assert.equal(live.content, 'live help for demo-text via vulcan-help (h1)');
  assert.equal(await engine.renderSkillHelpDetail('no-such-skill', 'main'), null);
  await assert.rejects(engine.renderSkillHelpDetail('demo-text', ' '), { message: 'Help flow name must not be empty' });
  await assert.rejects(engine.renderSkillHelpDetail('demo-text', 'nope'), { message: "Skill 'demo-text' does not declare help flow 'nope'" });
  writeFileSync(path.join(dir, 'demo-text', 'help', 'live.lua'), 'return 42');
  await assert.rejects(engine.renderSkillHelpDetail('demo-text', 'live'), (e) => e.message === "Help help/live.lua must return a plain string, actual_type='number'");
  await engine.close();
});

test('two calls run in parallel with maxSize 2 and the event loop stays free', async () => {
  const { engine, dir } = await engineWith();
  // A handshake instead of timings: each job announces itself, then waits for the other, so
  // both can only finish if the pool runs them at the same time; a timer must tick meanwhile.
  const fa = path.join(dir, 'a-started');
  const fb = path.join(dir, 'b-started');
  const job = `local f = assert(io.open(args.touch, "w")) f:close()
    repeat f = io.open(args.wait, "r") until f f:close() return args.touch`;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const results = await Promise.all([
    engine.runLua(job, { touch: fa, wait: fb }, undefined, { timeoutMs: 20_000 }),
    engine.runLua(job, { touch: fb, wait: fa }, undefined, { timeoutMs: 20_000 }),
  ]);
  clearInterval(timer);
  assert.deepEqual(results, [fa, fb]);
  assert.ok(ticks > 0);
  assert.equal(engine.poolStats().created, 2);
  await engine.close();
});

test('reload is atomic and reports the entry delta', async () => {
  const { engine, dir } = await engineWith();
  const deltas = [];
  engine.on('registry-delta', (d) => deltas.push(d));
  rmSync(path.join(dir, 'demo-call'), { recursive: true });
  await engine.reloadFromRoots([{ name: 'ROOT', skills_dir: dir }]);
  assert.equal(deltas.length, 1);
  assert.deepEqual(deltas[0].removed_entry_names, ['demo-call-sum']);
  await assert.rejects(engine.callSkill('demo-call-sum', {}), (e) => e.code === 'skill_not_found');
  // Bad roots: an error, and the loaded skills stay.
  await assert.rejects(engine.reloadFromRoots([{ name: 'USER', skills_dir: dir }]));
  assert.equal(engine.isSkill('demo-text-echo'), true);
  assert.equal((await engine.callSkill('demo-text-echo', { text: 'still' })).content.split('|')[0], 'still');
  await engine.close();
  await assert.rejects(async () => engine.callSkill('demo-text-echo', {}), (e) => e.code === 'engine_closed');
});

test('lease VMs reach the loaded skills through vulcan.call', async () => {
  const { engine } = await engineWith();
  const lease = await engine.leases.create({ sid: 'with-skills' });
  const out = await engine.leases.eval({ lease_id: lease.lease_id, code: 'return vulcan.call("demo-text-echo", { text = "from lease" })' });
  assert.equal(out.ok, true);
  assert.equal(out.result, 'from lease|nil|nil|1');
  const sum = await engine.leases.eval({ lease_id: lease.lease_id, code: 'local t = vulcan.call("demo-text-table", {}) return #t.rows' });
  assert.equal(sum.result, 3);
  await engine.close();
});
