// `luaskills repl`: an interactive Lua prompt on one runtime lease, so globals persist between
// inputs. A chunk spans lines while Lua's parser says it is incomplete (`<eof>` in the syntax
// error); an input that compiles as `return <input>` is evaluated as an expression, as the `lua`
// interpreter does. Results print as pretty JSON (nil prints nothing), failures as
// `error[<code>]: <message>` on stderr. History lives in ~/.luaskills_history (not when stdin is
// not a terminal). `.exit` or Ctrl-D ends it; `.help` lists the dot commands.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import type { LuaSkillsEngine } from '../engine/engine.js';
import type { RuntimeLeaseCreateRequest, RuntimeLeaseEvalRequest } from '../leases/schemas.js';
import { LuaVm } from '../vm/lua-vm.js';
import { CliError, EXIT_FAILURE, EXIT_OK, luaToJson, toJson } from './output.js';

/** The default history file. */
export const DEFAULT_HISTORY_FILE = path.join(os.homedir(), '.luaskills_history');
const HISTORY_SIZE = 1000;
const PROMPT = 'lua> ';
const CONTINUE_PROMPT = '...> ';

export interface ReplOptions {
  /** History file; `null` for none. Ignored (no history) when the input is not a terminal. */
  historyFile: string | null;
  sid?: string;
  cwd?: string;
  /** Timeout of each evaluation in ms (the lease default is 60000). */
  timeoutMs?: number;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

/** How a chunk parses: an expression, statements, incomplete (read more), or a syntax error. */
export type ChunkKind = 'expr' | 'stmt' | 'more' | 'error';

const CLASSIFY = `
local src = args.src
if load("return " .. src, "=stdin") then return "expr" end
local f, err = load(src, "=stdin")
if f then return "stmt" end
if string.find(err, "<eof>'?$") then return "more" end
return "error"
`;

/** Classifies Lua chunks with a throwaway VM that only compiles them. */
export class ChunkClassifier {
  readonly #vm = new LuaVm();

  classify(src: string): ChunkKind {
    return this.#vm.execSync(CLASSIFY, { args: { src } }) as ChunkKind;
  }

  close(): void {
    this.#vm.close();
  }
}

function loadHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string, history: readonly string[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, [...history].reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // A history that cannot be written never stops the REPL.
  }
}

const HELP = [
  '.exit     leave (also Ctrl-D)',
  '.break    drop the unfinished chunk (also Ctrl-C)',
  '.lease    show the lease this REPL evaluates in',
  '.help     this text',
  'Lua: globals persist; `args` is {}; an expression prints its value as JSON.',
].join('\n');

/** Runs the REPL until `.exit` or end of input; resolves with the exit code. */
export async function runRepl(engine: LuaSkillsEngine, options: ReplOptions): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const tty = (input as { isTTY?: boolean }).isTTY === true;
  const historyFile = tty ? options.historyFile : null;

  const createRequest: RuntimeLeaseCreateRequest = { sid: options.sid ?? `repl-${process.pid}` };
  if (options.cwd !== undefined) createRequest.cwd = options.cwd;
  const created = await engine.leases.create(createRequest);
  if (!created.ok) throw new CliError(created.error_code, created.message);
  const leaseId = created.lease_id;

  const classifier = new ChunkClassifier();
  const rlOptions: readline.ReadLineOptions = { input, terminal: tty, historySize: historyFile === null ? 0 : HISTORY_SIZE };
  if (tty) rlOptions.output = output;
  if (historyFile !== null) rlOptions.history = loadHistory(historyFile);
  const rl = readline.createInterface(rlOptions);
  if (historyFile !== null) rl.on('history', (history: string[]) => saveHistory(historyFile, history));

  let buffer: string[] = [];
  let failures = 0;
  const prompt = (): void => {
    if (!tty) return;
    rl.setPrompt(buffer.length === 0 ? PROMPT : CONTINUE_PROMPT);
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    output.write(buffer.length === 0 ? '\n(To exit, press Ctrl-D or type .exit)\n' : '\n');
    buffer = [];
    prompt();
  });

  const evaluate = async (code: string): Promise<void> => {
    const request: RuntimeLeaseEvalRequest = { lease_id: leaseId, code };
    if (options.timeoutMs !== undefined) request.timeout_ms = options.timeoutMs;
    try {
      const out = await engine.leases.eval(request);
      if (!out.ok) {
        failures++;
        process.stderr.write(`error[${out.error_code}]: ${out.message}\n`);
        return;
      }
      if (out.result !== null) output.write(`${luaToJson(out.result)}\n`);
    } catch (err) {
      failures++;
      const code = (err as { code?: unknown }).code;
      process.stderr.write(`error[${typeof code === 'string' ? code : 'error'}]: ${(err as Error).message}\n`);
    }
  };

  try {
    if (tty) output.write(`luaskills repl on lease ${leaseId} (sid ${created.sid}); .help for help\n`);
    prompt();
    for await (const line of rl) {
      const trimmed = line.trim();
      if (buffer.length === 0 && trimmed.startsWith('.') && /^\.[a-z]+$/.test(trimmed)) {
        if (trimmed === '.exit') break;
        if (trimmed === '.help') output.write(`${HELP}\n`);
        else if (trimmed === '.lease') output.write(`${toJson(engine.leases.status({ lease_id: leaseId }))}\n`);
        else if (trimmed !== '.break') process.stderr.write(`error[usage]: unknown command ${trimmed} (.help lists them)\n`);
        prompt();
        continue;
      }
      if (trimmed === '.break') {
        buffer = [];
        prompt();
        continue;
      }
      if (buffer.length === 0 && trimmed === '') {
        prompt();
        continue;
      }
      buffer.push(line);
      const src = buffer.join('\n');
      const kind = classifier.classify(src);
      if (kind === 'more') {
        prompt();
        continue;
      }
      buffer = [];
      await evaluate(kind === 'expr' ? `return ${src}` : src);
      prompt();
    }
    if (buffer.length > 0) {
      // Input ended inside a chunk: evaluate it for Lua's own syntax error.
      await evaluate(buffer.join('\n'));
    }
  } finally {
    rl.close();
    classifier.close();
    engine.leases.close({ lease_id: leaseId });
    if (tty) output.write('\n');
  }
  return !tty && failures > 0 ? EXIT_FAILURE : EXIT_OK;
}

