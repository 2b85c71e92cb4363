// Runtime lease figures (luaskills only: no other engine has leases). Printed by run.mjs as a
// second table; `--only leases` runs just these.
import { LuaSkillsEngine } from '../dist/index.js';
import { calibrate, msSince, now, printFigureTable } from './lib/timing.mjs';

const REPS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Median over REPS batches of fn(n) (n calibrated to about 200 ms), in µs per operation.
async function perOp(fn) {
  const n = await calibrate(fn, {});
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    globalThis.gc?.();
    const t = now();
    await fn(n);
    samples.push((msSince(t) * 1000) / n);
  }
  return median(samples);
}

export async function measureLeases() {
  const engine = new LuaSkillsEngine();
  let k = 0;
  const rows = [];
  rows.push(['lease create + close (typed API)', 'µs', await perOp(async (n) => {
    for (let i = 0; i < n; i++) {
      const created = await engine.leases.create({ sid: `bench-${k++}` });
      await engine.leases.close({ lease_id: created.lease_id });
    }
  })]);
  const lease = await engine.leases.create({ sid: 'bench-eval' });
  rows.push(['eval "return 1" (typed API)', 'µs', await perOp(async (n) => {
    for (let i = 0; i < n; i++) await engine.leases.eval({ lease_id: lease.lease_id, code: 'return 1' });
  })]);
  const evalJson = JSON.stringify({ lease_id: lease.lease_id, code: 'return 1' });
  rows.push(['eval "return 1" (JSON surface, string in/out)', 'µs', await perOp(async (n) => {
    for (let i = 0; i < n; i++) await engine.evalRuntimeLeaseJson(evalJson);
  })]);
  await engine.leases.close({ lease_id: lease.lease_id });
  const eight = [];
  for (let i = 0; i < 8; i++) eight.push(await engine.leases.create({ sid: `par-${i}` }));
  const spin = 'local s = 0 for i = 1, 2e5 do s = s + i end return s';
  const one = await perOp(async (n) => {
    for (let i = 0; i < n; i++) await engine.leases.eval({ lease_id: eight[0].lease_id, code: spin });
  });
  const eightAtOnce = await perOp(async (n) => {
    for (let i = 0; i < n; i++) await Promise.all(eight.map((l) => engine.leases.eval({ lease_id: l.lease_id, code: spin })));
  });
  rows.push(['1 lease, eval of a 2e5-iteration loop', 'µs', one]);
  rows.push(['8 leases evaluating in parallel, per round of 8', 'µs', eightAtOnce]);
  rows.push(['parallel speed-up (8 evals vs 1 eval x 8)', 'x', (one * 8) / eightAtOnce]);
  await engine.close();
  return rows;
}

export function printLeaseTable(rows) {
  printFigureTable('runtime leases', 'luaskills', rows, (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)));
}
