import { native, type NativeLuaVm } from '../native.js';
import { LuaError } from './errors.js';
import {
  AsyncCallOptionsSchema,
  AsyncExecOptionsSchema,
  CallOptionsSchema,
  ExecOptionsSchema,
  LuaVmOptionsSchema,
  cancelledError,
  checkSignal,
  compileValidator,
  type AsyncCallOptions,
  type AsyncExecOptions,
  type CallOptions,
  type ExecOptions,
  type LuaVmOptions,
} from './options.js';

/** A value that crosses the bridge (see docs/values.md). */
export type LuaValue =
  | undefined
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | LuaValue[]
  | { [key: string]: LuaValue };

/** A JS function Lua can call; it may return a promise when Lua runs with exec()/call(). */
export type HostFunction = (...args: LuaValue[]) => unknown;

const validateVmOptions = compileValidator(LuaVmOptionsSchema, 'LuaVm options');
const validateExec = compileValidator(ExecOptionsSchema, 'execSync options');
const validateAsyncExec = compileValidator(AsyncExecOptionsSchema, 'exec options');
const validateCall = compileValidator(CallOptionsSchema, 'call options');
const validateAsyncCall = compileValidator(AsyncCallOptionsSchema, 'call options');

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

// Names already seen valid: hot call paths skip the regex.
const validNames = new Set<string>();
const VALID_NAMES_MAX = 4096;

function checkName(name: unknown, what: string): string {
  if (typeof name === 'string' && validNames.has(name)) return name;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new TypeError(`Invalid ${what}: expected a Lua name or dotted path, got ${JSON.stringify(name)}`);
  }
  if (validNames.size >= VALID_NAMES_MAX) validNames.clear();
  validNames.add(name);
  return name;
}

function checkCode(code: unknown): string {
  if (typeof code !== 'string') throw new TypeError(`Invalid code: expected a string, got ${typeof code}`);
  return code;
}

function rethrow(err: unknown, site?: Error): never {
  throw LuaError.from(err, site);
}

// Set by LuaVm's static block: lets LuaFunction reach a VM's native object without exposing it.
let nativeOf: (vm: LuaVm) => NativeLuaVm;

async function settle<T>(native: NativeLuaVm, job: Promise<unknown>, signal: AbortSignal | undefined, site: Error): Promise<T> {
  if (signal === undefined) {
    try {
      return (await job) as T;
    } catch (err) {
      rethrow(err, site);
    }
  }
  const onAbort = (): void => native.interrupt('cancelled');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return (await job) as T;
  } catch (err) {
    rethrow(err, site);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One Lua 5.4 state. Sync methods run Lua on the calling thread; `exec` and `call` run it on the
 * VM's own thread so the event loop stays free. One job at a time: a second one fails with
 * code `busy`.
 */
export class LuaVm implements Disposable {
  readonly #native: NativeLuaVm;

  static {
    nativeOf = (vm: LuaVm): NativeLuaVm => vm.#native;
  }

  constructor(options: LuaVmOptions = {}) {
    const o = validateVmOptions(options);
    try {
      this.#native = new native.LuaVm(
        o.memoryLimitBytes ?? 0,
        o.instructionHookInterval ?? 1000,
        (o.largeIntegers ?? 'bigint') === 'bigint',
        (o.invalidUtf8 ?? 'buffer') === 'buffer',
        o.libraries === 'safe',
      );
    } catch (err) {
      rethrow(err);
    }
  }

  /** The Lua version the addon embeds, e.g. "Lua 5.4.4". */
  static get luaVersion(): string {
    return native.luaVersion;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#native.closed;
  }

  /** True while a job runs. */
  get busy(): boolean {
    return this.#native.busy;
  }

  /** Bytes the Lua allocator holds now. */
  memoryUsed(): number {
    return this.#native.memoryUsed();
  }

  /** Runs a full garbage collection; returns the bytes held afterwards. */
  gc(): number {
    try {
      return this.#native.gc();
    } catch (err) {
      rethrow(err);
    }
  }

  /** Runs a chunk on this thread and returns its first result. */
  execSync(code: string, options?: ExecOptions & { allResults?: false }): LuaValue;
  /** Runs a chunk on this thread and returns all its results. */
  execSync(code: string, options: ExecOptions & { allResults: true }): LuaValue[];
  execSync(code: string, options?: ExecOptions): LuaValue | LuaValue[] {
    checkCode(code);
    const o = options === undefined ? undefined : validateExec(options);
    try {
      return this.#native.execSync(
        code,
        o?.chunkName,
        o?.timeoutMs ?? 0,
        o?.allResults ?? false,
        o !== undefined && 'args' in o,
        o?.args,
      ) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /** Runs a chunk on the VM's thread; resolves with its first result. */
  exec(code: string, options?: AsyncExecOptions & { allResults?: false }): Promise<LuaValue>;
  /** Runs a chunk on the VM's thread; resolves with all its results. */
  exec(code: string, options: AsyncExecOptions & { allResults: true }): Promise<LuaValue[]>;
  exec(code: string, options?: AsyncExecOptions): Promise<LuaValue | LuaValue[]> {
    const site = new Error();
    try {
      checkCode(code);
      const o = options === undefined ? undefined : validateAsyncExec(options);
      const signal = checkSignal(o?.signal, 'exec options');
      if (signal?.aborted) return Promise.reject(cancelledError());
      const job = this.#native.exec(
        code,
        o?.chunkName,
        o?.timeoutMs ?? 0,
        o?.allResults ?? false,
        o !== undefined && 'args' in o,
        o?.args,
      );
      return settle(this.#native, job, signal, site);
    } catch (err) {
      return Promise.reject(LuaError.from(err, site));
    }
  }

  /** Calls a global Lua function (dotted paths allowed) on this thread; returns its first result. */
  callSync(name: string, ...args: unknown[]): LuaValue {
    checkName(name, 'function name');
    try {
      return this.#native.callSync(name, 0, false, ...args) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /** Calls a global Lua function on the VM's thread; resolves with its first result. */
  call(name: string, ...args: unknown[]): Promise<LuaValue> {
    return this.callWith(name, args) as Promise<LuaValue>;
  }

  /** callSync with options (timeout, all results). */
  callWithSync(name: string, args: unknown[], options?: CallOptions): LuaValue | LuaValue[] {
    checkName(name, 'function name');
    const o = options === undefined ? undefined : validateCall(options);
    try {
      return this.#native.callSync(name, o?.timeoutMs ?? 0, o?.allResults ?? false, ...args) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /** call with options (timeout, all results, AbortSignal). */
  callWith(name: string, args: unknown[], options?: AsyncCallOptions): Promise<LuaValue | LuaValue[]> {
    const site = new Error();
    try {
      checkName(name, 'function name');
      const o = options === undefined ? undefined : validateAsyncCall(options);
      const signal = checkSignal(o?.signal, 'call options');
      if (signal?.aborted) return Promise.reject(cancelledError());
      const job = this.#native.call(name, o?.timeoutMs ?? 0, o?.allResults ?? false, ...args);
      return settle(this.#native, job, signal, site);
    } catch (err) {
      return Promise.reject(LuaError.from(err, site));
    }
  }

  /**
   * A handle on the Lua function at `name` (dotted paths allowed), held by reference: later
   * changes to the global do not affect it, and calls skip the name lookup.
   */
  getFunction(name: string): LuaFunction {
    return new LuaFunction(this, name);
  }

  /** Sets a global (dotted paths create intermediate tables). */
  setGlobal(name: string, value: unknown): void {
    checkName(name, 'global name');
    try {
      this.#native.setGlobal(name, value);
    } catch (err) {
      rethrow(err);
    }
  }

  /** Reads a global (dotted paths allowed); undefined when absent. */
  getGlobal(name: string): LuaValue {
    checkName(name, 'global name');
    try {
      return this.#native.getGlobal(name) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /**
   * Makes `fn` callable from Lua as the global `name`. Lua arguments convert to JS values; the
   * return value converts back. A throw becomes a Lua error. A returned promise is awaited when
   * Lua runs with exec()/call(); in execSync()/callSync() it is an error.
   */
  registerHostFunction(name: string, fn: HostFunction): void {
    checkName(name, 'host function name');
    if (typeof fn !== 'function') throw new TypeError('Invalid host function: expected a function');
    try {
      this.#native.registerHostFunction(name, fn as (...args: unknown[]) => unknown);
    } catch (err) {
      rethrow(err);
    }
  }

  /** Closes the state. A running job stops and rejects with code `closed`. Idempotent. */
  close(): void {
    this.#native.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

const releaseRef = new FinalizationRegistry<{ native: NativeLuaVm; ref: number }>(({ native, ref }) => {
  if (!native.closed) native.unref(ref);
});

/**
 * A Lua function held by reference (see {@link LuaVm.getFunction}). Calls run like
 * {@link LuaVm.callSync} / {@link LuaVm.call} and share the VM's one-job-at-a-time rule.
 */
export class LuaFunction {
  readonly name: string;
  readonly #native: NativeLuaVm;
  #ref: number;
  #fast: (...args: unknown[]) => unknown;

  constructor(vm: LuaVm, name: string) {
    checkName(name, 'function name');
    this.name = name;
    this.#native = nativeOf(vm);
    try {
      this.#ref = this.#native.refFunction(name);
      this.#fast = this.#native.bindRef(this.#ref);
    } catch (err) {
      rethrow(err);
    }
    releaseRef.register(this, { native: this.#native, ref: this.#ref }, this);
  }

  /** Calls the function on the calling thread; returns its first result. */
  callSync(...args: unknown[]): LuaValue {
    try {
      return this.#fast(...args) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /** Calls the function on the VM's thread; resolves with its first result. */
  call(...args: unknown[]): Promise<LuaValue> {
    return this.callWith(args) as Promise<LuaValue>;
  }

  /** callSync with options (timeout, all results). */
  callWithSync(args: unknown[], options?: CallOptions): LuaValue | LuaValue[] {
    const o = options === undefined ? undefined : validateCall(options);
    try {
      return this.#native.callSync(this.#live(), o?.timeoutMs ?? 0, o?.allResults ?? false, ...args) as LuaValue;
    } catch (err) {
      rethrow(err);
    }
  }

  /** call with options (timeout, all results, AbortSignal). */
  callWith(args: unknown[], options?: AsyncCallOptions): Promise<LuaValue | LuaValue[]> {
    const site = new Error();
    try {
      const o = options === undefined ? undefined : validateAsyncCall(options);
      const signal = checkSignal(o?.signal, 'call options');
      if (signal?.aborted) return Promise.reject(cancelledError());
      const job = this.#native.call(this.#live(), o?.timeoutMs ?? 0, o?.allResults ?? false, ...args);
      return settle(this.#native, job, signal, site);
    } catch (err) {
      return Promise.reject(LuaError.from(err, site));
    }
  }

  /** Lets the VM collect the function. The handle is unusable afterwards. */
  release(): void {
    if (this.#ref < 0) return;
    releaseRef.unregister(this);
    if (!this.#native.closed) this.#native.unref(this.#ref);
    this.#ref = -1;
    const name = this.name;
    this.#fast = () => {
      throw new TypeError(`LuaFunction '${name}' was released`);
    };
  }

  #live(): number {
    if (this.#ref < 0) throw new TypeError(`LuaFunction '${this.name}' was released`);
    return this.#ref;
  }
}
