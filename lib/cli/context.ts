// What every command shares: the global options (`--runtime-root`, `--json`) and a helper that
// opens the engine on the runtime root, runs the command, and always closes the engine.
import type { Command } from 'commander';

import type { LuaSkillsEngine } from '../engine/engine.js';
import type { SkillLoadReport } from '../skills/load.js';
import { stderrLogSink } from './output.js';
import { openEngine, resolveRuntimeRoot, type EngineSettings } from './runtime.js';

/** The global options as parsed. */
export interface GlobalOptions {
  runtimeRoot: string;
  json: boolean;
}

/** The global options seen from any (sub)command. */
export function globalsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ runtimeRoot?: string; json?: boolean }>();
  return { runtimeRoot: resolveRuntimeRoot(o.runtimeRoot), json: o.json === true };
}

/** What a command body gets. */
export interface CommandScope extends GlobalOptions {
  engine: LuaSkillsEngine;
  report: SkillLoadReport;
}

/** Opens the engine (Lua logs to stderr), runs `body`, closes the engine. */
export async function withEngine<T>(cmd: Command, body: (scope: CommandScope) => Promise<T>, settings: EngineSettings = {}): Promise<T> {
  const globals = globalsOf(cmd);
  const { engine, report } = await openEngine(globals.runtimeRoot, { logSink: stderrLogSink, ...settings });
  try {
    return await body({ ...globals, engine, report });
  } finally {
    await engine.close();
  }
}
