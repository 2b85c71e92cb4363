#!/usr/bin/env node
// Benchmark harness: luaskills vs wasmoon vs fengari vs the stock lua5.4 interpreter.
//   npm run bench                       (= node --expose-gc bench/run.mjs)
//   node --expose-gc bench/run.mjs --json          raw figures as JSON on stdout
//   node --expose-gc bench/run.mjs --only calls    one workload (and its extra rows)
// Progress goes to stderr; the table (or JSON) to stdout. See bench/README.md.
import { measureLeases, printLeaseTable } from './leases.mjs';
import { measureSkills, printSkillTable } from './skills.mjs';
import { measureJson, printJsonTable } from './json.mjs';
import { measureFs, printFsTable } from './fs.mjs';
import { measureProcess, printProcessTable } from './process.mjs';
import os from 'node:os';
import { config, now, msSince, median, gc, calibrate } from './lib/timing.mjs';
import { roundTripObject } from './lib/workloads.mjs';

const ENGINES = ['luaskills', 'wasmoon', 'fengari', 'lua5.4'];
const ENGINE_MODULES = {
  luaskills: './engines/luaskills.mjs',
  wasmoon: './engines/wasmoon.mjs',
  fengari: './engines/fengari.mjs',
  'lua5.4': './engines/lua54.mjs',
};

// Display order. Every figure is "lower is better"; ratios are other/ours ("how many times
// faster (or smaller) luaskills is"). `group` is what --only selects; `vs` names the row whose
// luaskills figure the other engines are compared with when this row has none of its own.
const ROWS = [
  { id: 'create', group: 'create', n: '1', label: 'VM create+close', unit: 'µs/VM' },
  { id: 'create.newstate', group: 'create', n: '1b', label: 'C baseline in the addon: luaL_newstate+lua_close', unit: 'µs' },
  { id: 'create.openlibs', group: 'create', n: '1c', label: 'C baseline in the addon: newstate+luaL_openlibs+close', unit: 'µs' },
  { id: 'create.isolated', group: 'create', n: '1d', label: 'VM create+close, wasmoon new LuaFactory per VM', unit: 'µs/VM', vs: 'create' },
  { id: 'rss', group: 'rss', n: '2', label: 'RSS per live VM', unit: 'KB/VM' },
  { id: 'rss.isolated', group: 'rss', n: '2b', label: 'RSS per live VM, wasmoon LuaFactory per VM', unit: 'KB/VM', vs: 'rss' },
  { id: 'calls', group: 'calls', n: '3', label: 'host→Lua call inc(x) via a function handle, sync', unit: 'ns/call', rate: true },
  { id: 'calls.byname', group: 'calls', n: '3c', label: 'host→Lua call inc(x) by global name, sync', unit: 'ns/call', rate: true },
  { id: 'calls.async', group: 'calls', n: '3b', label: 'host→Lua call inc(x), async vm.call', unit: 'ns/call', rate: true },
  { id: 'eval', group: 'eval', n: '4', label: 'eval "return 1+1", sync', unit: 'ns/eval', rate: true },
  { id: 'eval.unique', group: 'eval', n: '4c', label: 'eval of a different chunk each time, sync', unit: 'ns/eval', rate: true },
  { id: 'eval.async', group: 'eval', n: '4b', label: 'eval "return 1+1", async exec / doString', unit: 'ns/eval', rate: true },
  { id: 'fib', group: 'fib', n: '5', label: 'fib(30) recursive', unit: 'ms' },
  { id: 'fib.async', group: 'fib', n: '5b', label: 'fib(30), ours via async exec()', unit: 'ms', vs: 'fib' },
  { id: 'fib.hook', group: 'fib', n: '5c', label: 'fib(30), ours execSync with timeoutMs', unit: 'ms', vs: 'fib' },
  { id: 'concat', group: 'concat', n: '6', label: 'table.concat of 1e6 pieces', unit: 'ms' },
  { id: 'sort', group: 'sort', n: '7', label: 'table.sort of 200k numbers', unit: 'ms' },
  { id: 'roundtrip', group: 'roundtrip', n: '8', label: '10 KB object round trip via id(x), sync', unit: 'µs' },
  { id: 'roundtrip.async', group: 'roundtrip', n: '8b', label: '10 KB object round trip, async vm.call', unit: 'µs' },
  { id: 'roundtrip.proxy', group: 'roundtrip', n: '8c', label: '10 KB "round trip", wasmoon default proxy (no copy)', unit: 'µs', vs: 'roundtrip' },
  { id: 'timeout', group: 'timeout', n: '9', label: 'timeout latency, 50 ms limit, sync', unit: 'ms late' },
  { id: 'timeout.async', group: 'timeout', n: '9b', label: 'timeout latency, 50 ms limit, async exec', unit: 'ms late' },
  { id: 'timeout.functionTimeout', group: 'timeout', n: '9c', label: 'timeout latency, wasmoon functionTimeout option', unit: 'ms late', vs: 'timeout' },
];
// RSS first (before other workloads grow the heaps), then the rest in display order.
const EXEC_ORDER = ['rss', ...new Set(ROWS.map((r) => r.group).filter((g) => g !== 'rss'))];
const GROUP_ALIASES = { 1: 'create', 2: 'rss', 3: 'calls', 4: 'eval', 5: 'fib', 6: 'concat', 7: 'sort', 8: 'roundtrip', 9: 'timeout', call: 'calls', roundTrip: 'roundtrip', 'round-trip': 'roundtrip' };

function parseArgs(argv) {
  const opts = { json: false, only: null, quick: false, skip: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--only') opts.only = argv[++i];
    else if (a === '--skip') opts.skip.push(...String(argv[++i]).split(','));
    else if (a.startsWith('--only=')) opts.only = a.slice('--only='.length);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`usage: node --expose-gc bench/run.mjs [--json] [--only <${EXEC_ORDER.join('|')}|leases|skills|json|fs|process>] [--skip <engine,...>] [--quick]\n`);
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument: ${a}\n`);
      process.exit(2);
    }
  }
  if (opts.only !== null) {
    const g = GROUP_ALIASES[opts.only] ?? opts.only;
    if (!EXEC_ORDER.includes(g) && g !== 'leases' && g !== 'skills' && g !== 'json' && g !== 'fs' && g !== 'process') {
      process.stderr.write(`--only: unknown workload "${opts.only}"; one of: ${EXEC_ORDER.join(', ')}\n`);
      process.exit(2);
    }
    opts.only = g;
  }
  return opts;
}

const log = (msg) => process.stderr.write(`${msg}\n`);

async function loadEngines(skip) {
  const engines = {};
  const loadErrors = {};
  for (const name of ENGINES) {
    if (skip.includes(name)) {
      loadErrors[name] = 'skipped (--skip)';
      log(`# ${name}: skipped -> n/a`);
      continue;
    }
    try {
      const mod = await import(ENGINE_MODULES[name]);
      engines[name] = await mod.load();
      log(`# ${name}: ${engines[name].version}`);
    } catch (err) {
      loadErrors[name] = String(err?.message ?? err).split('\n')[0];
      log(`# ${name}: not available (${loadErrors[name]}) -> n/a`);
    }
  }
  return { engines, loadErrors };
}

const CPU_WARMUP = 2; // the first runs in a fresh heap are slower (malloc grows its arenas)
const CPU_REPS = 9;

// Runs every slot that has not failed once per round, in turn, with a full GC before each run.
async function inTurns(slots, firstRound, rounds, runOne) {
  for (let round = firstRound; round < rounds; round++) {
    for (const slot of slots) {
      if (slot.error) continue;
      try {
        gc();
        await runOne(slot, round);
      } catch (err) {
        slot.error = err;
      }
    }
  }
}

// Closes every slot's session and records its figure (from figureOf) or its failure.
function recordSlots(slots, results, figureOf) {
  for (const slot of slots) {
    try {
      slot.session?.close();
    } catch {}
    results[slot.row.id] ??= {};
    const label = `  ${slot.row.n.padEnd(3)} ${slot.row.id.padEnd(24)} ${slot.name.padEnd(10)}`;
    if (slot.error) {
      results[slot.row.id][slot.name] = { error: String(slot.error?.message ?? slot.error), short: slot.error?.short };
      log(`${label} FAILED: ${slot.error?.short ? slot.error.message : (slot.error?.stack ?? slot.error)}`);
      continue;
    }
    const [fig, detail] = figureOf(slot);
    results[slot.row.id][slot.name] = fig;
    log(`${label} ${fmtNum(fig.value)} ${slot.row.unit}  ${detail}`);
  }
}

/**
 * CPU workloads: every engine that offers a session for a row of this group gets its own VM
 * (or interpreter process); after warmup, the engines take turns, one timed run each per round,
 * so a burst of load on this (shared) machine hits all of them alike. Median of CPU_REPS.
 */
async function measureCpuGroup(engines, group, results) {
  const slots = [];
  for (const row of ROWS.filter((r) => r.group === group)) {
    for (const name of ENGINES) {
      const open = engines[name]?.cpuSessions?.[row.id];
      if (open) slots.push({ row, name, open, ms: [], cpuMs: [] });
    }
  }
  if (slots.length === 0) return;
  process.stderr.write(`  ${group}: ${slots.map((s) => `${s.row.id}/${s.name}`).join(', ')} (${CPU_WARMUP} warmup + ${CPU_REPS} interleaved rounds)\n`);
  const t0 = now();
  for (const slot of slots) {
    try {
      slot.session = await slot.open();
    } catch (err) {
      slot.error = err;
    }
  }
  await inTurns(slots, 0, CPU_WARMUP + CPU_REPS, async (slot, round) => {
    const r = await slot.session.runOnce();
    if (round < CPU_WARMUP) return;
    slot.ms.push(typeof r === 'number' ? r : r.ms);
    if (typeof r === 'object' && Number.isFinite(r.cpuMs)) slot.cpuMs.push(r.cpuMs);
  });
  recordSlots(slots, results, (slot) => {
    const fig = { value: median(slot.ms), samples: slot.ms, min: Math.min(...slot.ms) };
    if (slot.cpuMs.length) fig.cpuMs = median(slot.cpuMs);
    if (slot.name === 'lua5.4') fig.clock = 'os.clock (CPU time)';
    return [fig, `[${slot.ms.map(fmtNum).join(' ')}]`];
  });
  log(`      (${(msSince(t0) / 1000).toFixed(1)} s)`);
}

/**
 * Microbenchmarks: every engine that offers a micro session for a row of this group gets its
 * iteration count calibrated (which warms it up), then the engines take turns for config.reps
 * rounds of about config.targetMs each, with a full GC before each. Median ns/op.
 */
async function measureMicroGroup(engines, group, results) {
  const slots = [];
  for (const row of ROWS.filter((r) => r.group === group)) {
    for (const name of ENGINES) {
      const open = engines[name]?.microSessions?.[row.id];
      if (open) slots.push({ row, name, open, ns: [] });
    }
  }
  if (slots.length === 0) return;
  process.stderr.write(`  ${group}: ${slots.map((s) => `${s.row.id}/${s.name}`).join(', ')} (calibrate, 1 warmup + ${config.reps} interleaved rounds)\n`);
  const t0 = now();
  const timeBody = async (slot, n) => {
    const t = now();
    const own = await slot.session.body(n);
    return typeof own === 'number' ? own : (msSince(t) * 1e6) / n;
  };
  for (const slot of slots) {
    try {
      slot.session = await slot.open();
      slot.n = await calibrate((n) => slot.session.body(n), { maxN: slot.session.maxN });
    } catch (err) {
      slot.error = err;
    }
  }
  // Round -1 is one more warmup, in turn with the others.
  await inTurns(slots, -1, config.reps, async (slot, round) => {
    const ns = await timeBody(slot, slot.n);
    if (round >= 0) slot.ns.push(ns);
  });
  recordSlots(slots, results, (slot) => {
    const scale = slot.session.scale ?? 1;
    const samples = slot.ns.map((x) => x / scale);
    return [{ value: median(samples), samples, n: slot.n }, `[${samples.map(fmtNum).join(' ')}] n=${slot.n}`];
  });
  log(`      (${(msSince(t0) / 1000).toFixed(1)} s)`);
}

async function measure(engines, only) {
  const results = {}; // rowId -> engine -> figure | { error }
  for (const group of EXEC_ORDER) {
    if (only && group !== only) continue;
    await measureMicroGroup(engines, group, results);
    await measureCpuGroup(engines, group, results);
    for (const row of ROWS.filter((r) => r.group === group)) {
      for (const name of ENGINES) {
        const fn = engines[name]?.rows[row.id];
        if (!fn) continue;
        const t0 = now();
        process.stderr.write(`  ${row.n.padEnd(3)} ${row.id.padEnd(24)} ${name.padEnd(10)} `);
        try {
          const fig = await fn();
          results[row.id] ??= {};
          results[row.id][name] = fig;
          log(`${fmtNum(fig.value ?? fig.ms)} ${row.unit}  (${(msSince(t0) / 1000).toFixed(1)} s)`);
        } catch (err) {
          results[row.id] ??= {};
          results[row.id][name] = { error: String(err?.message ?? err), short: err?.short };
          log(`FAILED: ${err?.short ? err.message : (err?.stack ?? err)}`);
        }
      }
    }
  }
  // normalise: every figure gets .value
  for (const row of Object.values(results)) {
    for (const fig of Object.values(row)) if (fig.value === undefined && fig.ms !== undefined) fig.value = fig.ms;
  }
  return results;
}

function fmtNum(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}
function fmtRate(ns) {
  const perSec = 1e9 / ns;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k/s`;
  return `${perSec.toFixed(0)}/s`;
}
function fmtRatio(x) {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x >= 100) return `${x.toFixed(0)}x`;
  if (x >= 10) return `${x.toFixed(1)}x`;
  return `${x.toFixed(2)}x`;
}

const val = (results, rowId, engine) => {
  const v = results[rowId]?.[engine]?.value;
  return Number.isFinite(v) ? v : undefined;
};
/** Ours for a row: its own figure, or the one of the row it is compared with. */
const oursFor = (results, row) => val(results, row.id, 'luaskills') ?? (row.vs ? val(results, row.vs, 'luaskills') : undefined);

function cell(results, row, engine) {
  const fig = results[row.id]?.[engine];
  if (!fig) return 'n/a';
  if (fig.error) return `${fig.short ?? 'error'} (see warnings)`;
  let s = fmtNum(fig.value);
  if (row.rate) s += ` (${fmtRate(fig.value)})`;
  return s;
}

function buildTable(results) {
  const header = ['workload', 'luaskills', 'wasmoon', 'fengari', 'lua5.4', 'luaskills vs wasmoon', 'luaskills vs fengari', 'luaskills vs lua5.4'];
  const lines = [header, header.map((h, i) => (i === 0 ? '---' : '---:'))];
  for (const row of ROWS) {
    if (!results[row.id]) continue;
    const ours = oursFor(results, row);
    const ratios = ['wasmoon', 'fengari', 'lua5.4'].map((e) => {
      const other = val(results, row.id, e);
      return ours !== undefined && other !== undefined && ours > 0 ? fmtRatio(other / ours) : 'n/a';
    });
    lines.push([
      `${row.n}. ${row.label} (${row.unit})`,
      ...ENGINES.map((e) => cell(results, row, e)),
      ...ratios,
    ]);
  }
  return lines.map((cols) => `| ${cols.join(' | ')} |`).join('\n');
}

function targets(results) {
  const out = [];
  const ours = (id) => val(results, id, 'luaskills');
  const add = (name, got, want, okFn, detail) => {
    const status = got === undefined ? 'n/a (not measured)' : okFn(got) ? 'MET' : 'NOT MET';
    out.push({ name, status, got, want, detail });
  };
  const faster = (id, other) => {
    const o = ours(id);
    const x = val(results, id, other);
    return o !== undefined && x !== undefined ? x / o : undefined;
  };
  add('calls ≥ 10x wasmoon', faster('calls', 'wasmoon'), 10, (x) => x >= 10);
  add('calls ≥ 2x fengari', faster('calls', 'fengari'), 2, (x) => x >= 2);
  add('eval ≥ 3x wasmoon', faster('eval', 'wasmoon'), 3, (x) => x >= 3);
  add('10 KB round trip ≥ 10x wasmoon', faster('roundtrip', 'wasmoon'), 10, (x) => x >= 10);
  add('10 KB round trip ≥ 4x fengari', faster('roundtrip', 'fengari'), 4, (x) => x >= 4);
  for (const id of ['fib', 'concat', 'sort']) {
    const o = ours(id);
    const n = val(results, id, 'lua5.4');
    add(`${id}: ours/lua5.4 time ≤ 1.1`, o !== undefined && n !== undefined ? o / n : undefined, 1.1, (x) => x <= 1.1);
  }
  const c = ours('create');
  const b = ours('create.openlibs');
  add('VM create ≤ 2x nativeBaseline(openlibs)', c !== undefined && b !== undefined ? c / b : undefined, 2, (x) => x <= 2);
  return out;
}

function printReport(results, meta, warnings) {
  const lines = [];
  lines.push(`luaskills benchmark — ${meta.date} — node ${process.version}, ${meta.cpu} (${meta.cores} cores), ${meta.platform}`);
  lines.push(`engines: ${Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('');
  lines.push(buildTable(results));
  lines.push('');
  lines.push('Ratios: other engine figure / luaskills figure, i.e. how many times faster (or smaller) luaskills is; < 1x means slower.');
  lines.push('Rows with a letter are extra rows. 1b/1c are C figures from native.nativeBaseline(), shown in the luaskills column. Extra rows without a luaskills figure are compared with their main row\'s.');

  const cpuNotes = ['fib', 'concat', 'sort']
    .map((id) => [id, results[id]?.luaskills?.cpuMs])
    .filter(([, v]) => Number.isFinite(v))
    .map(([id, v]) => `${id} ${fmtNum(v)} ms`);
  if (cpuNotes.length) {
    lines.push(`CPU rows: median of ${CPU_REPS} interleaved runs; luaskills is wall time around one execSync, lua5.4 is os.clock() (CPU time) inside the interpreter. luaskills process CPU time for the same runs: ${cpuNotes.join(', ')}.`);
  }

  const heap = results.rss?.luaskills?.luaHeapKB;
  if (Number.isFinite(heap)) {
    lines.push(`RSS row: process RSS growth per live VM; of it, the Lua allocator of a fresh luaskills VM holds ${fmtNum(heap)} KB (vm.memoryUsed()).`);
  }

  const c = val(results, 'create', 'luaskills');
  const ns = val(results, 'create.newstate', 'luaskills');
  const ol = val(results, 'create.openlibs', 'luaskills');
  if (c !== undefined && (ns !== undefined || ol !== undefined)) {
    lines.push('');
    lines.push('VM create vs the C baseline (nativeBaseline, measured in C inside the addon):');
    if (ns !== undefined) lines.push(`  luaL_newstate+lua_close:               ${fmtNum(ns)} µs   ours/baseline = ${fmtRatio(c / ns)}`);
    if (ol !== undefined) lines.push(`  luaL_newstate+luaL_openlibs+lua_close: ${fmtNum(ol)} µs   ours/baseline = ${fmtRatio(c / ol)}`);
  }

  lines.push('');
  lines.push('Targets:');
  for (const t of targets(results)) {
    const got = t.got === undefined ? '' : t.name.includes('≤') ? ` (got ${t.got.toFixed(2)}x)` : ` (got ${fmtRatio(t.got)})`;
    lines.push(`  [${t.status}] ${t.name}${got}`);
  }
  if (warnings.length) {
    lines.push('');
    lines.push('Warnings:');
    for (const w of warnings) lines.push(`  ! ${w}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.quick) Object.assign(config, { targetMs: 60, reps: 3, calibrateMs: 15 });
  if (typeof globalThis.gc !== 'function') log('# warning: run with node --expose-gc (npm run bench) for stable figures; RSS rows are unreliable without it');
  const t0 = now();
  if (opts.only === 'leases') {
    printLeaseTable(await measureLeases());
    process.exit(0);
  }
  if (opts.only === 'json') {
    printJsonTable(measureJson());
    process.exit(0);
  }
  if (opts.only === 'fs') {
    printFsTable(measureFs());
    process.exit(0);
  }
  if (opts.only === 'process') {
    printProcessTable(measureProcess());
    process.exit(0);
  }
  if (opts.only === 'skills') {
    printSkillTable(await measureSkills());
    process.exit(0);
  }
  const { engines, loadErrors } = await loadEngines(opts.skip);
  log(`# 10 KB object: ${JSON.stringify(roundTripObject()).length} bytes of JSON`);
  const results = await measure(engines, opts.only);
  const warnings = Object.values(engines).flatMap((e) => e.warnings);
  for (const [row, figs] of Object.entries(results)) {
    for (const [eng, fig] of Object.entries(figs)) if (fig.error) warnings.push(`${eng} ${row} failed: ${fig.error.split('\n')[0]}`);
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown cpu',
    cores: os.cpus().length,
    platform: `${process.platform}-${process.arch}`,
    versions: Object.fromEntries(ENGINES.map((e) => [e, engines[e]?.version ?? 'n/a'])),
    loadErrors,
    totalSeconds: msSince(t0) / 1000,
  };
  log(`# done in ${meta.totalSeconds.toFixed(1)} s`);
  if (opts.json) {
    const rows = ROWS.filter((r) => results[r.id]).map((r) => ({
      id: r.id, label: r.label, unit: r.unit,
      figures: Object.fromEntries(ENGINES.map((e) => [e, results[r.id][e] ?? null])),
    }));
    process.stdout.write(`${JSON.stringify({ meta, rows, targets: targets(results), warnings }, null, 2)}\n`);
  } else {
    printReport(results, meta, warnings);
    if (!opts.only) {
      printLeaseTable(await measureLeases());
      printSkillTable(await measureSkills());
      printJsonTable(measureJson());
      printFsTable(measureFs());
      printProcessTable(measureProcess());
    }
  }
  // wasmoon / thread-safe functions must not keep us alive
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
