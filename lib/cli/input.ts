// Argument text that may be inline, `@file` or `-` (stdin), and JSON parsing with usage errors.
import { readFile } from 'node:fs/promises';

import { CliError, EXIT_USAGE, usageError } from './output.js';

/** Reads all of stdin as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `-` → stdin, `@path` → the file, anything else → itself. */
export async function readTextArg(arg: string, what: string): Promise<string> {
  if (arg === '-') return readStdin();
  if (arg.startsWith('@')) {
    const file = arg.slice(1);
    if (!file) throw usageError(`${what}: '@' must be followed by a file name`);
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError('input_unreadable', `${what}: cannot read ${file}: ${(err as Error).message}`, EXIT_USAGE, { cause: err });
    }
  }
  return arg;
}

/** Parses JSON text, naming the argument on failure. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError('invalid_json', `${what} is not valid JSON: ${(err as Error).message}`, EXIT_USAGE, { cause: err });
  }
}

/** JSON from inline text, `@file` or `-`; `fallback` when the argument is absent. */
export async function readJsonArg(arg: string | undefined, what: string, fallback: unknown): Promise<unknown> {
  if (arg === undefined) return fallback;
  return parseJson(await readTextArg(arg, what), what);
}

/** A positive integer option (milliseconds, seconds). */
export function parsePositiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw usageError(`${what} must be a positive integer, got '${value}'`);
  return n;
}
