// Timing helpers. Every figure is wall time from process.hrtime.bigint().

export const now = () => process.hrtime.bigint();
export const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * µs per call of a synchronous `fn`: after one warm-up call, the median over `reps` rounds of
 * the mean of `inner` calls.
 */
export function microsPerCall(fn, reps, inner) {
  fn();
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const t = now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((msSince(t) * 1000) / inner);
  }
  return median(samples);
}

/** Prints a two-column Markdown table of `[label, unit, value]` rows under `title`. */
export function printFigureTable(title, column, rows, format = (v) => v) {
  const lines = [`| ${title} | ${column} |`, '| --- | ---: |'];
  for (const [label, unit, value] of rows) lines.push(`| ${label} (${unit}) | ${format(value)} |`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

export function gc() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/** Global knobs, set by run.mjs (e.g. --quick). */
export const config = { targetMs: 200, reps: 5, calibrateMs: 40 };

/** The n for which body(n) takes about targetMs; doubles as warmup. */
export async function calibrate(body, opts = {}) {
  const targetMs = opts.targetMs ?? config.targetMs;
  const maxN = opts.maxN ?? Infinity;
  let n = 1;
  let dt;
  for (;;) {
    const t0 = now();
    await body(n);
    dt = msSince(t0);
    if (dt >= config.calibrateMs || n >= maxN) break;
    n = Math.min(maxN, n * 2);
  }
  // Scale to targetMs; re-time at full size (the warmup) and rescale while a JIT engine that
  // got faster meanwhile makes the round much shorter than intended.
  for (let i = 0; i < 3; i++) {
    n = Math.max(1, Math.min(maxN, Math.round((n * targetMs) / Math.max(dt, 0.001))));
    const t0 = now();
    await body(n);
    dt = msSince(t0);
    if (dt >= targetMs * 0.6 || n >= maxN) break;
  }
  return n;
}

/**
 * One-shot timings (CPU workloads, timeouts): `once()` returns ms; runs `warmup` unmeasured
 * rounds and `reps` measured ones. Returns the median ms and the samples.
 */
export async function repeat(once, { warmup = 1, reps = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await once();
  const samples = [];
  for (let i = 0; i < reps; i++) {
    gc();
    samples.push(await once());
  }
  return { ms: median(samples), samples };
}
