// Every command the README, docs/mcp.md and docs/install.md show is run somewhere: the ones that
// need an installed package (`npx luaskills …`, the MCP client configurations, the launcher under
// node_modules) run here, exactly as written, in an app folder laid out like an npm install; the
// others are listed with the test or CI step that runs them. A command added to those docs fails
// the first test until it is listed (and run). docs/cli.md has its own runner: test/cli.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { installedApp, mcpConfigArgs, repoRoot, shellCommands } from './helpers/doc-commands.mjs';

const work = mkdtempSync(path.join(tmpdir(), 'luaskills-doc-commands-'));
after(() => rmSync(work, { recursive: true, force: true }));

const HERE = 'test/doc-commands.test.mjs';
const QUICK_START = [
  'npx luaskills install examples/skills/text-tools --type local_dir',
  'npx luaskills list',
  `npx luaskills call text-tools-word-count '{"text": "hello world"}'`,
  `npx luaskills run-lua 'return args.a + args.b' --args '{"a": 1, "b": 2}'`,
  'npx luaskills repl',
];
const MCP_STDIO = ['npx luaskills --runtime-root ~/.luaskills mcp', 'npx luaskills --runtime-root ~/.luaskills mcp --watch'];
const MCP_HTTP = 'npx luaskills --runtime-root ~/.luaskills mcp --http 3000';
/** The `npx` arguments of the client configurations (`/home/me` stands for the user's home). */
const MCP_CONFIGS = [
  ['luaskills', 'mcp', '--runtime-root', '/home/me/.luaskills'],
  ['luaskills', '--runtime-root', '/home/me/.luaskills', 'mcp', '--watch'],
];

/** Each documented shell command, by file, with where it runs. */
const DOCUMENTED = {
  'README.md': [
    ['npm install', '.ci/run, as `npm ci` (the same install script, scripts/install.mjs)'],
    ['npm test', '.ci/run'],
    ['npm run demo', 'test/examples.test.mjs'],
    ...QUICK_START.map((c) => [c, HERE]),
    ['npx luaskills --runtime-root ~/.luaskills mcp --watch', HERE],
    [MCP_HTTP, HERE],
  ],
  'docs/mcp.md': [...MCP_STDIO, MCP_HTTP].map((c) => [c, HERE]),
  'docs/install.md': [['npm install luaskills', 'scripts/check-prebuilt-install.mjs in .ci/run (npm install of the packed package)']],
};

test('every shell command of the README, docs/mcp.md and docs/install.md is accounted for', () => {
  for (const [file, commands] of Object.entries(DOCUMENTED)) {
    assert.deepEqual(shellCommands(file), commands.map(([c]) => c), file);
  }
  assert.deepEqual(mcpConfigArgs('README.md'), [MCP_CONFIGS[0]]);
  assert.deepEqual(mcpConfigArgs('docs/mcp.md'), MCP_CONFIGS);
});

function sh(app, line, input = '') {
  return execFileSync('sh', ['-c', line], { cwd: app.dir, env: app.env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

test('README CLI quick start, line by line through npx', () => {
  const app = installedApp(work);
  const outputs = QUICK_START.map((line) => sh(app, line, line.endsWith('repl') ? '6 * 7\n.exit\n' : ''));
  assert.deepEqual(outputs, [
    "text-tools: installed (1.0.0) - skill 'text-tools' 1.0.0 installed into root 'USER'\n",
    'TOOL                   SKILL       ROOT  DESCRIPTION\n' +
      'text-tools-lines       text-tools  USER  Numbers every line; long output asks the host to page it.\n' +
      'text-tools-word-count  text-tools  USER  Counts words, lines and characters of a text.\n',
    'words=2 lines=1 chars=11\n',
    '3\n',
    '42\n',
  ]);
});

/** An app whose ~/.luaskills already holds text-tools in user_skills. */
function appWithSkill() {
  const app = installedApp(work);
  cpSync(path.join(repoRoot, 'examples', 'skills', 'text-tools'), path.join(app.home, '.luaskills', 'user_skills', 'text-tools'), { recursive: true });
  return app;
}

async function listAndCall(client) {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ['text-tools-lines', 'text-tools-word-count']);
  const result = await client.callTool({ name: 'text-tools-word-count', arguments: { text: 'hello world' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'words=2 lines=1 chars=11' }]);
  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name), ['text-tools-help']);
}

async function withStdioClient(command, args, app, body) {
  const transport = new StdioClientTransport({ command, args, cwd: app.dir, env: app.env, stderr: 'pipe' });
  const client = new Client({ name: 'doc-commands', version: '1.0.0' });
  await client.connect(transport);
  try {
    await body(client);
  } finally {
    await client.close();
  }
}

for (const line of MCP_STDIO) {
  test(`docs: ${line} (stdio)`, async () => {
    const app = appWithSkill();
    await withStdioClient('sh', ['-c', line], app, async (client) => {
      await listAndCall(client);
      if (!line.endsWith('--watch')) return;
      // --watch: a skill folder that appears reaches the client.
      const changed = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, resolve));
      cpSync(path.join(repoRoot, 'examples', 'skills', 'note-pad'), path.join(app.home, '.luaskills', 'user_skills', 'note-pad'), { recursive: true });
      await changed;
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'note-pad-add'));
    });
  });
}

for (const config of MCP_CONFIGS) {
  test(`docs: the MCP client configuration {"command": "npx", "args": ${JSON.stringify(config)}}`, async () => {
    const app = appWithSkill();
    await withStdioClient('npx', config.map((a) => a.replace('/home/me', app.home)), app, listAndCall);
  });
}

/** Why `port` cannot be listened on (e.g. EADDRINUSE), or null when it is free. */
function portProblem(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err) => resolve(err.code ?? String(err)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(null)));
  });
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `line` in its own process group; resolves with the URL it prints and a stop(). */
async function startHttp(app, line) {
  const child = spawn('sh', ['-c', line], { cwd: app.dir, env: app.env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM'); // sh, npm and the server: the whole group
    } catch {
      // already gone
    }
    return exited;
  };
  const url = await new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`no "listening on" line within 60 s; stderr: ${stderr}`)), 60_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (\S+)/.exec(stderr);
      if (m) {
        clearTimeout(guard);
        resolve(m[1]);
      }
    });
    exited.then(() => {
      clearTimeout(guard);
      reject(new Error(`${line} exited: ${stderr}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, stop, stderr: () => stderr };
}

async function overHttp(url, body) {
  const client = new Client({ name: 'doc-commands-http', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  try {
    await body(client);
  } finally {
    await transport.terminateSession();
    await client.close();
  }
}

test(`README and docs/mcp.md: ${MCP_HTTP}`, async (t) => {
  // The documented port is the point of this test: when something else holds it, say so and
  // skip, rather than quietly testing another port.
  const problem = await portProblem(3000);
  if (problem) {
    t.skip(`port 3000 on 127.0.0.1 is not available (${problem}); the documented command needs it`);
    return;
  }
  const app = appWithSkill();
  const server = await startHttp(app, MCP_HTTP);
  try {
    assert.equal(server.url, 'http://127.0.0.1:3000/mcp');
    await overHttp(server.url, listAndCall);
  } finally {
    await server.stop();
  }
  // The server closes on SIGTERM (sh and npm, in the same group, just die): the port is let go.
  const deadline = Date.now() + 15_000; // hang guard
  while ((await portAnswers(3000)) && Date.now() < deadline) await sleep(100);
  assert.equal(await portAnswers(3000), false, 'the server let go of port 3000');
  assert.doesNotMatch(server.stderr(), /error/i);
});

test('docs/mcp.md: node node_modules/luaskills/dist/mcp/bin.js with --http, --host and --authority', async () => {
  const app = appWithSkill();
  // Port 0: this is the launcher's own form (the documented port is covered above).
  const server = await startHttp(app, 'node node_modules/luaskills/dist/mcp/bin.js --runtime-root ~/.luaskills --http 0 --host 127.0.0.1 --authority delegated_tool');
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await overHttp(server.url, listAndCall);
  } finally {
    await server.stop();
  }
});
