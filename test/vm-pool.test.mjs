// The VM pool: sizes, FIFO waiting without blocking, idle expiry, discard, cancel and close.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { VmPool, VmPoolError } from '../dist/engine/vm-pool.js';
import { LuaVm } from '../dist/index.js';

class Item {
  static next = 0;
  id = Item.next++;
  closed = false;
  close() {
    this.closed = true;
  }
}

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

test('creates up to maxSize, then queues in FIFO order without blocking', async () => {
  const pool = new VmPool({ minSize: 0, maxSize: 2, idleTtlSec: 60 }, () => new Item());
  const a = await pool.acquire();
  const b = await pool.acquire();
  assert.notEqual(a, b);
  const order = [];
  const c = pool.acquire().then((x) => (order.push('c'), x));
  const d = pool.acquire().then((x) => (order.push('d'), x));
  assert.deepEqual(pool.stats, { size: 2, idle: 0, inUse: 2, queued: 2, created: 2, closed: 0 });
  pool.release(a);
  assert.equal(await c, a);
  pool.release(b);
  assert.equal(await d, b);
  assert.deepEqual(order, ['c', 'd']);
  pool.release(a);
  pool.release(b);
  pool.release(b); // a second release is ignored
  assert.deepEqual(pool.stats, { size: 2, idle: 2, inUse: 0, queued: 0, created: 2, closed: 0 });
  pool.close();
});

test('reuses the most recently released item', async () => {
  const pool = new VmPool({ minSize: 0, maxSize: 3, idleTtlSec: 60 }, () => new Item());
  const [a, b] = [await pool.acquire(), await pool.acquire()];
  pool.release(a);
  pool.release(b);
  assert.equal(await pool.acquire(), b);
  pool.close();
});

test('idle items above minSize close after idleTtlSec; minSize stays', async () => {
  const c = clock();
  const pool = new VmPool({ minSize: 1, maxSize: 3, idleTtlSec: 10 }, () => new Item(), c.now);
  const items = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
  items.forEach((i) => pool.release(i));
  c.t = 9_999;
  pool.reap();
  assert.equal(pool.stats.idle, 3);
  c.t = 10_000;
  pool.reap();
  assert.deepEqual(pool.stats, { size: 1, idle: 1, inUse: 0, queued: 0, created: 3, closed: 2 });
  assert.equal(items.filter((i) => i.closed).length, 2);
  pool.close();
  assert.equal(items.filter((i) => i.closed).length, 3);
});

test('prewarm creates minSize items', () => {
  const pool = new VmPool({ minSize: 2, maxSize: 4, idleTtlSec: 1 }, () => new Item());
  pool.prewarm();
  assert.deepEqual(pool.stats, { size: 2, idle: 2, inUse: 0, queued: 0, created: 2, closed: 0 });
  pool.close();
});

test('discarding an item frees its slot for a waiter', async () => {
  const pool = new VmPool({ minSize: 0, maxSize: 1, idleTtlSec: 60 }, () => new Item());
  const a = await pool.acquire();
  const waiting = pool.acquire();
  pool.release(a, true);
  const b = await waiting;
  assert.ok(a.closed);
  assert.notEqual(a, b);
  assert.equal(pool.stats.created, 2);
  pool.close();
});

test('an aborted signal removes a waiter; close rejects the rest and closes released items', async () => {
  const pool = new VmPool({ minSize: 0, maxSize: 1, idleTtlSec: 60 }, () => new Item());
  const a = await pool.acquire();
  const ac = new AbortController();
  const cancelled = pool.acquire(ac.signal);
  const pending = pool.acquire();
  ac.abort();
  await assert.rejects(cancelled, (e) => e instanceof VmPoolError && e.code === 'cancelled');
  assert.equal(pool.stats.queued, 1);
  await assert.rejects(pool.acquire(AbortSignal.abort()), (e) => e.code === 'cancelled');
  pool.close();
  await assert.rejects(pending, (e) => e.code === 'pool_closed' && e.message === 'the VM pool is closed');
  await assert.rejects(pool.acquire(), (e) => e.code === 'pool_closed');
  pool.release(a);
  assert.ok(a.closed);
});

test('a failing factory fails that acquisition only', async () => {
  let fail = true;
  const pool = new VmPool({ minSize: 0, maxSize: 1, idleTtlSec: 60 }, () => {
    if (fail) throw new Error('no VM today');
    return new Item();
  });
  await assert.rejects(pool.acquire(), /no VM today/);
  fail = false;
  assert.ok((await pool.acquire()) instanceof Item);
  pool.close();
});

test('invalid sizes are refused', () => {
  assert.throws(() => new VmPool({ minSize: 3, maxSize: 2, idleTtlSec: 1 }, () => new Item()), RangeError);
  assert.throws(() => new VmPool({ minSize: 0, maxSize: 0, idleTtlSec: 1 }, () => new Item()), RangeError);
});

test('pooled Lua VMs run jobs in parallel and the event loop stays free', async () => {
  const pool = new VmPool({ minSize: 0, maxSize: 2, idleTtlSec: 60 }, () => new LuaVm());
  // Four jobs on two VMs: the pool never runs more than two at a time, and the JS thread keeps
  // ticking meanwhile. (No timings: the machine may be shared.)
  const spin = 'local s = 0 for i = 1, args do s = s + i % 7 end return 1';
  let ticks = 0;
  let maxInUse = 0;
  const timer = setInterval(() => {
    ticks++;
    maxInUse = Math.max(maxInUse, pool.stats.inUse);
  }, 5);
  const run = async () => {
    const vm = await pool.acquire();
    try {
      return await vm.exec(spin, { args: 3e7 });
    } finally {
      pool.release(vm);
    }
  };
  assert.deepEqual(await Promise.all([run(), run(), run(), run()]), [1, 1, 1, 1]);
  clearInterval(timer);
  assert.equal(maxInUse, 2);
  assert.ok(ticks > 0, 'the event loop ran while the jobs did');
  assert.equal(pool.stats.created, 2);
  pool.close();
});
