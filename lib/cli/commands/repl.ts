// `luaskills repl`: see ../repl.ts.
import type { Command } from 'commander';

import { withEngine } from '../context.js';
import { parsePositiveInt } from '../input.js';
import { DEFAULT_HISTORY_FILE, runRepl, type ReplOptions } from '../repl.js';

export function registerReplCommand(program: Command): void {
  program
    .command('repl')
    .description('interactive Lua on a runtime lease: globals persist, multi-line chunks, history; .exit or Ctrl-D to leave')
    .option('--history <file>', `history file (default ${DEFAULT_HISTORY_FILE}; none when stdin is not a terminal)`)
    .option('--no-history', 'keep no history')
    .option('--sid <sid>', 'session id of the lease (default repl-<pid>)')
    .option('--cwd <dir>', "the lease's working directory")
    .option('--timeout <ms>', 'timeout of each evaluation in milliseconds (default 60000)')
    .action(async (o: { history?: string | false; sid?: string; cwd?: string; timeout?: string }, cmd: Command) => {
      const options: ReplOptions = { historyFile: o.history === false ? null : (o.history ?? DEFAULT_HISTORY_FILE) };
      if (o.sid !== undefined) options.sid = o.sid;
      if (o.cwd !== undefined) options.cwd = o.cwd;
      if (o.timeout !== undefined) options.timeoutMs = parsePositiveInt(o.timeout, '--timeout');
      // In the REPL, Lua's print goes to stdout, next to the results.
      const code = await withEngine(cmd, ({ engine }) => runRepl(engine, options), {
        logSink: (r) => process.stdout.write(r.source === 'log' ? `${r.line}\n` : `${r.message}\n`),
      });
      if (code !== 0) process.exitCode = code;
    });
}
