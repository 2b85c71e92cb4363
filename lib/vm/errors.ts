import { CodedError } from '../coded-error.js';

/** Stable codes of {@link LuaError}. */
export const LUA_ERROR_CODES = [
  'lua_syntax',
  'lua_runtime',
  'timeout',
  'cancelled',
  'memory_limit',
  'conversion',
  'busy',
  'closed',
] as const;

export type LuaErrorCode = (typeof LUA_ERROR_CODES)[number];

export interface LuaErrorDetails {
  /** Lua traceback, taken before the stack unwound. */
  traceback?: string;
  /** Line of the innermost Lua frame (or of the syntax error), when known. */
  line?: number;
  /** Chunk name of that frame, as Lua prints it. */
  source?: string;
  /** The error value when Lua raised something other than a string (table, number, nil). */
  value?: unknown;
  /** What a host function threw, when that is what failed. */
  cause?: unknown;
}

/** Every failure of a {@link LuaVm} operation. `code` says what kind of failure it is. */
export class LuaError extends CodedError<LuaErrorCode> {
  override readonly name = 'LuaError';
  readonly traceback: string;
  readonly line: number | undefined;
  readonly source: string | undefined;
  readonly value: unknown;

  constructor(code: LuaErrorCode, message: string, details: LuaErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.traceback = details.traceback ?? '';
    this.line = details.line;
    this.source = details.source;
    this.value = details.value;
  }

  /**
   * Turns what the native layer threw into a LuaError. `site` carries the caller's stack for
   * async calls, so the error points at the line that awaited it.
   */
  static from(err: unknown, site?: Error): unknown {
    if (!(err instanceof Error)) return err;
    const raw = err as Error & { code?: unknown } & LuaErrorDetails;
    if (typeof raw.code !== 'string' || !(LUA_ERROR_CODES as readonly string[]).includes(raw.code)) {
      return err;
    }
    const out = new LuaError(raw.code as LuaErrorCode, raw.message, raw);
    const stackSource = site ?? err;
    if (stackSource.stack) {
      const lines = stackSource.stack.split('\n');
      const frames = lines.filter((l) => l.startsWith('    at ') && !l.includes('/dist/vm/'));
      out.stack = `LuaError: ${raw.message}\n${frames.join('\n')}`;
    }
    return out;
  }
}
