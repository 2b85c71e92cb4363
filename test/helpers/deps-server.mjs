// Shared parts of the dependency tests: a loopback HTTP server (static bodies, or a handler per
// path for slow or held responses), skill trees with a dependencies.yaml, and engine loading.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

import { LuaSkillsEngine } from '../../dist/index.js';

/** Starts the server. `files`: pathname -> { status?, body, type? }; `handlers`: pathname -> (req, res). */
export async function startDepsServer() {
  const files = new Map();
  const handlers = new Map();
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    const handler = handlers.get(url.pathname);
    if (handler) return handler(req, res);
    const file = files.get(url.pathname);
    const body = file ? file.body : 'not found';
    res.writeHead(file ? (file.status ?? 200) : 404, { 'content-type': file?.type ?? 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    files,
    handlers,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The server and a temp folder for one test file: started before its tests, closed and removed
 * after them. `ctx.srv` is the server once `ctx.ready` has resolved.
 */
export function useDepsServer(prefix) {
  let started;
  // `ready` lets the test file's own before-hooks wait for the server, whatever order they run in.
  const ctx = { work: mkdtempSync(path.join(tmpdir(), prefix)), srv: null, ready: new Promise((resolve) => (started = resolve)) };
  before(async () => {
    ctx.srv = await startDepsServer();
    started();
  });
  after(async () => {
    await ctx.srv.close();
    rmSync(ctx.work, { recursive: true, force: true });
  });
  return ctx;
}

/** Writes one skill (entries: { name: lua source }) with an optional dependencies.yaml text. */
export function writeDepSkill(skillsDir, id, { entries = { run: 'return function() return "ok" end' }, deps, version = '1.0.0' } = {}) {
  const dir = path.join(skillsDir, id);
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  const lines = [`name: ${id}`, `version: ${version}`, 'entries:'];
  for (const [name, source] of Object.entries(entries)) {
    lines.push(`  - name: ${name}`, `    description: ${name}`, `    lua_entry: runtime/${name}.lua`, `    lua_module: ${id.replace(/-/g, '_')}_${name}`);
    writeFileSync(path.join(dir, 'runtime', `${name}.lua`), source);
  }
  writeFileSync(path.join(dir, 'skill.yaml'), `${lines.join('\n')}\n`);
  if (deps !== undefined) writeFileSync(path.join(dir, 'dependencies.yaml'), deps);
  return dir;
}

/** A runtime root under `work` with `skills` ({ id: { entries?, deps? } }). */
export function depTree(work, name, skills) {
  const root = path.join(work, name);
  const skillsDir = path.join(root, 'skills');
  mkdirSync(skillsDir, { recursive: true });
  for (const [id, spec] of Object.entries(skills)) writeDepSkill(skillsDir, id, spec);
  return { root, skillsDir };
}

/** Creates an engine on `t` (runtime root layout unless `runtimeRoot: undefined` is passed) and loads it. */
export async function loadDeps(t, base, options = {}) {
  const logs = [];
  const engine = new LuaSkillsEngine({
    runtimeRoot: t.root, pool: { minSize: 0, maxSize: 1 }, allowNetworkDownload: true,
    githubApiBaseUrl: `${base}/api`, githubBaseUrl: `${base}/gh`, logSink: (r) => logs.push(r), ...options,
  });
  const report = await engine.loadFromRoots([{ name: 'ROOT', skills_dir: t.skillsDir }]);
  return { engine, report, logs };
}

/** `{ skill_id: "code: message" }` of a load report's failures. */
export const failuresOf = (report) => Object.fromEntries(report.failed.map((f) => [f.skill_id, `${f.code}: ${f.message}`]));
