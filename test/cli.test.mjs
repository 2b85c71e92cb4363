// The `luaskills` binary, run as a child process in temporary runtime roots: the layout, every
// command, human and --json output, error codes and exit codes, Ctrl-C, download progress from a
// loopback skill hub, the REPL with piped stdin and under a pseudo-terminal — and every example
// of docs/cli.md, run in order and compared with the output the doc shows.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildZip, skillEntries } from './helpers/zip.mjs';
import { writeSkills } from './helpers/skill-tree.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin', 'luaskills.mjs');
const examples = path.join(repo, 'examples', 'skills');
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
const freshRoot = () => path.join(work, `rt-${++counter}`);

function baseEnv(extra = {}) {
  const env = { ...process.env, HOME: work };
  delete env.LUASKILLS_RUNTIME_ROOT;
  delete env.LUASKILLS_ALLOW_NETWORK;
  return { ...env, ...extra };
}

/** Runs the binary synchronously: { status, stdout, stderr }. */
function cli(args, { root, input, cwd = repo, env = {} } = {}) {
  const full = root === undefined ? args : ['--runtime-root', root, ...args];
  const r = spawnSync(process.execPath, [bin, ...full], { cwd, input, encoding: 'utf8', env: baseEnv(env), timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the binary without blocking the event loop (a loopback server must answer it). */
function cliAsync(args, { root, env = {}, onStderr } = {}) {
  const full = root === undefined ? args : ['--runtime-root', root, ...args];
  const child = spawn(process.execPath, [bin, ...full], { cwd: repo, env: baseEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

function writeSkill(dir, id, entries) {
  mkdirSync(path.join(dir, 'runtime'), { recursive: true });
  const lines = [`name: ${id}`, 'version: 1.0.0', 'entries:'];
  for (const [name, source] of Object.entries(entries)) {
    lines.push(`  - name: ${name}`, `    description: ${name} entry`, `    lua_entry: runtime/${name}.lua`, `    lua_module: ${id}_${name}`.replace(/-/g, '_'));
    writeFileSync(path.join(dir, 'runtime', `${name}.lua`), source);
  }
  writeFileSync(path.join(dir, 'skill.yaml'), lines.join('\n') + '\n');
  return dir;
}

const LAYOUT = ['root_skills', 'project_skills', 'user_skills', 'temp', 'temp/downloads', 'resources', 'lua_packages', 'bin', 'libs', 'dependencies', 'state', 'databases', 'config', 'system_lua_lib'];

test('the runtime root: --runtime-root, else $LUASKILLS_RUNTIME_ROOT, else ./luaskills-runtime; the layout is created on first use', () => {
  const flag = freshRoot();
  assert.equal(cli(['list'], { root: flag }).status, 0);
  for (const d of LAYOUT) assert.ok(existsSync(path.join(flag, d)), d);

  const fromEnv = freshRoot();
  const r = cli(['list'], { env: { LUASKILLS_RUNTIME_ROOT: fromEnv } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'no skills loaded\n');
  assert.ok(existsSync(path.join(fromEnv, 'user_skills')));

  const cwd = path.join(work, 'cwd-default');
  mkdirSync(cwd);
  assert.equal(cli(['list'], { cwd }).status, 0);
  for (const d of LAYOUT) assert.ok(existsSync(path.join(cwd, 'luaskills-runtime', d)), d);

  // The flag wins over the env variable.
  const both = freshRoot();
  assert.equal(cli(['list'], { root: both, env: { LUASKILLS_RUNTIME_ROOT: path.join(work, 'unused') } }).status, 0);
  assert.ok(existsSync(both));
  assert.ok(!existsSync(path.join(work, 'unused')));
});

test('install a local folder, list (human and --json), call with JSON, @file and stdin', () => {
  const root = freshRoot();
  const inst = cli(['install', path.join(examples, 'text-tools'), '--type', 'local_dir'], { root });
  assert.equal(inst.status, 0, inst.stderr);
  assert.match(inst.stdout, /^text-tools: installed \(1\.0\.0\) - /);
  // Without a terminal: one progress line per phase on stderr.
  assert.match(inst.stderr, /^install: validating_request$/m);
  assert.match(inst.stderr, /^install: completed \(completed\)$/m);
  assert.ok(existsSync(path.join(root, 'user_skills', 'text-tools', 'skill.yaml')));

  const again = cli(['--json', 'install', path.join(examples, 'text-tools'), '--type', 'local_dir', '--quiet'], { root });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stderr, '');
  assert.equal(JSON.parse(again.stdout).status, 'already_installed');

  const list = cli(['list'], { root });
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^TOOL +SKILL +ROOT +DESCRIPTION\ntext-tools-lines +text-tools +USER +Numbers every line/);
  const listed = JSON.parse(cli(['--json', 'list'], { root }).stdout);
  assert.deepEqual(listed.entries.map((e) => e.canonical_name), ['text-tools-lines', 'text-tools-word-count']);
  assert.equal(listed.entries[0].root_name, 'USER');
  assert.deepEqual(listed.failed, []);
  assert.deepEqual(JSON.parse(cli(['--json', 'list', '--authority', 'delegated_tool'], { root }).stdout).entries.length, 2);

  assert.equal(cli(['call', 'text-tools-word-count', '{"text":"hello big world"}'], { root }).stdout, 'words=3 lines=1 chars=15\n');
  const argsFile = path.join(work, 'args.json');
  writeFileSync(argsFile, '{"text":"a\\nb"}');
  assert.equal(cli(['call', 'text-tools-lines', `@${argsFile}`], { root }).stdout, '   1  a\n   2  b\n');
  assert.equal(cli(['call', 'text-tools-word-count', '-'], { root, input: '{"text":"x y"}' }).stdout, 'words=2 lines=1 chars=3\n');
  const full = JSON.parse(cli(['--json', 'call', 'text-tools-word-count', '{"text":"hi"}'], { root }).stdout);
  assert.deepEqual(full, { content: 'words=1 lines=1 chars=2', overflow_mode: null, template_hint: null, content_bytes: 23, content_lines: 1, host_result: null });
  // The context reaches vulcan.context.
  const ctxRoot = freshRoot();
  const ctxSkill = writeSkill(path.join(work, 'ctx'), 'ctx', { show: 'return function(args) return vulcan.context.request.request_id .. ":" .. tostring(args.n) end\n' });
  assert.equal(cli(['install', ctxSkill, '--type', 'local_dir', '--quiet'], { root: ctxRoot }).status, 0);
  assert.equal(cli(['call', 'ctx-show', '{"n":5}', '--context', '{"request_context":{"request_id":"r-9"}}'], { root: ctxRoot }).stdout, 'r-9:5\n');
});

test('help: the list, the main flow, a Lua flow, an unknown skill or flow', () => {
  const root = freshRoot();
  cli(['install', path.join(examples, 'text-tools'), '--type', 'local_dir', '--quiet'], { root });
  assert.match(cli(['help'], { root }).stdout, /^SKILL +FLOWS +DESCRIPTION\ntext-tools +main,stats +Small text utilities\.\n$/);
  assert.match(cli(['help', 'text-tools'], { root }).stdout, /^# Text Tools\n/);
  assert.equal(cli(['help', 'text-tools', 'stats'], { root }).stdout, 'Statistics of text-tools: words are runs of non-space characters; lines are split on newlines.\n');
  const detail = JSON.parse(cli(['--json', 'help', 'text-tools', 'stats'], { root }).stdout);
  assert.equal(detail.flow_name, 'stats');
  assert.equal(detail.content_type, 'markdown');
  const unknown = cli(['help', 'nope'], { root });
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stderr, "error[skill_not_found]: Skill 'nope' not found\n");
  const noFlow = cli(['help', 'text-tools', 'missing'], { root });
  assert.equal(noFlow.status, 1);
  assert.match(noFlow.stderr, /^error\[help_not_found\]: Skill 'text-tools' does not declare help flow 'missing'\n$/);
  // --help is commander's, with exit code 0.
  const h = cli(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: luaskills/);
});

test('run-lua: inline, @file, stdin, --args, --json, print on stderr, errors', () => {
  const root = freshRoot();
  assert.equal(cli(['run-lua', 'return args.a * 2', '--args', '{"a":21}'], { root }).stdout, '42\n');
  assert.equal(cli(['run-lua', 'return "text"'], { root }).stdout, 'text\n');
  const luaFile = path.join(work, 'code.lua');
  writeFileSync(luaFile, 'return {list = {1, 2}}');
  assert.deepEqual(JSON.parse(cli(['run-lua', `@${luaFile}`], { root }).stdout), { list: [1, 2] });
  assert.deepEqual(JSON.parse(cli(['--json', 'run-lua', '-'], { root, input: 'return #args', env: {} }).stdout), { result: 0 });
  const printed = cli(['run-lua', 'print("to stderr") return 1'], { root });
  assert.equal(printed.stdout, '1\n');
  assert.equal(printed.stderr, 'to stderr\n');
  const failed = cli(['run-lua', 'error("boom")'], { root });
  assert.equal(failed.status, 1);
  assert.equal(failed.stdout, '');
  assert.equal(failed.stderr, 'error[skill_error]: Lua run_lua error: run_lua:1: boom\n');
  const both = cli(['run-lua', '-', '--args', '-'], { root, input: '' });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /^error\[usage\]: only one of <code> and --args can read stdin\n$/);
  const missing = cli(['run-lua', '@/does/not/exist.lua'], { root });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^error\[input_unreadable\]: run-lua code: cannot read \/does\/not\/exist\.lua/);
});

test('config set / get / list / describe / delete', () => {
  const root = freshRoot();
  assert.equal(cli(['config', 'set', 'demo', 'api_key', 's3cret'], { root }).stdout, 'demo.api_key set\n');
  assert.equal(cli(['config', 'set', 'demo', 'note', '-'], { root, input: 'from stdin' }).status, 0);
  assert.equal(cli(['config', 'get', 'demo', 'api_key'], { root }).stdout, 's3cret\n');
  assert.deepEqual(JSON.parse(cli(['--json', 'config', 'list', 'demo'], { root }).stdout), [
    { store_scope: 'skills', skill_id: 'demo', key: 'api_key', value: 's3cret' },
    { store_scope: 'skills', skill_id: 'demo', key: 'note', value: 'from stdin' },
  ]);
  assert.deepEqual(JSON.parse(readFileSync(path.join(root, 'config', 'skills', 'config.json'), 'utf8')).skills.demo, { api_key: 's3cret', note: 'from stdin' });
  const described = JSON.parse(cli(['--json', 'config', 'describe', 'demo'], { root }).stdout);
  assert.deepEqual(described.keys, ['api_key', 'note']);
  assert.equal(described.loaded, false);
  assert.equal(described.config_file, path.join(root, 'config', 'skills', 'config.json'));
  assert.equal(described.store_scope, 'skills');
  assert.deepEqual(JSON.parse(cli(['--json', 'config', 'refresh'], { root }).stdout), [
    { store_scope: 'skills', revision: '2', changed: false },
    { store_scope: 'system-skills', revision: '0', changed: false },
  ]);
  // Every command builds a fresh engine: its event log starts empty, so --wait 0 finds nothing.
  assert.equal(cli(['config', 'events'], { root }).stdout, 'no events (next sequence 0)\n');
  const badLimit = cli(['config', 'events', '--limit', '0'], { root });
  assert.equal(badLimit.status, 1);
  assert.match(badLimit.stderr, /^error\[config_event_limit_invalid\]: event poll limit must be an integer between 1 and 1000/);
  assert.deepEqual(JSON.parse(cli(['--json', 'config', 'delete', 'demo', 'note'], { root }).stdout), { action: 'delete', skill_id: 'demo', store_scope: 'skills', key: 'note', deleted: true, revision: '3' });
  const gone = cli(['--json', 'config', 'get', 'demo', 'note'], { root });
  assert.equal(gone.status, 1);
  assert.deepEqual(JSON.parse(gone.stdout), { found: false, skill_id: 'demo', key: 'note' });
  const bad = cli(['config', 'set', 'Bad Id', 'k', 'v'], { root });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error\[invalid_skill_id\]: invalid skill config skill_id: /);
});

test('disable / enable / uninstall, and the planes', () => {
  const root = freshRoot();
  const dir = writeSkill(path.join(work, 'pinger'), 'pinger', { ping: 'return function() return "pong" end\n' });
  assert.equal(cli(['install', dir, '--type', 'local_dir', '--quiet'], { root }).status, 0);
  assert.equal(cli(['call', 'pinger-ping'], { root }).stdout, 'pong\n');
  assert.equal(cli(['disable', 'pinger', '--reason', 'maintenance'], { root }).stdout, 'pinger: disabled (USER)\n');
  const hidden = cli(['call', 'pinger-ping'], { root });
  assert.equal(hidden.status, 1);
  assert.equal(hidden.stderr, "error[skill_not_found]: Lua skill 'pinger-ping' not found\n");
  assert.deepEqual(JSON.parse(cli(['--json', 'enable', 'pinger'], { root }).stdout), { skill_id: 'pinger', root_name: 'USER', skill_dir: path.join(root, 'user_skills', 'pinger'), enabled: true });
  assert.equal(cli(['call', 'pinger-ping'], { root }).stdout, 'pong\n');
  const removed = JSON.parse(cli(['--json', 'uninstall', 'pinger'], { root }).stdout);
  assert.equal(removed.skill_removed, true);
  assert.ok(!existsSync(path.join(root, 'user_skills', 'pinger')));
  // The system plane installs into ROOT; the ordinary plane may not touch it.
  assert.equal(cli(['install', dir, '--type', 'local_dir', '--system', '--quiet'], { root }).status, 0);
  assert.ok(existsSync(path.join(root, 'root_skills', 'pinger', 'skill.yaml')));
  const refused = cli(['uninstall', 'pinger', '--delegated'], { root });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error\[refused\]: /);
  // A target root by name.
  const proj = freshRoot();
  assert.equal(cli(['install', dir, '--type', 'local_dir', '--target-root', 'PROJECT', '--quiet'], { root: proj }).status, 0);
  assert.ok(existsSync(path.join(proj, 'project_skills', 'pinger')));
  const badType = cli(['install', dir, '--type', 'ftp'], { root });
  assert.equal(badType.status, 2);
  assert.match(badType.stderr, /^error\[usage\]: --type must be one of /);
});

test('lease create / eval / list / close from the shell (a lease lives inside one process)', () => {
  const root = freshRoot();
  const ev = cli(['--json', 'lease', 'eval', 'n = 10', 'n = n + args.k return n', '--args', '{"k":5}', '--sid', 'shell'], { root });
  assert.equal(ev.status, 0, ev.stderr);
  const docs = ev.stdout.trim().split(/\n(?=\{)/).map((t) => JSON.parse(t));
  assert.deepEqual(docs.map((d) => d.result), [null, 15]);
  assert.equal(docs[1].sid, 'shell');
  const created = JSON.parse(cli(['--json', 'lease', 'create', '--sid', 's1', '--ttl', '30', '--cwd', work], { root }).stdout);
  assert.equal(created.ok, true);
  assert.equal(created.ttl_sec, 30);
  assert.equal(created.cwd, work);
  assert.match(created.lease_id, /^rt_\d+_1$/);
  assert.deepEqual(JSON.parse(cli(['--json', 'lease', 'list'], { root }).stdout), { ok: true, leases: [] });
  const closed = cli(['lease', 'close', created.lease_id], { root });
  assert.equal(closed.status, 1);
  assert.equal(closed.stderr, `error[lease_not_found]: runtime session lease \`${created.lease_id}\` was not found\n`);
  const failed = cli(['lease', 'eval', 'error("x")'], { root });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /^error\[eval_failed\]: Runtime session eval error: runtime error: runtime_lease:1: x/);
  const badTtl = cli(['lease', 'create', '--ttl', '0'], { root });
  assert.equal(badTtl.status, 2);
});

test('repl with piped stdin: multi-line chunks, persistent globals, print, errors, .exit', () => {
  const root = freshRoot();
  const input = [
    'counter = 1',
    'function add(a,',
    '           b)',
    '  return a + b',
    'end',
    'counter = add(counter, 41)',
    'counter',
    'print("line from print")',
    '[[a long',
    'string]]',
    '.lease',
    'error("nope")',
    'return {counter = counter}',
    '.exit',
    'counter = 0',
  ].join('\n');
  const r = cli(['repl'], { root, input });
  assert.equal(r.status, 1, 'an input failed');
  const out = r.stdout;
  assert.match(out, /^42\nline from print\n"a long\\nstring"\n\{\n  "ok": true,\n  "sid": "repl-\d+",/);
  assert.match(out, /\{\n {2}"counter": 42\n\}\n$/);
  assert.match(r.stderr, /^error\[eval_failed\]: Runtime session eval error: runtime error: runtime_lease:1: nope/);
  assert.ok(!existsSync(path.join(work, '.luaskills_history')), 'no history without a terminal');

  const clean = cli(['repl'], { root, input: 'x = 2\nx * 21\n' });
  assert.equal(clean.status, 0);
  assert.equal(clean.stdout, '42\n');
  assert.equal(clean.stderr, '');
  // Input that ends inside a chunk reports Lua's own syntax error.
  const cut = cli(['repl'], { root, input: 'function f()\n  return 1\n' });
  assert.equal(cut.status, 1);
  assert.match(cut.stderr, /^error\[eval_failed\]: Runtime session eval error: syntax error: .*'end' expected/);
  // A skill is reachable from the REPL's lease through vulcan.call.
  cli(['install', path.join(examples, 'text-tools'), '--type', 'local_dir', '--quiet'], { root });
  assert.equal(cli(['repl'], { root, input: 'vulcan.call("text-tools-word-count", {text = "a b"})\n' }).stdout, '"words=2 lines=1 chars=3"\n');
});

test('repl under a pseudo-terminal: prompts, continuation prompt, history file', { skip: !existsSync('/usr/bin/script') && 'needs script(1)' }, async () => {
  const root = freshRoot();
  const history = path.join(work, 'repl-history');
  writeFileSync(history, 'old_entry = 1\n');
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} --runtime-root ${JSON.stringify(root)} repl --history ${JSON.stringify(history)}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env: baseEnv({ TERM: 'dumb' }) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const waitFor = async (re) => {
    for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, re);
  };
  await waitFor(/lua> /);
  child.stdin.write('t = {}\r');
  await waitFor(/lua> [^]*lua> /);
  child.stdin.write('function t.f()\r');
  await waitFor(/\.\.\.> /);
  child.stdin.write('return 7 end\r');
  child.stdin.write('t.f() * 6\r');
  await waitFor(/42/);
  child.stdin.write('.exit\r');
  const status = await new Promise((r) => child.on('close', r));
  assert.equal(status, 0, out);
  assert.match(out, /luaskills repl on lease rt_\d+_1 \(sid repl-\d+\)/);
  const saved = readFileSync(history, 'utf8').trim().split('\n');
  assert.equal(saved[0], 'old_entry = 1');
  assert.ok(saved.includes('t.f() * 6'), saved.join('|'));
  assert.equal(saved.at(-1), '.exit');
});

test('errors: usage errors exit 2, operational errors exit 1 with error[<code>], --json errors are JSON', () => {
  const root = freshRoot();
  const unknown = cli(['frobnicate'], { root });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^error: unknown command 'frobnicate'/);
  const missingArg = cli(['call'], { root });
  assert.equal(missingArg.status, 2);
  assert.match(missingArg.stderr, /missing required argument 'tool'/);
  const badJson = cli(['call', 'x-y', '{oops'], { root });
  assert.equal(badJson.status, 2);
  assert.match(badJson.stderr, /^error\[invalid_json\]: call input is not valid JSON: /);
  const badTimeout = cli(['call', 'x-y', '--timeout', 'soon'], { root });
  assert.equal(badTimeout.status, 2);
  assert.equal(badTimeout.stderr, "error[usage]: --timeout must be a positive integer, got 'soon'\n");
  const notFound = cli(['call', 'x-y'], { root });
  assert.equal(notFound.status, 1);
  assert.equal(notFound.stdout, '');
  assert.equal(notFound.stderr, "error[skill_not_found]: Lua skill 'x-y' not found\n");
  const asJson = cli(['--json', 'call', 'x-y'], { root });
  assert.equal(asJson.status, 1);
  assert.deepEqual(JSON.parse(asJson.stderr), { ok: false, error: { code: 'skill_not_found', message: "Lua skill 'x-y' not found" } });
  const offline = cli(['install', 'owner/repo'], { root });
  assert.equal(offline.status, 1);
  assert.match(offline.stderr, /^error\[network_disabled\]: /m);
  const version = cli(['--version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version);
});

test('call: --timeout ends a runaway entry with code timeout; Ctrl-C cancels it with exit 130', async () => {
  const root = freshRoot();
  const dir = writeSkill(path.join(work, 'spin'), 'spin', { loop: 'return function() print("started") while true do end end\n' });
  assert.equal(cli(['install', dir, '--type', 'local_dir', '--quiet'], { root }).status, 0);
  const timed = cli(['call', 'spin-loop', '--timeout', '200'], { root });
  assert.equal(timed.status, 1);
  assert.match(timed.stderr, /^error\[timeout\]: Lua skill 'spin-loop' error: timeout: /m);
  let sent = false;
  const r = await cliAsync(['call', 'spin-loop'], {
    root,
    onStderr: (text, child) => {
      if (!sent && text.includes('started')) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent);
  assert.equal(r.status, 130, r.stderr);
  assert.match(r.stderr, /^error\[interrupted\]: interrupted: Lua skill 'spin-loop' error: cancelled/m);
});

test('install from a skill hub on loopback: download progress, --allow-network or the env variable, update', async () => {
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const zips = { '1.0.0': await buildZip(skillEntries('weather', '1.0.0')) };
  let current = '1.0.0';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (body, type = 'application/octet-stream') => {
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (url.pathname === '/hub/api/v1/skills/weather/resolve') {
      return send(JSON.stringify({ skill_id: 'weather', version: current, archive: { type: 'zip', url: `${base}/files/weather-${current}.zip`, sha256: sha(zips[current]) } }), 'application/json');
    }
    const m = /^\/files\/weather-(.+)\.zip$/.exec(url.pathname);
    if (m && zips[m[1]]) return send(zips[m[1]]);
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const root = freshRoot();
    const hubArgs = ['--type', 'official_hub', '--hub-base-url', `${base}/hub`];
    const offline = await cliAsync(['install', 'weather', ...hubArgs], { root });
    assert.equal(offline.status, 1);
    assert.match(offline.stderr, /^error\[network_disabled\]: /m);

    const r = await cliAsync(['--json', 'install', 'weather', ...hubArgs, '--allow-network'], { root });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'installed');
    assert.match(r.stderr, /^install: fetching_manifest$/m);
    assert.match(r.stderr, /^install: \[-+\] +0% downloading_archive 0 B\/\d+ B$/m);
    assert.match(r.stderr, /^install: \[#+\] 100% downloading_archive (\d+) B\/\1 B$/m);
    assert.match(r.stderr, /^install: completed \(completed\)$/m);
    assert.equal(cli(['call', 'weather-ping'], { root }).status, 0);

    // On a terminal the bar is redrawn in place on one line.
    if (existsSync('/usr/bin/script')) {
      const ttyRoot = freshRoot();
      const command = [process.execPath, bin, '--runtime-root', ttyRoot, 'install', 'weather', ...hubArgs, '--allow-network'].map((a) => JSON.stringify(a)).join(' ');
      const child = spawn('script', ['-qefc', command, '/dev/null'], { env: baseEnv({ TERM: 'dumb', COLUMNS: '100' }) });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stdin.end();
      assert.equal(await new Promise((res) => child.on('close', res)), 0, out);
      assert.match(out, /\r\[#{24}\] 100% downloading_archive \d+ B\/\d+ B/);
      assert.match(out, /\rcompleted \(completed\) *\r?\n/);
      assert.match(out, /weather: installed \(1\.0\.0\)/);
    }

    zips['2.0.0'] = await buildZip(skillEntries('weather', '2.0.0'));
    current = '2.0.0';
    const up = await cliAsync(['update', 'weather', '--hub-base-url', `${base}/hub`, '--quiet'], { root, env: { LUASKILLS_ALLOW_NETWORK: '1' } });
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, /^weather: updated \(2\.0\.0\)/);
    assert.equal(up.stderr, '');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

// docs/cli.md: every `$ luaskills …` line of its console blocks, in order, in one runtime root.
function docExamples() {
  const text = readFileSync(path.join(repo, 'docs', 'cli.md'), 'utf8');
  const examples = [];
  for (const block of text.matchAll(/```console\n([^]*?)```/g)) {
    let current = null;
    for (const line of block[1].replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) {
        const m = /^(.*?)\s+# exit (\d+)$/.exec(line.slice(2));
        current = { command: m ? m[1] : line.slice(2), exit: m ? Number(m[2]) : 0, expected: [] };
        examples.push(current);
      } else {
        assert.ok(current, `docs/cli.md: output before a command: ${line}`);
        current.expected.push(line);
      }
    }
  }
  return examples;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('docs/cli.md: every example runs and prints what the doc shows', () => {
  const examples = docExamples();
  assert.ok(examples.length >= 30, `only ${examples.length} examples`);
  const root = freshRoot();
  for (const ex of examples) {
    const script = `luaskills() { "$LUASKILLS_NODE" "$LUASKILLS_BIN" "$@"; }\n${ex.command}\n`;
    const r = spawnSync('bash', ['-c', script], {
      cwd: repo,
      encoding: 'utf8',
      env: baseEnv({ LUASKILLS_RUNTIME_ROOT: root, LUASKILLS_NODE: process.execPath, LUASKILLS_BIN: bin }),
      timeout: 60_000,
    });
    const actual = (r.stderr + r.stdout).replace(/\n$/, '').split('\n');
    const where = `docs/cli.md: $ ${ex.command}\n--- got (exit ${r.status}):\n${actual.join('\n')}`;
    assert.equal(r.status, ex.exit, where);
    assert.equal(actual.length, ex.expected.length, where);
    ex.expected.forEach((line, i) => {
      const re = new RegExp(`^${line.split('…').map(escapeRe).join('.*')}$`);
      assert.match(actual[i].trimEnd(), re, `${where}\n--- line ${i + 1} should be: ${line}`);
    });
  }
  rmSync('/tmp/luaskills-doc-args.json', { force: true });
});

test('config describe / set / get of a skill that declares config:', () => {
  const { root } = writeSkills({ cfgd: { run: 'return function() return "ok" end' } }, work, {
    cfgd: {
      config: [
        { key: 'retries', type: 'integer', description: 'Retries', default: 3, constraints: { maximum: 10 } },
        { key: 'token', type: 'string', description: 'Token', sensitive: true, required: true },
      ],
    },
  });
  renameSync(path.join(root, 'skills'), path.join(root, 'user_skills')); // the CLI's runtime-root layout
  const incomplete = JSON.parse(cli(['--json', 'config', 'describe', 'cfgd'], { root }).stdout);
  assert.equal(incomplete.declared.complete, false);
  assert.deepEqual(incomplete.declared.items.map((i) => [i.key, i.state, i.value]), [['retries', 'default', 3], ['token', 'missing', undefined]]);
  const invalid = cli(['config', 'validate', 'cfgd'], { root });
  assert.equal(invalid.status, 1);
  assert.equal(invalid.stdout, 'cfgd: incomplete (skills revision 0)\n  missing: token\n');
  const refused = cli(['config', 'set', 'cfgd', 'retries', '11'], { root });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error\[config_value_out_of_range\]: CONFIG_VALUE_OUT_OF_RANGE: config key 'retries' must be <= 10/);
  assert.equal(cli(['config', 'set', 'cfgd', 'retries', '7'], { root }).status, 0);
  assert.equal(cli(['config', 'set', 'cfgd', 'token', 'tok-SECRET'], { root }).status, 0);
  assert.equal(cli(['config', 'get', 'cfgd', 'retries'], { root }).stdout, '7\n');
  const text = cli(['config', 'describe', 'cfgd'], { root }).stdout;
  assert.match(text, /config: complete \(revision 2\)\n {2}retries \(integer\): configured = 7\n {2}token \(string, required, sensitive\): configured \[masked\]/);
  for (const out of [text, cli(['--json', 'config', 'describe', 'cfgd'], { root }).stdout, cli(['config', 'list'], { root }).stdout]) {
    assert.equal(out.includes('tok-SECRET'), false);
  }
});
