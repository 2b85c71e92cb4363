// Log records of Lua code: `print(...)` and `vulcan.runtime.log(level, message)` in skill and
// lease VMs. Upstream writes them to its logger as `[LuaSkill:<level>] <message>`; here they go
// to the engine's `logSink` option and its `'log'` event.

/** The three levels upstream maps every label to. */
export type LuaLogLevel = 'info' | 'warn' | 'error';

/** One line logged by Lua code. */
export interface LuaLogRecord {
  /** `error` when the label contains "error" or "fatal", `warn` when it contains "warn", else `info`. */
  level: LuaLogLevel;
  /** The level label as Lua gave it (`print` logs with `info`). */
  label: string;
  message: string;
  /** Upstream's rendering: `[LuaSkill:<label>] <message>`. */
  line: string;
  /** What produced it (`dependency`: the dependency manager while loading skills). */
  source: 'print' | 'log' | 'io' | 'dependency';
  /** The entry running when it was logged (null in run_lua and leases). */
  tool_name: string | null;
  skill_name: string | null;
}

/** Receives every {@link LuaLogRecord} of an engine. Must not throw (a throw is ignored). */
export type LuaLogSink = (record: LuaLogRecord) => void;

/** Upstream's level mapping (case-insensitive). */
export function logLevelOf(label: string): LuaLogLevel {
  const l = label.toLowerCase();
  if (l.includes('error') || l.includes('fatal')) return 'error';
  if (l.includes('warn')) return 'warn';
  return 'info';
}

export function logRecord(
  label: string,
  message: string,
  source: LuaLogRecord['source'],
  toolName: string | null,
  skillName: string | null,
): LuaLogRecord {
  return { level: logLevelOf(label), label, message, line: `[LuaSkill:${label}] ${message}`, source, tool_name: toolName, skill_name: skillName };
}
