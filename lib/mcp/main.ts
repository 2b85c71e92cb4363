// The standalone MCP launcher (what `luaskills mcp` runs): an engine on a runtime root with the
// standard root chain, serving stdio or Streamable HTTP until the client goes away or the process
// is told to stop.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { LuaSkillsEngine } from '../engine/engine.js';
import type { LuaSkillsEngineOptions } from '../engine/options.js';
import type { RuntimeSkillRoot } from '../skills/roots.js';
import type { LuaLogRecord } from '../vulcan/log.js';
import type { McpServerOptions } from './server.js';
import { serveHttp, serveStdio, type McpHttpHandle, type McpStdioHandle } from './transports.js';

/** The root chain of a runtime root: `root_skills`, `project_skills`, `user_skills`. */
export function standardSkillRoots(runtimeRoot: string): RuntimeSkillRoot[] {
  const root = path.resolve(runtimeRoot);
  return [
    { name: 'ROOT', skills_dir: path.join(root, 'root_skills') },
    { name: 'PROJECT', skills_dir: path.join(root, 'project_skills') },
    { name: 'USER', skills_dir: path.join(root, 'user_skills') },
  ];
}

/** Options of {@link runMcp}. */
export interface RunMcpOptions {
  /** The runtime root; its skill root folders are created when missing. */
  runtimeRoot: string;
  /** Serve Streamable HTTP on a loopback port instead of stdio. */
  http?: { port: number; host?: string; path?: string };
  /** More engine options (`runtimeRoot` is set from above). */
  engine?: Omit<LuaSkillsEngineOptions, 'runtimeRoot'>;
  /** Server options (authority, progress interval, content limit, host results …). */
  server?: McpServerOptions;
  /** Where Lua log lines go (default: stderr; stdout carries the protocol in stdio mode). */
  log?: (record: LuaLogRecord) => void;
  /** Called with each skill that failed to load (default: a line on stderr). */
  onLoadFailure?: (skillId: string, message: string) => void;
}

/** A running launcher. */
export interface McpRun {
  engine: LuaSkillsEngine;
  roots: RuntimeSkillRoot[];
  /** The HTTP endpoint when serving HTTP. */
  url?: string;
  /** Resolves when the stdio client went away or {@link close} was called. */
  closed: Promise<void>;
  /** Stops serving and closes the engine. */
  close(): Promise<void>;
}

/**
 * Creates the engine on `runtimeRoot`, loads `root_skills`, `project_skills`, `user_skills` and
 * serves them. With stdio, the engine closes when stdin ends.
 */
export async function runMcp(options: RunMcpOptions): Promise<McpRun> {
  if (typeof options.runtimeRoot !== 'string' || options.runtimeRoot.trim() === '') {
    throw new TypeError('runMcp: runtimeRoot must be a non-empty string');
  }
  const runtimeRoot = path.resolve(options.runtimeRoot);
  const roots = standardSkillRoots(runtimeRoot);
  for (const root of roots) mkdirSync(root.skills_dir, { recursive: true });
  const log = options.log ?? ((record: LuaLogRecord) => process.stderr.write(`${record.line}\n`));
  const engine = new LuaSkillsEngine({ ...options.engine, runtimeRoot, logSink: log });
  let served: McpStdioHandle | McpHttpHandle;
  try {
    const report = await engine.loadFromRoots(roots);
    const onFailure = options.onLoadFailure ?? ((id: string, message: string) => process.stderr.write(`luaskills mcp: skill ${id} not loaded: ${message}\n`));
    for (const failed of report.failed) onFailure(failed.skill_id, failed.message);
    served = options.http
      ? await serveHttp(engine, { ...options.server, ...options.http })
      : await serveStdio(engine, { ...options.server });
  } catch (err) {
    await engine.close();
    throw err;
  }
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await served.close();
      } finally {
        await engine.close();
        markClosed();
      }
    })();
    return closing;
  };
  // stdio: the client going away (stdin ended) stops everything; HTTP serves until close().
  if ('closed' in served) void served.closed.then(close);
  const run: McpRun = { engine, roots, closed, close };
  if ('url' in served) run.url = served.url;
  return run;
}

/** Serves until the stdio client goes away or SIGINT/SIGTERM arrives, then closes everything. */
export async function serveMcpUntilClosed(options: RunMcpOptions): Promise<void> {
  const run = await runMcp(options);
  if (run.url !== undefined) process.stderr.write(`luaskills mcp: listening on ${run.url}\n`);
  const stop = (): void => {
    void run.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await run.closed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
