import { runLuaFile } from '../lua-files.js';

import { LuaError } from '../vm/errors.js';
import type { LuaFunction, LuaVm } from '../vm/lua-vm.js';
import type { LeaseEvalInput, LeaseEvalOutcome, LeaseVm } from './lease-vm.js';
import { absoluteLeaseCwd, cPathPrefix, luaPathPrefix, type LeasePathContext } from './paths.js';


// The seed reports Lua failures as mlua renders them, behind `Runtime session eval error: `.
function failureMessage(err: unknown, timeoutMs: number): string {
  const prefix = 'Runtime session eval error: ';
  if (!(err instanceof LuaError)) return prefix + (err instanceof Error ? err.message : String(err));
  switch (err.code) {
    case 'lua_syntax':
      return `${prefix}syntax error: ${err.message}`;
    case 'lua_runtime':
      return `${prefix}runtime error: ${err.message}${err.traceback ? `\n${err.traceback}` : ''}`;
    case 'timeout':
      return `${prefix}runtime error: luaexec execution timed out after ${timeoutMs} ms`;
    case 'memory_limit':
      return `${prefix}memory error: ${err.message}`;
    case 'conversion':
      // A result Lua cannot hand to JSON is not an execution error in the seed: no prefix.
      return err.message;
    default:
      return prefix + err.message;
  }
}

/** How a lease VM is set up beyond its paths. */
export interface LuaLeaseVmOptions {
  /**
   * Installs upstream's managed `io` compatibility layer (`capabilities.enable_managed_io_compat`):
   * the global `io` becomes the managed table over `vulcan.io`. Default false (native `io`).
   */
  managedIoCompat?: boolean;
  /** Receives what the managed `io.write` sends to the runtime log (`[LuaSkill:stdout] …`). */
  onLog?: (message: string) => void;
}

/**
 * A lease running on a {@link LuaVm}: the lease prelude applies the path context once, and each
 * eval resets `vulcan.context` before the code runs on the VM's thread.
 */
export class LuaLeaseVm implements LeaseVm {
  readonly #vm: LuaVm;
  readonly #enter: LuaFunction;

  /**
   * Installs the lease prelude into `vm` and takes ownership of it (closed with the lease).
   * Throws if the prelude fails; `vm` is closed then.
   */
  constructor(vm: LuaVm, paths: LeasePathContext, options: LuaLeaseVmOptions = {}) {
    this.#vm = vm;
    try {
      const cwd = absoluteLeaseCwd(paths.cwd);
      const managedIo = options.managedIoCompat === true;
      if (managedIo) {
        // Taken and unnamed by the prelude: lease code cannot call it directly.
        const onLog = options.onLog;
        vm.registerHostFunction('__luaskills_lease_log', (message) => {
          if (onLog !== undefined && typeof message === 'string') onLog(message);
        });
      }
      // Absent values stay undefined: a null member would arrive in Lua as the null sentinel.
      runLuaFile(vm, 'lease-prelude.lua', {
        cwd: cwd ?? undefined,
        cwd_text: paths.cwd ?? undefined,
        workspace_root: paths.workspaceRoot ?? undefined,
        system_lua_lib: paths.systemLuaLib ?? undefined,
        mounts: paths.mounts ?? undefined,
        path_prefix: luaPathPrefix(paths.luaRoots),
        cpath_prefix: cPathPrefix(paths.cRoots),
        windows: process.platform === 'win32',
        managed_io: managedIo,
      });
      // Held by reference, then unnamed: code in the lease cannot replace the entry step.
      this.#enter = vm.getFunction('__luaskills_lease_enter');
      vm.setGlobal('__luaskills_lease_enter', undefined);
    } catch (err) {
      vm.close();
      throw err;
    }
  }

  /** Resets the request scope, then runs the code off the JS thread with the eval's timeout. */
  async eval(input: LeaseEvalInput): Promise<LeaseEvalOutcome> {
    try {
      this.#enter.callSync(input.context);
      // The seed pastes the code into `return (function() ... end)()`; we run it as the chunk
      // itself (the same function-body semantics, lines and first result), which the code
      // cannot break out of. Only `...` differs: it holds `args` instead of being an error.
      const value = await this.#vm.exec(input.code, {
        args: input.args,
        timeoutMs: input.timeoutMs,
        chunkName: '=runtime_lease',
      });
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      return { ok: false, message: failureMessage(err, input.timeoutMs) };
    }
  }

  close(): void {
    this.#vm.close();
  }
}
