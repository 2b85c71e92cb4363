// LuaVm inside worker threads, and environments torn down while jobs run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

test('a worker thread runs its own VMs with host functions', async () => {
  const workers = [1, 2].map(() => new Worker(fixture('worker-vm.mjs'), { workerData: { mode: 'work' } }));
  // Listen for both events from the start: a worker may exit right after it posts.
  const exits = workers.map((w) => once(w, 'exit').then(([code]) => code));
  const results = await Promise.all(workers.map((w) => once(w, 'message').then(([m]) => m)));
  for (const r of results) assert.deepEqual(r, { sync: 'worker:sync', async: 'worker:async:42', caught: 'worker boom' });
  assert.deepEqual(await Promise.all(exits), [0, 0]);
});

for (const [name, code, timeoutMs] of [
  ['a running Lua loop', 'while true do end', 0],
  ['a pending host call', 'while true do slow(1) end', 0],
  ['a job whose deadline is armed', 'while true do end', 200],
]) {
  test(`worker.terminate() during ${name} is clean`, async () => {
    const worker = new Worker(fixture('worker-vm.mjs'), { workerData: { mode: 'spin', code, timeoutMs } });
    await once(worker, 'message');
    await new Promise((r) => setTimeout(r, 50));
    const start = Date.now();
    const exitCode = await worker.terminate();
    assert.equal(exitCode, 1);
    assert.ok(Date.now() - start < 10_000);
  });
}

test('terminating workers at any moment of their host calls never aborts the process', () => {
  const r = spawnSync(process.execPath, [fixture('terminate-stress.mjs')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stderr, '');
  assert.equal(r.signal, null);
  assert.equal(r.stdout, 'done\n');
  assert.equal(r.status, 0);
});

test('process.exit() while jobs run and a host call is pending exits cleanly', () => {
  const r = spawnSync(process.execPath, [fixture('exit-mid-job.mjs')], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.stdout, 'exiting\n');
  assert.equal(r.stderr, '');
  assert.equal(r.signal, null);
  assert.equal(r.status, 7);
});
