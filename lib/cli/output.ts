// How the CLI talks: results on stdout (human text, or JSON with `--json`), Lua log lines and
// errors on stderr, errors as `error[<code>]: <message>`, and the exit codes.
import type { LuaLogRecord } from '../vulcan/log.js';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** An error the CLI raises itself; `exitCode` 2 marks a usage error. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number = EXIT_FAILURE, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A usage error (bad argument text): exit code 2. */
export function usageError(message: string): CliError {
  return new CliError('usage', message, EXIT_USAGE);
}

/** The operation was interrupted (Ctrl-C): exit code 130. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted', options?: ErrorOptions) {
    super('interrupted', message, EXIT_INTERRUPTED, options);
  }
}

/** The stable code of any error: its string `code`, else `error`. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'error';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Writes the error to stderr and returns the exit code it maps to. */
export function reportError(err: unknown, json: boolean): number {
  const code = errorCode(err);
  const message = messageOf(err);
  if (json) process.stderr.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  else process.stderr.write(`error[${code}]: ${message}\n`);
  if (err instanceof CliError) return err.exitCode;
  return EXIT_FAILURE;
}

/** Pretty JSON with BigInt as numbers' text (Lua 64-bit integers beyond 2^53). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent) ?? 'null';
}

/**
 * JSON of a Lua value with object keys sorted: Lua tables have no key order (their iteration
 * order changes from VM to VM), so sorting keeps the output stable.
 */
export function luaToJson(value: unknown, indent = 2): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])]));
    }
    return v;
  };
  return toJson(sorted(value), indent);
}

/** Writes a line (a newline is added unless the text ends with one; empty text writes nothing). */
export function writeOut(text: string): void {
  if (text === '') return;
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Prints a command's result: the whole value as JSON with `--json`, else `human()`. */
export function printResult(json: boolean, value: unknown, human: () => string): void {
  writeOut(json ? toJson(value) : human());
}

/** Lua's `print` and `vulcan.runtime.log` lines go to stderr, so stdout stays the result. */
export function stderrLogSink(record: LuaLogRecord): void {
  process.stderr.write(record.source === 'log' ? `${record.line}\n` : `${record.message}\n`);
}

/** Left-aligned columns, for tables on a terminal. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
