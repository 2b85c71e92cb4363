// wasmoon: Lua 5.4 compiled to WebAssembly, with JS bindings. (Adapter shape: see luaskills.mjs.)
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { repeat, now, msSince } from '../lib/timing.mjs';
import {
  CPU_WORKLOADS, cpuSource, INC_SRC, ID_SRC, EVAL_SRC, TIMEOUT_MS, RSS_COUNT,
  roundTripObject, settledRss,
} from '../lib/workloads.mjs';

export async function load() {
  const { LuaFactory } = await import('wasmoon');
  const version = createRequire(import.meta.url)('wasmoon/package.json').version;
  const warnings = [];

  // One factory (one wasm instance) shared by every engine: the cheapest way to get many
  // engines, and what the main rows use. Rows named "isolated" give each VM its own factory.
  const factory = new LuaFactory();
  await factory.getLuaModule();

  const closeQuietly = (engine) => {
    try {
      engine.global.close();
    } catch {
      // after a wasm crash the state may not close
    }
  };
  // Sessions share the (by then warmed-up) factory, except eval.async: its crash corrupts the
  // memory of its wasm instance, so it gets a factory of its own.
  const onEngine = (options, setup, makeBody, scale = 1, own = false) => async () => {
    const engine = await (own ? new LuaFactory() : factory).createEngine(options);
    try {
      if (setup) engine.doStringSync(setup);
      return { body: await makeBody(engine), scale, close: () => closeQuietly(engine) };
    } catch (err) {
      closeQuietly(engine);
      throw err;
    }
  };
  const roundtrip = (options, label) =>
    onEngine(options, ID_SRC, (engine) => {
      const obj = roundTripObject();
      const id = engine.global.get('id');
      if (!isDeepStrictEqual(id(obj), obj)) warnings.push(`wasmoon ${label}: the returned object does not deep-equal the input`);
      return (n) => {
        for (let i = 0; i < n; i++) id(obj);
      };
    }, 1e3);

  const microSessions = {
    create: async () => ({
      body: async (n) => {
        for (let i = 0; i < n; i++) (await factory.createEngine()).global.close();
      },
      scale: 1e3,
      close() {},
    }),
    'create.isolated': async () => ({
      body: async (n) => {
        for (let i = 0; i < n; i++) (await new LuaFactory().createEngine()).global.close();
      },
      scale: 1e3,
      maxN: 16,
      close() {},
    }),
    calls: onEngine({}, INC_SRC, (engine) => {
      const inc = engine.global.get('inc');
      if (inc(41) !== 42) warnings.push('wasmoon inc(41) !== 42');
      return (n) => {
        for (let i = 0; i < n; i++) inc(i);
      };
    }),
    eval: onEngine({}, null, (engine) => {
      if (engine.doStringSync(EVAL_SRC) !== 2) warnings.push('wasmoon eval !== 2');
      return (n) => {
        for (let i = 0; i < n; i++) engine.doStringSync(EVAL_SRC);
        // wasmoon 1.16.0's doStringSync leaves every result on the Lua stack (it would overflow
        // after ~1M calls); drop them once per batch, outside the per-call cost that matters.
        engine.global.setTop(0);
      };
    }),
    'eval.unique': onEngine({}, null, (engine) => {
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) engine.doStringSync(`return ${k++}+1`);
        engine.global.setTop(0);
      };
    }),
    'eval.async': onEngine({}, null, (engine) => async (n) => {
      try {
        for (let i = 0; i < n; i++) await engine.doString(EVAL_SRC);
      } catch (err) {
        if (!/out of bounds/.test(String(err?.message))) throw err;
        const e = new Error(
          `wasmoon ${version}: doString() crashed with "${err.message}" after a few dozen calls on one engine (known wasmoon bug, ceifa/wasmoon#109)`,
        );
        e.short = 'crash';
        throw e;
      }
    }, 1, true),
    // enableProxy: false makes wasmoon copy JS objects into Lua tables and back, which is what
    // luaskills does. With its default (enableProxy: true) the object crosses as a proxy
    // userdata and comes back as the very same JS object: no conversion at all.
    roundtrip: roundtrip({ enableProxy: false }, 'enableProxy:false'),
    'roundtrip.proxy': roundtrip({}, 'default proxy'),
  };

  const cpuSession = (name) => async () => {
    const engine = await factory.createEngine();
    engine.doStringSync(cpuSource(name));
    const check = engine.global.get('bench_check');
    return {
      runOnce() {
        engine.doStringSync('bench_setup()');
        const t0 = now();
        const result = engine.doStringSync('return bench_run()');
        const ms = msSince(t0);
        if (check(result) !== true) warnings.push(`wasmoon ${name}: wrong result ${result}`);
        return ms;
      },
      close: () => closeQuietly(engine),
    };
  };
  const cpuSessions = Object.fromEntries(CPU_WORKLOADS.map((wl) => [wl, cpuSession(wl)]));

  const rows = {
    rss: async () => {
      const count = RSS_COUNT.wasmoon;
      const f = new LuaFactory(); // fresh wasm memory, so the delta is not hidden by earlier use
      await f.getLuaModule();
      const before = await settledRss();
      const engines = [];
      for (let i = 0; i < count; i++) engines.push(await f.createEngine());
      const after = await settledRss();
      for (const e of engines) e.global.close();
      return { value: (after - before) / count / 1024, count };
    },
    'rss.isolated': async () => {
      const count = RSS_COUNT.wasmoonIsolated;
      const before = await settledRss();
      const engines = [];
      for (let i = 0; i < count; i++) engines.push(await new LuaFactory().createEngine());
      const after = await settledRss();
      for (const e of engines) e.global.close();
      return { value: (after - before) / count / 1024, count };
    },
    // wasmoon has no timeout on doString/doStringSync; its engine option functionTimeout
    // applies to Lua functions called from JS (a count hook that checks Date.now()).
    'timeout.functionTimeout': async () => {
      const engine = await new LuaFactory().createEngine({ functionTimeout: TIMEOUT_MS });
      try {
        engine.doStringSync('function spin() while true do end end');
        const spin = engine.global.get('spin');
        const once = () => {
          const t0 = now();
          let threw = false;
          try {
            spin();
          } catch {
            threw = true;
          }
          const ms = msSince(t0);
          if (!threw) warnings.push('wasmoon functionTimeout: spin() returned');
          return ms - TIMEOUT_MS;
        };
        return await repeat(once, { warmup: 1, reps: 5 });
      } finally {
        closeQuietly(engine);
      }
    },
  };

  return { name: 'wasmoon', version, rows, microSessions, cpuSessions, warnings };
}
