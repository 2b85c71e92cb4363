// Typebox schemas for every LuaVm option object. The TS layer validates and fills defaults; the
// native layer receives one checked, positional shape and applies no defaults of its own.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import { LuaError } from './errors.js';

export const LuaVmOptionsSchema = Type.Object(
  {
    /** Cap on the bytes the Lua allocator may hold; 0 or absent: no cap. */
    memoryLimitBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Instructions between limit checks while a job can be interrupted. Default 1000. */
    instructionHookInterval: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    /** Lua integers beyond ±(2^53-1): 'bigint' (default) or 'error'. */
    largeIntegers: Type.Optional(Type.Union([Type.Literal('bigint'), Type.Literal('error')])),
    /** Lua strings that are not UTF-8: 'buffer' (default) or 'error'. */
    invalidUtf8: Type.Optional(Type.Union([Type.Literal('buffer'), Type.Literal('error')])),
    /**
     * Standard libraries of the state: 'all' (default: every standard library plus the vulcan
     * modules) or 'safe' (base without dofile/loadfile/print/warn, with a text-only load and a
     * setmetatable that refuses __gc; string, table, math, utf8; nothing that reaches files, the
     * process or the host).
     */
    libraries: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('safe')])),
  },
  { additionalProperties: false },
);
export type LuaVmOptions = Static<typeof LuaVmOptionsSchema>;

/** The longest timeout a job may ask for: about 31.7 years, far inside the native clock's range. */
export const MAX_TIMEOUT_MS = 1e12;

const runFields = {
  /** Stop the job with code 'timeout' after this many milliseconds. 0 or absent: no limit. */
  timeoutMs: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_TIMEOUT_MS })),
  /** Return every result as an array instead of the first one. */
  allResults: Type.Optional(Type.Boolean()),
};

export const ExecOptionsSchema = Type.Object(
  {
    /** One value passed to the chunk: visible as the local `args` and as `...`. */
    args: Type.Optional(Type.Unknown()),
    /** Name used in error messages and tracebacks. Default "exec". */
    chunkName: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    ...runFields,
  },
  { additionalProperties: false },
);

export const AsyncExecOptionsSchema = Type.Object(
  {
    ...ExecOptionsSchema.properties,
    /** Aborting it stops the job with code 'cancelled'. */
    signal: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const CallOptionsSchema = Type.Object({ ...runFields }, { additionalProperties: false });
export const AsyncCallOptionsSchema = Type.Object(
  { ...runFields, signal: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

export interface ExecOptions {
  args?: unknown;
  chunkName?: string;
  timeoutMs?: number;
  allResults?: boolean;
}
export interface AsyncExecOptions extends ExecOptions {
  signal?: AbortSignal;
}
export interface CallOptions {
  timeoutMs?: number;
  allResults?: boolean;
}
export interface AsyncCallOptions extends CallOptions {
  signal?: AbortSignal;
}

/** Compiles a schema into a checker that throws a TypeError naming the offending field. */
export function compileValidator<T extends TSchema>(schema: T, what: string): (value: unknown) => Static<T> {
  const checker = TypeCompiler.Compile(schema);
  return (value: unknown): Static<T> => {
    if (checker.Check(value)) return value;
    const first = checker.Errors(value).First();
    const field = first?.path ? first.path.slice(1).replaceAll('/', '.') : '';
    const where = field ? `${what}.${field}` : what;
    throw new TypeError(`Invalid ${where}: ${first?.message ?? 'invalid value'}`);
  };
}

export function checkSignal(signal: unknown, what: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (signal instanceof AbortSignal) return signal;
  throw new TypeError(`Invalid ${what}.signal: expected an AbortSignal`);
}

export function cancelledError(): LuaError {
  return new LuaError('cancelled', 'cancelled: the AbortSignal was already aborted');
}
