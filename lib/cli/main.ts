// The `luaskills` command-line program (commander). Every command opens an engine on the
// runtime root (`--runtime-root`, else $LUASKILLS_RUNTIME_ROOT, else ./luaskills-runtime; the
// layout is created on first use), loads ROOT/PROJECT/USER from it, works, and closes it.
// Exit codes: 0 success, 1 operational error (`error[<code>]: <message>` on stderr), 2 usage
// error, 130 interrupted.
import { readFileSync } from 'node:fs';

import { Command, CommanderError } from 'commander';

import { registerConfigCommands } from './commands/config.js';
import { registerLeaseCommands } from './commands/lease.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerReplCommand } from './commands/repl.js';
import { registerSkillCommands } from './commands/skills.js';
import { EXIT_OK, EXIT_USAGE, reportError } from './output.js';
import { DEFAULT_RUNTIME_ROOT, RUNTIME_ROOT_ENV } from './runtime.js';

/** Adds one group of subcommands to the program. */
export type CommandRegistrar = (program: Command) => void;

/**
 * The command groups, in help order. Another group (e.g. `luaskills mcp`, which lives in its own
 * module) is one more registrar here.
 */
export const COMMAND_REGISTRARS: readonly CommandRegistrar[] = [
  registerSkillCommands,
  registerLifecycleCommands,
  registerConfigCommands,
  registerLeaseCommands,
  registerReplCommand,
  registerMcpCommand,
];

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The program with every command registered; `exitOverride` makes commander throw instead of exiting. */
export function createProgram(registrars: readonly CommandRegistrar[] = COMMAND_REGISTRARS): Command {
  const program = new Command('luaskills');
  program
    .description('Load, call and manage Lua skill packages (luaskills on real Lua 5.4)')
    .version(packageVersion(), '-V, --version')
    .option('--runtime-root <dir>', `runtime root (default $${RUNTIME_ROOT_ENV}, else ./${DEFAULT_RUNTIME_ROOT})`)
    .option('--json', 'machine-readable JSON on stdout (errors as JSON on stderr)')
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of registrars) register(program);
  return program;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** Runs the CLI on `argv` (node's form: [node, script, ...args]); resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  // `luaskills list | head -1`: a reader that goes away is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    throw err;
  });
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end with exit code 0; commander already printed its usage message.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    return reportError(err, wantsJson(argv));
  }
}
