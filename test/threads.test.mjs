// Async jobs on VM threads: event-loop responsiveness, parallelism, busy, close mid-job.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaVm } from '../dist/index.js';

const SPIN = 'local t0 = os.clock() while os.clock() - t0 < args do end return args';
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// No timing thresholds (the machine may be shared): each test is a handshake that can only
// complete if the two sides really run at the same time; otherwise Lua spins into its timeout.
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-threads-'));
after(() => rmSync(work, { recursive: true, force: true }));
const WAIT_FOR = 'local f repeat f = io.open(args.wait, "r") until f f:close()';
const TOUCH = 'local f = assert(io.open(args.touch, "w")) f:close()';

test('the event loop keeps running while Lua runs', async () => {
  const vm = new LuaVm();
  const flag = path.join(work, 'from-event-loop');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  // Lua spins until a file appears that only a timer callback on the JS thread writes.
  setTimeout(() => writeFileSync(flag, 'x'), 50);
  const result = await vm.exec(`${WAIT_FOR} return "seen"`, { args: { wait: flag }, timeoutMs: 20_000 });
  clearInterval(timer);
  assert.equal(result, 'seen');
  assert.ok(ticks > 0);
  vm.close();
});

test('two VMs run in parallel', async () => {
  const a = new LuaVm();
  const b = new LuaVm();
  const fa = path.join(work, 'a-started');
  const fb = path.join(work, 'b-started');
  // Each announces itself, then waits for the other: run one after the other, neither could finish.
  const job = `${TOUCH} ${WAIT_FOR} return args.touch`;
  const [ra, rb] = await Promise.all([
    a.exec(job, { args: { touch: fa, wait: fb }, timeoutMs: 20_000 }),
    b.exec(job, { args: { touch: fb, wait: fa }, timeoutMs: 20_000 }),
  ]);
  assert.deepEqual([ra, rb], [fa, fb]);
  a.close();
  b.close();
});

test('a second job on a busy VM fails at once with busy', async () => {
  const vm = new LuaVm();
  const first = vm.exec(SPIN, { args: 0.3 });
  assert.equal(vm.busy, true);
  await assert.rejects(vm.exec('return 1'), (e) => e.code === 'busy' && e.message === 'busy: the Lua VM is already running a job');
  await assert.rejects(vm.call('print'), (e) => e.code === 'busy');
  assert.throws(() => vm.execSync('return 1'), (e) => e.code === 'busy');
  assert.throws(() => vm.setGlobal('x', 1), (e) => e.code === 'busy');
  assert.equal(vm.busy, true); // every refusal came while the first job still ran
  assert.equal(await first, 0.3);
  assert.equal(vm.busy, false);
  assert.equal(vm.execSync('return 1'), 1);
  vm.close();
});

test('close() during a running job rejects it with closed', async () => {
  const vm = new LuaVm();
  const job = vm.exec('while true do end');
  setTimeout(() => vm.close(), 50);
  const start = nowMs();
  await assert.rejects(job, (e) => e.code === 'closed');
  assert.ok(nowMs() - start < 10_000); // stopped, not run to the end (it never ends)
  assert.equal(vm.closed, true);
  await assert.rejects(vm.exec('return 1'), (e) => e.code === 'closed');
});

test('close() while a host call is pending', async () => {
  const vm = new LuaVm();
  let release;
  vm.registerHostFunction('wait', () => new Promise((r) => (release = r)));
  const job = vm.exec('return wait()');
  await new Promise((r) => setTimeout(r, 30));
  vm.close();
  await assert.rejects(job, (e) => e.code === 'closed');
  release(5); // settling later must not touch the closed state
  await new Promise((r) => setTimeout(r, 10));
});

test('many VMs and jobs leave no threads or memory behind', async () => {
  const rssBefore = process.memoryUsage().rss;
  for (let round = 0; round < 20; round++) {
    const vms = Array.from({ length: 8 }, () => new LuaVm());
    await Promise.all(vms.map((vm, i) => vm.exec('local s = 0 for i = 1, 1000 do s = s + i end return s + args', { args: i })));
    const closing = vms.map((vm) => vm.exec('while true do end'));
    vms.forEach((vm) => vm.close());
    const settled = await Promise.allSettled(closing);
    assert.ok(settled.every((s) => s.status === 'rejected' && s.reason.code === 'closed'));
  }
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(grown < 64 * 1024 * 1024, `rss grew by ${grown}`);
});

test('a VM that is dropped while idle after async use is collected', async () => {
  for (let i = 0; i < 50; i++) {
    const vm = new LuaVm();
    await vm.exec('return 1');
  }
  if (global.gc) global.gc();
  const vm = new LuaVm();
  assert.equal(await vm.exec('return "fine"'), 'fine');
  vm.close();
});
