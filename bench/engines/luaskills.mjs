// luaskills: this library (real Lua 5.4 in a C++ N-API addon).
//
// Every engine adapter returns { name, version, warnings, rows, microSessions, cpuSessions }:
//   rows[id]()          -> a figure { value, ... } measured on its own (RSS, timeouts)
//   microSessions[id]() -> { body(n), scale, close() }: body performs n operations (it may return
//                          its own ns/op); run.mjs calibrates n and interleaves the engines
//   cpuSessions[id]()   -> { runOnce() -> ms | { ms, cpuMs }, close() }: one timed CPU run
import { isDeepStrictEqual } from 'node:util';
import { repeat, now, msSince } from '../lib/timing.mjs';
import {
  CPU_WORKLOADS, cpuSource, INC_SRC, ID_SRC, EVAL_SRC, SPIN_SRC, TIMEOUT_MS, RSS_COUNT,
  roundTripObject, settledRss,
} from '../lib/workloads.mjs';

export async function load() {
  const { LuaVm } = await import('../../dist/index.js');
  const { native } = await import('../../dist/native.js');
  const warnings = [];

  /** A micro session on a fresh VM with `setup` run once. */
  const onVm = (setup, makeBody, scale = 1) => async () => {
    const vm = new LuaVm();
    if (setup) vm.execSync(setup);
    return { body: await makeBody(vm), scale, close: () => vm.close() };
  };

  const checkRoundTrip = (back, label) => {
    if (!isDeepStrictEqual(back, roundTripObject())) {
      warnings.push(`luaskills${label}: the 10 KB object did NOT deep-equal the input after JS->Lua->JS`);
    }
  };

  const microSessions = {
    create: async () => ({
      body: (n) => {
        for (let i = 0; i < n; i++) new LuaVm().close();
      },
      scale: 1e3,
      close() {},
    }),
    // measured in C inside the addon: the body returns the addon's own ns/op
    'create.newstate': async () => ({ body: (n) => native.nativeBaseline('newstate', n), scale: 1e3, close() {} }),
    'create.openlibs': async () => ({ body: (n) => native.nativeBaseline('openlibs', n), scale: 1e3, close() {} }),
    // The repeated-call idiom: a handle on the function (LuaFunction), like wasmoon's
    // engine.global.get('inc') and fengari's registry reference.
    calls: onVm(INC_SRC, (vm) => {
      const inc = vm.getFunction('inc');
      if (inc.callSync(41) !== 42) warnings.push('luaskills inc(41) !== 42');
      return (n) => {
        for (let i = 0; i < n; i++) inc.callSync(i);
      };
    }),
    'calls.byname': onVm(INC_SRC, (vm) => {
      if (vm.callSync('inc', 41) !== 42) warnings.push('luaskills inc(41) !== 42');
      return (n) => {
        for (let i = 0; i < n; i++) vm.callSync('inc', i);
      };
    }),
    'calls.async': onVm(INC_SRC, async (vm) => {
      if ((await vm.call('inc', 41)) !== 42) warnings.push('luaskills async inc(41) !== 42');
      return async (n) => {
        for (let i = 0; i < n; i++) await vm.call('inc', i);
      };
    }),
    eval: onVm(null, (vm) => {
      if (vm.execSync(EVAL_SRC) !== 2) warnings.push('luaskills eval !== 2');
      return (n) => {
        for (let i = 0; i < n; i++) vm.execSync(EVAL_SRC);
      };
    }),
    // A different chunk every time: no compiled-chunk cache hit, every run parses.
    'eval.unique': onVm(null, (vm) => {
      if (vm.execSync('return 41+1') !== 42) warnings.push('luaskills unique eval !== 42');
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) vm.execSync(`return ${k++}+1`);
      };
    }),
    'eval.async': onVm(null, async (vm) => {
      if ((await vm.exec(EVAL_SRC)) !== 2) warnings.push('luaskills async eval !== 2');
      return async (n) => {
        for (let i = 0; i < n; i++) await vm.exec(EVAL_SRC);
      };
    }),
    roundtrip: onVm(ID_SRC, (vm) => {
      const obj = roundTripObject();
      checkRoundTrip(vm.callSync('id', obj), '');
      return (n) => {
        for (let i = 0; i < n; i++) vm.callSync('id', obj);
      };
    }, 1e3),
    'roundtrip.async': onVm(ID_SRC, async (vm) => {
      const obj = roundTripObject();
      checkRoundTrip(await vm.call('id', obj), ' (async)');
      return async (n) => {
        for (let i = 0; i < n; i++) await vm.call('id', obj);
      };
    }, 1e3),
  };

  const cpuSession = (name, mode) => async () => {
    const vm = new LuaVm();
    vm.execSync(cpuSource(name), { chunkName: `=${name}.lua` });
    return {
      async runOnce() {
        vm.execSync('bench_setup()');
        let result;
        const c0 = process.cpuUsage();
        const t0 = now();
        if (mode === 'async') result = await vm.exec('return bench_run()');
        else if (mode === 'hook') result = vm.execSync('return bench_run()', { timeoutMs: 600_000 });
        else result = vm.execSync('return bench_run()');
        const ms = msSince(t0);
        const c = process.cpuUsage(c0);
        if (vm.callSync('bench_check', result) !== true) {
          warnings.push(`luaskills ${name}${mode ? ` (${mode})` : ''}: wrong result ${result}`);
        }
        // process CPU time (all threads), as a cross-check of the wall time
        return { ms, cpuMs: (c.user + c.system) / 1e3 };
      },
      close: () => vm.close(),
    };
  };
  const cpuSessions = {};
  for (const name of CPU_WORKLOADS) cpuSessions[name] = cpuSession(name);
  cpuSessions['fib.async'] = cpuSession('fib', 'async');
  cpuSessions['fib.hook'] = cpuSession('fib', 'hook');

  const timeoutLate = (mode) => async () => {
    const vm = new LuaVm();
    try {
      const once = async () => {
        const t0 = now();
        let code;
        try {
          if (mode === 'async') await vm.exec(SPIN_SRC, { timeoutMs: TIMEOUT_MS });
          else vm.execSync(SPIN_SRC, { timeoutMs: TIMEOUT_MS });
        } catch (err) {
          code = err.code;
        }
        const ms = msSince(t0);
        if (code !== 'timeout') warnings.push(`luaskills timeout (${mode}): expected code 'timeout', got ${code}`);
        return ms - TIMEOUT_MS;
      };
      return await repeat(once, { warmup: 1, reps: 5 });
    } finally {
      vm.close();
    }
  };

  const rows = {
    rss: async () => {
      const count = RSS_COUNT.luaskills;
      const before = await settledRss();
      const vms = [];
      for (let i = 0; i < count; i++) vms.push(new LuaVm());
      const after = await settledRss();
      const luaBytes = vms.reduce((s, vm) => s + vm.memoryUsed(), 0) / count;
      for (const vm of vms) vm.close();
      return { value: (after - before) / count / 1024, count, luaHeapKB: luaBytes / 1024 };
    },
    timeout: timeoutLate('sync'),
    'timeout.async': timeoutLate('async'),
  };

  return { name: 'luaskills', version: LuaVm.luaVersion, rows, microSessions, cpuSessions, warnings };
}
