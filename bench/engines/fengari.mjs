// fengari: Lua 5.3 reimplemented in JavaScript, driven through its C-API lookalike the way a
// fengari user embeds it; JS<->Lua value conversion is the small helper below.
// (Adapter shape: see luaskills.mjs.)
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { now, msSince } from '../lib/timing.mjs';
import {
  CPU_WORKLOADS, cpuSource, INC_SRC, ID_SRC, EVAL_SRC, RSS_COUNT, roundTripObject, settledRss,
} from '../lib/workloads.mjs';

export async function load() {
  const fengari = (await import('fengari')).default;
  const { lua, lauxlib, lualib, to_luastring } = fengari;
  const version = createRequire(import.meta.url)('fengari/package.json').version;
  const warnings = [];

  const newState = () => {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    return L;
  };
  const check = (L, status) => {
    if (status !== lua.LUA_OK) {
      const msg = lua.lua_tojsstring(L, -1);
      lua.lua_pop(L, 1);
      throw new Error(`fengari: ${msg}`);
    }
  };
  const doString = (L, code, nresults = 0) => {
    check(L, lauxlib.luaL_loadstring(L, to_luastring(code)));
    check(L, lua.lua_pcall(L, 0, nresults, 0));
  };

  // ---- JS <-> Lua conversion helper --------------------------------------------------------
  const INT_MIN = -2147483648;
  const INT_MAX = 2147483647; // fengari integers are 32-bit
  function pushJs(L, v) {
    switch (typeof v) {
      case 'number':
        if (Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) lua.lua_pushinteger(L, v);
        else lua.lua_pushnumber(L, v);
        return;
      case 'string':
        lua.lua_pushliteral(L, v);
        return;
      case 'boolean':
        lua.lua_pushboolean(L, v);
        return;
      case 'undefined':
        lua.lua_pushnil(L);
        return;
      case 'object':
        if (v === null) {
          lua.lua_pushnil(L);
          return;
        }
        lauxlib.luaL_checkstack(L, 3, null);
        if (Array.isArray(v)) {
          lua.lua_createtable(L, v.length, 0);
          for (let i = 0; i < v.length; i++) {
            pushJs(L, v[i]);
            lua.lua_rawseti(L, -2, i + 1);
          }
        } else {
          const keys = Object.keys(v);
          lua.lua_createtable(L, 0, keys.length);
          for (const k of keys) {
            pushJs(L, v[k]);
            lua.lua_setfield(L, -2, to_luastring(k, true)); // fengari's own key cache
          }
        }
        return;
      default:
        throw new TypeError(`cannot push a ${typeof v}`);
    }
  }
  function toJs(L, idx) {
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TNIL:
        return undefined;
      case lua.LUA_TBOOLEAN:
        return lua.lua_toboolean(L, idx);
      case lua.LUA_TNUMBER:
        return lua.lua_isinteger(L, idx) ? lua.lua_tointeger(L, idx) : lua.lua_tonumber(L, idx);
      case lua.LUA_TSTRING:
        return lua.lua_tojsstring(L, idx);
      case lua.LUA_TTABLE: {
        const t = lua.lua_absindex(L, idx);
        lauxlib.luaL_checkstack(L, 3, null);
        // One pass: stays an array while keys are 1, 2, 3, ... (lua_next walks the array part
        // in order first), switches to an object at the first other key.
        let arr = [];
        let obj = null;
        lua.lua_pushnil(L);
        while (lua.lua_next(L, t) !== 0) {
          const value = toJs(L, -1);
          if (obj === null && lua.lua_isinteger(L, -2) && lua.lua_tointeger(L, -2) === arr.length + 1) {
            arr.push(value);
          } else {
            if (obj === null) {
              obj = {};
              for (let i = 0; i < arr.length; i++) obj[i + 1] = arr[i];
            }
            const key = lua.lua_type(L, -2) === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -2) : String(lua.lua_tonumber(L, -2));
            obj[key] = value;
          }
          lua.lua_pop(L, 1);
        }
        return obj ?? arr;
      }
      default:
        return undefined;
    }
  }
  // -------------------------------------------------------------------------------------------

  const onState = (setup, makeBody, scale = 1) => async () => {
    const L = newState();
    if (setup) doString(L, setup);
    return { body: makeBody(L), scale, close: () => lua.lua_close(L) };
  };
  const name = (s) => to_luastring(s);

  // Calls inc(x) through pushFn (which pushes the function) n times; checks inc(41) once.
  const incLoop = (L, pushFn) => {
    const call = (x) => {
      pushFn();
      lua.lua_pushinteger(L, x);
      check(L, lua.lua_pcall(L, 1, 1, 0));
      const r = lua.lua_tointeger(L, -1);
      lua.lua_pop(L, 1);
      return r;
    };
    if (call(41) !== 42) warnings.push('fengari inc(41) !== 42');
    return (n) => {
      for (let i = 0; i < n; i++) call(i);
    };
  };

  const microSessions = {
    create: async () => ({
      body: (n) => {
        for (let i = 0; i < n; i++) lua.lua_close(newState());
      },
      scale: 1e3,
      close() {},
    }),
    // A registry reference: fengari's fastest way to call the same function again.
    calls: onState(INC_SRC, (L) => {
      lua.lua_getglobal(L, name('inc'));
      const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
      return incLoop(L, () => lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref));
    }),
    'calls.byname': onState(INC_SRC, (L) => {
      const inc = name('inc');
      return incLoop(L, () => lua.lua_getglobal(L, inc));
    }),
    eval: onState(null, (L) => {
      const evalOnce = () => {
        check(L, lauxlib.luaL_loadstring(L, to_luastring(EVAL_SRC)));
        check(L, lua.lua_pcall(L, 0, 1, 0));
        const r = lua.lua_tointeger(L, -1);
        lua.lua_pop(L, 1);
        return r;
      };
      if (evalOnce() !== 2) warnings.push('fengari eval !== 2');
      return (n) => {
        for (let i = 0; i < n; i++) evalOnce();
      };
    }),
    'eval.unique': onState(null, (L) => {
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          check(L, lauxlib.luaL_loadstring(L, to_luastring(`return ${k++}+1`)));
          check(L, lua.lua_pcall(L, 0, 1, 0));
          lua.lua_pop(L, 1);
        }
      };
    }),
    roundtrip: onState(ID_SRC, (L) => {
      const idName = name('id');
      const obj = roundTripObject();
      const roundTrip = (v) => {
        lua.lua_getglobal(L, idName);
        pushJs(L, v);
        check(L, lua.lua_pcall(L, 1, 1, 0));
        const r = toJs(L, -1);
        lua.lua_pop(L, 1);
        return r;
      };
      if (!isDeepStrictEqual(roundTrip(obj), obj)) warnings.push('fengari: the returned object does not deep-equal the input (helper bug)');
      return (n) => {
        for (let i = 0; i < n; i++) roundTrip(obj);
      };
    }, 1e3),
  };

  // fengari runs each CPU workload for seconds: one measured run, no warmup (a second run is
  // not faster; measured). These are plain rows, outside the interleaved rounds.
  const cpu = (wl) => async () => {
    const L = newState();
    try {
      doString(L, cpuSource(wl));
      lua.lua_getglobal(L, name('bench_setup'));
      check(L, lua.lua_pcall(L, 0, 0, 0));
      const t0 = now();
      lua.lua_getglobal(L, name('bench_run'));
      check(L, lua.lua_pcall(L, 0, 1, 0));
      const ms = msSince(t0);
      lua.lua_getglobal(L, name('bench_check'));
      lua.lua_insert(L, -2);
      check(L, lua.lua_pcall(L, 1, 1, 0));
      if (!lua.lua_toboolean(L, -1)) warnings.push(`fengari ${wl}: wrong result`);
      return { value: ms, samples: [ms] };
    } finally {
      lua.lua_close(L);
    }
  };

  const rows = {
    rss: async () => {
      const count = RSS_COUNT.fengari;
      const before = await settledRss();
      const states = [];
      for (let i = 0; i < count; i++) states.push(newState());
      const after = await settledRss();
      for (const L of states) lua.lua_close(L);
      return { value: (after - before) / count / 1024, count };
    },
  };
  for (const wl of CPU_WORKLOADS) rows[wl] = cpu(wl);

  return { name: 'fengari', version, rows, microSessions, warnings };
}
