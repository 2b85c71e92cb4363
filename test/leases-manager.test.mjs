// Lease bookkeeping, branch for branch as the seed's RuntimeSessionManager: profiles, SIDs, TTLs,
// generations, ids, tombstones, pruning, identity checks, the limit. VMs are stand-ins and the
// clock is injected, so 600 s TTLs and 3600 s tombstones take no time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { FakeEngine, T0_UNIX, fakeClock } from './fixtures/lease-helpers.mjs';

// System leases create their directory; one scratch directory serves the whole file.
const scratch = mkdtempSync(path.join(tmpdir(), 'luaskills-manager-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function setup() {
  const clock = fakeClock();
  const engine = new FakeEngine({ clock, systemLuaLibDir: path.join(scratch, 'system_lua_lib') });
  return { clock, engine };
}

const suffix = (sid, gen) => ` (sid \`${sid}\`, generation ${gen})`;

test('create answers the seed payload: id rt_<unix_ms>_<seq>, generation 1, TTL 600', async () => {
  const { engine } = setup();
  const created = await engine.leases.create({ sid: '  task-1 ', cwd: ' /w ', workspace_root: '/ws' });
  assert.deepEqual(created, {
    ok: true,
    sid: 'task-1',
    lease_id: `rt_${T0_UNIX}_1`,
    generation: 1,
    profile: 'public',
    lifetime: 'finite',
    cwd: '/w',
    workspace_root: '/ws',
    system_lua_lib: null,
    ttl_sec: 600,
    expires_at_unix_ms: T0_UNIX + 600_000,
  });
  await engine.close();
});

test('TTL rules: public 0 refused, clamp 1..3600; system absent or 0 infinite, else clamped', async () => {
  const { engine } = setup();
  await assert.rejects(engine.leases.create({ sid: 'a', ttl_sec: 0 }), {
    name: 'LeaseRequestError',
    code: 'invalid_lease_request',
    message: 'runtime lease ttl_sec must be greater than 0',
  });
  assert.equal((await engine.leases.create({ sid: 'a', ttl_sec: 99_999 })).ttl_sec, 3600);
  assert.equal((await engine.leases.create({ sid: 'b', ttl_sec: 1 })).ttl_sec, 1);
  assert.equal((await engine.leases.create({ sid: 'c', ttl_sec: null })).ttl_sec, 600);
  const sys0 = await engine.systemLeases.create({ sid: 'd', ttl_sec: 0 });
  assert.deepEqual([sys0.lifetime, sys0.ttl_sec, sys0.expires_at_unix_ms], ['infinite', null, null]);
  const sysAbsent = await engine.systemLeases.create({ sid: 'e' });
  assert.deepEqual([sysAbsent.lifetime, sysAbsent.ttl_sec], ['infinite', null]);
  const sysBig = await engine.systemLeases.create({ sid: 'f', ttl_sec: 7200 });
  assert.deepEqual([sysBig.lifetime, sysBig.ttl_sec, sysBig.expires_at_unix_ms], ['finite', 3600, T0_UNIX + 3_600_000]);
  await engine.close();
});

test('SID normalisation: trimmed, non-empty, at most 128 bytes, no NUL, on every surface', async () => {
  const { engine } = setup();
  const bad = async (sid, message) => {
    await assert.rejects(engine.leases.create({ sid }), { name: 'LeaseRequestError', message });
  };
  await bad(' \t\n', 'runtime session sid must not be empty');
  await bad('é'.repeat(64) + 'x', 'runtime session sid must not exceed 128 bytes');
  await bad('a\0b', 'runtime session sid must not contain NUL bytes');
  const ok = await engine.leases.create({ sid: 'é'.repeat(64) });
  assert.equal(ok.sid, 'é'.repeat(64));
  // Rust's trim: U+0085 is white space, U+FEFF is not.
  assert.equal((await engine.leases.create({ sid: '\u0085s\u0085' })).sid, 's');
  assert.equal((await engine.leases.create({ sid: '\ufeffs' })).sid, '\ufeffs');
  const id = (await engine.leases.create({ sid: 'n' })).lease_id;
  assert.equal(engine.leases.status({ lease_id: id, sid: ' n ' }).ok, true);
  assert.equal((await engine.leases.eval({ lease_id: id, sid: ' n', code: '' })).ok, true);
  assert.equal(engine.leases.list({ sid: 'n ' }).leases.length, 1);
  assert.throws(() => engine.leases.status({ lease_id: id, sid: '' }), { message: 'runtime session sid must not be empty' });
  assert.throws(() => engine.leases.list({ sid: '\0' }), { message: 'runtime session sid must not contain NUL bytes' });
  assert.throws(() => engine.leases.close({ lease_id: id, sid: ' ' }), { message: 'runtime session sid must not be empty' });
  assert.equal(engine.leases.close({ lease_id: id, sid: ' n ' }).closed, true);
  await engine.close();
});

test('lease_exists without replace; replace retires the old lease as lease_replaced and frees its VM', async () => {
  const { engine } = setup();
  const first = await engine.leases.create({ sid: 'a' });
  assert.deepEqual(await engine.leases.create({ sid: 'a' }), {
    ok: false,
    error_code: 'lease_exists',
    message: `runtime session SID \`a\` already has lease \`${first.lease_id}\``,
  });
  assert.equal(engine.vms[1].closed, true, 'the refused lease VM is freed');
  assert.equal(engine.vms[0].closed, false);
  const second = await engine.leases.create({ sid: 'a', replace: true });
  assert.deepEqual([second.generation, second.lease_id], [2, `rt_${T0_UNIX}_2`]);
  assert.equal(engine.vms[0].closed, true, 'the replaced lease VM is freed');
  const stale = { ok: false, error_code: 'lease_replaced', message: `runtime session lease \`${first.lease_id}\` was replaced${suffix('a', 1)}` };
  assert.deepEqual(await engine.leases.eval({ lease_id: first.lease_id, code: 'return 1' }), stale);
  assert.deepEqual(engine.leases.status({ lease_id: first.lease_id }), stale);
  assert.deepEqual(engine.leases.close({ lease_id: first.lease_id }), stale);
  assert.deepEqual(engine.leases.list().leases.map((l) => l.lease_id), [second.lease_id]);
  await engine.close();
});

test('replace of a busy lease answers lease_busy; create without replace answers lease_exists', async () => {
  const { engine } = setup();
  const first = await engine.leases.create({ sid: 'a' });
  engine.vms[0].hold();
  const running = engine.leases.eval({ lease_id: first.lease_id, code: 'x' });
  assert.deepEqual(await engine.leases.create({ sid: 'a', replace: true }), {
    ok: false,
    error_code: 'lease_busy',
    message: `runtime session SID \`a\` cannot replace busy lease \`${first.lease_id}\``,
  });
  assert.deepEqual(await engine.leases.create({ sid: 'a' }), {
    ok: false,
    error_code: 'lease_exists',
    message: `runtime session SID \`a\` already has lease \`${first.lease_id}\``,
  });
  engine.vms[0].release();
  assert.equal((await running).result, 'done');
  assert.equal((await engine.leases.create({ sid: 'a', replace: true })).generation, 2);
  await engine.close();
});

test('at most 8 active leases across both profiles; refusals use no sequence number or generation', async () => {
  const { engine } = setup();
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push((await engine.leases.create({ sid: `p${i}` })).lease_id);
  for (let i = 0; i < 4; i++) ids.push((await engine.systemLeases.create({ sid: `s${i}` })).lease_id);
  const refused = { ok: false, error_code: 'lease_limit_exceeded', message: 'runtime session lease limit exceeded' };
  assert.deepEqual(await engine.leases.create({ sid: 'x' }), refused);
  assert.deepEqual(await engine.systemLeases.create({ sid: 'y' }), refused);
  assert.equal(engine.vms[8].closed && engine.vms[9].closed, true);
  assert.equal(engine.activeLeaseCount, 8);
  // Replacing at the limit retires first, so it fits.
  const replaced = await engine.leases.create({ sid: 'p0', replace: true });
  assert.deepEqual([replaced.ok, replaced.generation, replaced.lease_id], [true, 2, `rt_${T0_UNIX}_9`]);
  engine.leases.close({ lease_id: ids[1] });
  const x = await engine.leases.create({ sid: 'x' });
  assert.deepEqual([x.generation, x.lease_id], [1, `rt_${T0_UNIX}_10`]);
  await engine.close();
});

test('expiry on the monotonic clock: lease_expired tombstone, VM freed, pruned lazily', async () => {
  const { clock, engine } = setup();
  const lease = await engine.leases.create({ sid: 'a' });
  clock.advance(599_999);
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).ok, true);
  assert.equal(engine.vms[0].closed, false);
  clock.advance(1);
  assert.equal(engine.activeLeaseCount, 1, 'nothing is pruned until an operation runs');
  assert.deepEqual(engine.leases.status({ lease_id: lease.lease_id }), {
    ok: false,
    error_code: 'lease_expired',
    message: `runtime session lease \`${lease.lease_id}\` is expired${suffix('a', 1)}`,
  });
  assert.equal(engine.vms[0].closed, true);
  assert.deepEqual(engine.leases.list(), { ok: true, leases: [] });
  assert.equal((await engine.leases.eval({ lease_id: lease.lease_id, code: '' })).error_code, 'lease_expired');
  // The SID is free again, with the next generation.
  assert.equal((await engine.leases.create({ sid: 'a' })).generation, 2);
  await engine.close();
});

test('expiry is monotonic: a wall-clock jump neither expires nor revives a lease', async () => {
  const { clock, engine } = setup();
  const lease = await engine.leases.create({ sid: 'a', ttl_sec: 10 });
  clock.unix += 3_600_000;
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).ok, true);
  clock.mono += 10_000;
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).error_code, 'lease_expired');
  await engine.close();
});

test('eval slides the TTL before and after it runs; status does not', async () => {
  const { clock, engine } = setup();
  const lease = await engine.leases.create({ sid: 'a', ttl_sec: 100 });
  clock.advance(60_000);
  engine.leases.status({ lease_id: lease.lease_id });
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).expires_at_unix_ms, T0_UNIX + 100_000);
  engine.vms[0].hold();
  const running = engine.leases.eval({ lease_id: lease.lease_id, code: '' });
  clock.advance(250_000); // longer than the TTL, while busy: busy leases are never pruned
  assert.equal(engine.leases.list().leases.length, 1);
  engine.vms[0].release({ ok: true, value: 7 });
  const done = await running;
  assert.equal(done.expires_at_unix_ms, T0_UNIX + 310_000 + 100_000);
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).expires_at_unix_ms, T0_UNIX + 410_000);
  // A failed eval keeps the refresh taken before it ran, and no more.
  engine.vms[0].hold();
  const failing = engine.leases.eval({ lease_id: lease.lease_id, code: '' });
  clock.advance(99_000);
  engine.vms[0].release({ ok: false, message: 'Runtime session eval error: runtime error: x' });
  assert.deepEqual(await failing, { ok: false, error_code: 'eval_failed', message: 'Runtime session eval error: runtime error: x' });
  const status = engine.leases.status({ lease_id: lease.lease_id });
  assert.equal(status.expires_at_unix_ms, T0_UNIX + 310_000 + 100_000);
  clock.advance(1_000);
  assert.equal(engine.leases.status({ lease_id: lease.lease_id }).error_code, 'lease_expired');
  await engine.close();
});

test('tombstones answer with their terminal code for 3600 s, then the lease is not found', async () => {
  const { clock, engine } = setup();
  const lease = await engine.leases.create({ sid: 'a' });
  engine.leases.close({ lease_id: lease.lease_id });
  clock.advance(3_599_999);
  assert.deepEqual(engine.leases.status({ lease_id: lease.lease_id }), {
    ok: false,
    error_code: 'lease_closed',
    message: `runtime session lease \`${lease.lease_id}\` is closed${suffix('a', 1)}`,
  });
  clock.advance(1);
  const missing = { ok: false, error_code: 'lease_not_found', message: `runtime session lease \`${lease.lease_id}\` was not found` };
  assert.deepEqual(engine.leases.status({ lease_id: lease.lease_id }), missing);
  assert.deepEqual(engine.leases.close({ lease_id: lease.lease_id }), missing);
  assert.deepEqual(await engine.leases.eval({ lease_id: lease.lease_id, code: '' }), missing);
  await engine.close();
});

test('generations count per SID across replace and close; lease ids use the shared sequence', async () => {
  const { clock, engine } = setup();
  const a1 = await engine.leases.create({ sid: 'a' });
  clock.advance(5);
  const b1 = await engine.leases.create({ sid: 'b' });
  const a2 = await engine.leases.create({ sid: 'a', replace: true });
  engine.leases.close({ lease_id: a2.lease_id });
  const a3 = await engine.systemLeases.create({ sid: 'a' });
  assert.deepEqual(
    [a1, b1, a2, a3].map((l) => [l.lease_id, l.generation]),
    [
      [`rt_${T0_UNIX}_1`, 1],
      [`rt_${T0_UNIX + 5}_2`, 1],
      [`rt_${T0_UNIX + 5}_3`, 2],
      [`rt_${T0_UNIX + 5}_4`, 3],
    ],
  );
  await engine.close();
});

test('identity checks: sid and generation on active leases and on tombstones', async () => {
  const { engine } = setup();
  const lease = await engine.leases.create({ sid: 'a' });
  const id = lease.lease_id;
  const sidMismatch = { ok: false, error_code: 'lease_sid_mismatch', message: `runtime session lease \`${id}\` belongs to sid \`a\`, not \`b\`` };
  const genMismatch = {
    ok: false,
    error_code: 'lease_generation_mismatch',
    message: `runtime session lease \`${id}\` generation mismatch: expected 2, actual 1`,
  };
  for (const retired of [false, true]) {
    assert.deepEqual(engine.leases.status({ lease_id: id, sid: 'b' }), sidMismatch);
    assert.deepEqual(engine.leases.status({ lease_id: id, generation: 2 }), genMismatch);
    assert.deepEqual(await engine.leases.eval({ lease_id: id, sid: 'b', code: '' }), sidMismatch);
    assert.deepEqual(await engine.leases.eval({ lease_id: id, generation: 2, code: '' }), genMismatch);
    assert.deepEqual(engine.leases.close({ lease_id: id, sid: 'b', generation: 2 }), sidMismatch, 'sid is checked first');
    assert.deepEqual(engine.leases.close({ lease_id: id, sid: 'a', generation: 2 }), genMismatch);
    if (!retired) assert.equal(engine.leases.close({ lease_id: id, sid: 'a', generation: 1 }).closed, true);
  }
  assert.equal(engine.leases.status({ lease_id: id, sid: 'a', generation: 1 }).error_code, 'lease_closed');
  await engine.close();
});

test('profile mismatch both ways, on active leases and on tombstones; identity is checked first', async () => {
  const { engine } = setup();
  const pub = await engine.leases.create({ sid: 'p' });
  const sys = await engine.systemLeases.create({ sid: 's' });
  const notSystem = (id) => ({
    ok: false,
    error_code: 'lease_profile_mismatch',
    message: `runtime session lease \`${id}\` belongs to profile \`public\`, not \`system_lua_lib\``,
  });
  const notPublic = (id) => ({
    ok: false,
    error_code: 'lease_profile_mismatch',
    message: `runtime session lease \`${id}\` belongs to profile \`system_lua_lib\`, not \`public\``,
  });
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(engine.systemLeases.status({ lease_id: pub.lease_id }), notSystem(pub.lease_id));
    assert.deepEqual(await engine.systemLeases.eval({ lease_id: pub.lease_id, code: '' }), notSystem(pub.lease_id));
    assert.deepEqual(engine.systemLeases.close({ lease_id: pub.lease_id }), notSystem(pub.lease_id));
    assert.deepEqual(engine.leases.status({ lease_id: sys.lease_id }), notPublic(sys.lease_id));
    assert.deepEqual(await engine.leases.eval({ lease_id: sys.lease_id, code: '' }), notPublic(sys.lease_id));
    assert.deepEqual(engine.leases.close({ lease_id: sys.lease_id }), notPublic(sys.lease_id));
    assert.equal(engine.leases.status({ lease_id: sys.lease_id, sid: 'zz' }).error_code, 'lease_sid_mismatch');
    // Round two: the same answers from the tombstones.
    engine.leases.close({ lease_id: pub.lease_id });
    engine.systemLeases.close({ lease_id: sys.lease_id });
  }
  await engine.close();
});

test('list: active leases of the profile, sorted by sid, generation, lease id, filtered by sid', async () => {
  const { engine } = setup();
  const c = await engine.leases.create({ sid: 'c' });
  const b = await engine.leases.create({ sid: 'b' });
  const a1 = await engine.leases.create({ sid: 'a' });
  await engine.systemLeases.create({ sid: 'a2' });
  const a2 = await engine.leases.create({ sid: 'a', replace: true });
  const listed = engine.leases.list();
  assert.deepEqual(listed.leases.map((l) => [l.sid, l.generation]), [['a', 2], ['b', 1], ['c', 1]]);
  assert.deepEqual(listed.leases[0], {
    ok: true,
    sid: 'a',
    lease_id: a2.lease_id,
    generation: 2,
    profile: 'public',
    lifetime: 'finite',
    cwd: null,
    workspace_root: null,
    system_lua_lib: null,
    ttl_sec: 600,
    expires_at_unix_ms: T0_UNIX + 600_000,
    closed: false,
    expired: false,
  });
  assert.deepEqual(engine.leases.list({ sid: 'b' }).leases.map((l) => l.lease_id), [b.lease_id]);
  assert.deepEqual(engine.leases.list({ sid: 'a2' }), { ok: true, leases: [] });
  assert.deepEqual(engine.systemLeases.list().leases.map((l) => l.sid), ['a2']);
  assert.notEqual(a1.lease_id, a2.lease_id);
  assert.ok(c.ok);
  await engine.close();
});

test('list shows the snapshot of the last eval, not a fresh status', async () => {
  const { clock, engine } = setup();
  const lease = await engine.leases.create({ sid: 'a' });
  clock.advance(1_000);
  engine.leases.status({ lease_id: lease.lease_id });
  assert.equal(engine.leases.list().leases[0].expires_at_unix_ms, T0_UNIX + 600_000);
  await engine.leases.eval({ lease_id: lease.lease_id, code: '' });
  assert.equal(engine.leases.list().leases[0].expires_at_unix_ms, T0_UNIX + 601_000);
  await engine.close();
});

test('during an eval: a second eval, status and close answer lease_busy; list still shows the lease', async () => {
  const { engine } = setup();
  const lease = await engine.leases.create({ sid: 'a' });
  const id = lease.lease_id;
  engine.vms[0].hold();
  const running = engine.leases.eval({ lease_id: id, code: 'slow' });
  const busy = { ok: false, error_code: 'lease_busy', message: `runtime session lease \`${id}\` is busy` };
  assert.deepEqual(await engine.leases.eval({ lease_id: id, code: 'again' }), busy);
  assert.deepEqual(engine.leases.status({ lease_id: id }), busy);
  assert.deepEqual(engine.leases.status({ lease_id: id, sid: 'other' }), busy, 'busy is answered before identity');
  assert.deepEqual(engine.leases.close({ lease_id: id }), busy);
  assert.deepEqual(engine.leases.list().leases.map((l) => l.lease_id), [id]);
  assert.equal(engine.vms[0].inputs.length, 1);
  engine.vms[0].release();
  assert.equal((await running).ok, true);
  assert.equal(engine.leases.close({ lease_id: id }).closed, true);
  await engine.close();
});

test('eval hands the VM its code, args (default {}), timeout (default 60000) and context; payload fields', async () => {
  const { engine } = setup();
  const lease = await engine.systemLeases.create({ sid: 'a', cwd: '/c' });
  engine.vms[0].next = { ok: true, value: { n: 1 } };
  const out = await engine.systemLeases.eval({ lease_id: lease.lease_id, code: 'return 1' });
  assert.deepEqual(out, {
    ok: true,
    sid: 'a',
    lease_id: lease.lease_id,
    generation: 1,
    profile: 'system_lua_lib',
    lifetime: 'infinite',
    cwd: '/c',
    system_lua_lib: engine.systemLuaLibDir,
    expires_at_unix_ms: null,
    result: { n: 1 },
  });
  await engine.systemLeases.eval({ lease_id: lease.lease_id, code: 'c2', args: [1], timeout_ms: 5, client_budget: 3, tool_config: { t: 1 } });
  const [first, second] = engine.vms[0].inputs;
  assert.deepEqual([first.code, first.args, first.timeoutMs], ['return 1', {}, 60_000]);
  assert.deepEqual([second.code, second.args, second.timeoutMs], ['c2', [1], 5]);
  assert.deepEqual(second.context, {
    request: { client_capabilities: {} },
    client_capabilities: {},
    client_budget: {},
    tool_config: { t: 1 },
    host_result: { enabled: false, allowed_kinds: [] },
  });
  await assert.rejects(engine.systemLeases.eval({ lease_id: lease.lease_id, code: '', timeout_ms: 0 }), {
    name: 'LeaseRequestError',
    message: 'runtime session eval timeout_ms must be greater than 0',
  });
  await engine.close();
});

test('close answers the status shape with closed: true and frees the VM', async () => {
  const { engine } = setup();
  const lease = await engine.leases.create({ sid: 'a', ttl_sec: 30, lua_roots: ['/l'], mounts: null });
  assert.deepEqual(engine.leases.close({ lease_id: lease.lease_id, sid: 'a', generation: 1 }), {
    ok: true,
    sid: 'a',
    lease_id: lease.lease_id,
    generation: 1,
    profile: 'public',
    lifetime: 'finite',
    cwd: null,
    workspace_root: null,
    system_lua_lib: null,
    ttl_sec: 30,
    expires_at_unix_ms: T0_UNIX + 30_000,
    closed: true,
    expired: false,
  });
  assert.equal(engine.vms[0].closed, true);
  assert.equal(engine.activeLeaseCount, 0);
  await engine.close();
});

test('engine close frees every lease VM and refuses further calls with engine_closed', async () => {
  const { engine } = setup();
  await engine.leases.create({ sid: 'a' });
  await engine.systemLeases.create({ sid: 'b' });
  await engine.close();
  assert.deepEqual(engine.vms.map((vm) => vm.closed), [true, true]);
  assert.equal(engine.closed, true);
  await assert.rejects(engine.leases.create({ sid: 'c' }), { name: 'LuaSkillsEngineError', code: 'engine_closed' });
  assert.throws(() => engine.leases.list(), { code: 'engine_closed' });
  assert.throws(() => engine.runtimeLeaseStatusJson('{"lease_id":"x"}'), { code: 'engine_closed' });
  await engine.close();
});
