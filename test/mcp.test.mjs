// The MCP server against the SDK's own client: the fixture launcher (runMcp over stdio) in a
// child process for tools, results, errors, progress, cancellation, list_changed, help
// resources and help prompts; the standalone launcher (dist/mcp/bin.js) over Streamable HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

import { LuaSkillsEngine } from '../dist/index.js';
import {
  serveHttp,
  splitUtf8,
  toCallToolResult,
  toErrorResult,
  helpUri,
  parseHelpUri,
  helpPromptName,
  parseHelpPromptName,
} from '../dist/mcp/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const skillsFixture = path.join(here, 'fixtures', 'mcp-skills');
const serverFixture = path.join(here, 'fixtures', 'mcp-server.mjs');
const binScript = path.join(here, '..', 'dist', 'mcp', 'bin.js');
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-mcp-'));
after(() => rmSync(work, { recursive: true, force: true }));

function runtimeRoot() {
  const root = mkdtempSync(path.join(work, 'rt-'));
  cpSync(skillsFixture, path.join(root, 'user_skills'), { recursive: true });
  return root;
}

function waitFor(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('stdio server (fixture launcher in a child process)', () => {
  let root;
  let transport;
  let client;
  let stderr = '';

  before(async () => {
    root = runtimeRoot();
    transport = new StdioClientTransport({ command: process.execPath, args: [serverFixture, root], stderr: 'pipe' });
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    client = new Client({ name: 'mcp-test', version: '1.2.3' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
  });

  test('the launcher creates the standard runtime layout', () => {
    for (const dir of ['root_skills', 'project_skills', 'user_skills']) assert.ok(existsSync(path.join(root, dir)), dir);
    assert.equal(client.getServerVersion().name, 'luaskills');
    assert.deepEqual(client.getServerCapabilities().tools, { listChanged: true });
    assert.deepEqual(client.getServerCapabilities().resources, { listChanged: true });
    assert.deepEqual(client.getServerCapabilities().prompts, { listChanged: true });
    assert.deepEqual(client.getServerCapabilities().completions, {});
  });

  test('tools/list: canonical names, descriptions, input schemas as they are', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['mcp-demo-big', 'mcp-demo-echo', 'mcp-demo-fail', 'mcp-demo-note', 'mcp-demo-slow']);
    const echo = tools.find((t) => t.name === 'mcp-demo-echo');
    assert.equal(echo.description, 'Echo the text back with the request context.');
    const schemaFile = path.join(skillsFixture, 'mcp-demo', 'schemas', 'echo.json');
    assert.deepEqual(echo.inputSchema, JSON.parse(readFileSync(schemaFile, 'utf8')));
    assert.deepEqual(echo._meta['luaskills/entry'], { skill_id: 'mcp-demo', local_name: 'echo', root_name: 'USER' });
    const fail = tools.find((t) => t.name === 'mcp-demo-fail');
    assert.equal(fail.inputSchema.type, 'object');
  });

  test('tools/call: the content as text, metrics and template hint in _meta, the request context', async () => {
    const result = await client.callTool({ name: 'mcp-demo-echo', arguments: { text: 'hi' } });
    assert.equal(result.isError, undefined);
    assert.deepEqual(result.content, [{ type: 'text', text: 'echo: hi via stdio from mcp-test' }]);
    assert.deepEqual(result._meta['luaskills/result'], {
      overflow_mode: null,
      template_hint: 'plain-text',
      content_bytes: 32,
      content_lines: 1,
      truncated: false,
      pages: 1,
    });
  });

  test('a Lua error is an isError result with the code, not a protocol error', async () => {
    const result = await client.callTool({ name: 'mcp-demo-fail', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(result.content[0].text, /^\[skill_error\] Lua skill 'mcp-demo-fail' error: .*boom from lua/);
    assert.deepEqual(result._meta['luaskills/error'], { code: 'skill_error' });
    const unknown = await client.callTool({ name: 'mcp-demo-nope', arguments: {} });
    assert.equal(unknown.isError, true);
    assert.match(unknown.content[0].text, /^\[skill_not_found\] Unknown tool 'mcp-demo-nope'/);
  });

  test('host_result becomes structuredContent and a second text item', async () => {
    const result = await client.callTool({ name: 'mcp-demo-note', arguments: { text: 'n' } });
    assert.deepEqual(result.structuredContent, { kind: 'note', payload: { text: 'n', n: 3 } });
    assert.equal(result.content[0].text, 'noted');
    assert.deepEqual(JSON.parse(result.content[1].text), result.structuredContent);
  });

  test('overflow past maxContentBytes: page splits into text items, truncate cuts with a notice', async () => {
    const paged = await client.callTool({ name: 'mcp-demo-big', arguments: { size: 2100, mode: 'page' } });
    assert.deepEqual(paged.content.map((c) => c.text.length), [1000, 1000, 100]);
    assert.equal(paged._meta['luaskills/result'].pages, 3);
    assert.equal(paged._meta['luaskills/result'].overflow_mode, 'Page');
    const cut = await client.callTool({ name: 'mcp-demo-big', arguments: { size: 2100, mode: 'truncate' } });
    assert.equal(cut.content.length, 1);
    assert.match(cut.content[0].text, /^x{1000}\n\[luaskills: content truncated, 1000 of 2100 bytes shown\]$/);
    assert.equal(cut._meta['luaskills/result'].truncated, true);
    const small = await client.callTool({ name: 'mcp-demo-big', arguments: { size: 10, mode: 'page' } });
    assert.deepEqual(small.content, [{ type: 'text', text: 'x'.repeat(10) }]);
  });

  test('progress notifications while a slow call runs', async () => {
    const seen = [];
    const result = await client.callTool({ name: 'mcp-demo-slow', arguments: { ms: 700 } }, undefined, {
      onprogress: (p) => seen.push(p),
    });
    assert.equal(result.content[0].text, 'slept 700');
    assert.ok(seen.length >= 2, `progress notifications: ${seen.length}`);
    seen.forEach((p, i) => {
      assert.equal(p.progress, i + 1);
      assert.match(p.message, /^mcp-demo-slow: running for \d+\.\d s$/);
    });
  });

  test('cancellation stops the Lua call: the only VM serves the next call, the marker is never written', async () => {
    const marker = path.join(work, 'slow-marker.txt');
    const controller = new AbortController();
    let started;
    const running = new Promise((resolve) => {
      started = resolve;
    });
    const t0 = Date.now();
    const call = client.callTool({ name: 'mcp-demo-slow', arguments: { ms: 2000, marker } }, undefined, {
      signal: controller.signal,
      onprogress: () => started(),
    });
    await waitFor(running, 10_000, 'the first progress notification');
    controller.abort('test cancels');
    await assert.rejects(call);
    // One VM in the fixture: this call can only run once the slow one let go of it.
    const echo = await client.callTool({ name: 'mcp-demo-echo', arguments: { text: 'after' } });
    assert.equal(echo.content[0].text, 'echo: after via stdio from mcp-test');
    // Had the loop gone on, it would have written the marker 2 s (CPU time) after it started.
    await sleep(Math.max(0, 3000 - (Date.now() - t0)));
    assert.equal(existsSync(marker), false);
  });

  test('help trees as resources: list, templates, read .md and .lua flows, unknown URIs', async () => {
    const { resources } = await client.listResources();
    assert.deepEqual(resources.map((r) => r.uri), [
      'luaskills://help/mcp-demo/main',
      'luaskills://help/mcp-demo/usage',
      'luaskills://help/mcp-demo/broken',
    ]);
    assert.equal(resources[0].mimeType, 'text/markdown');
    assert.equal(resources[0].description, 'What the MCP demo skill does.');
    assert.deepEqual(resources[1]._meta['luaskills/help'].related_entries, ['mcp-demo-echo']);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.equal(resourceTemplates[0].uriTemplate, 'luaskills://help/{skill_id}/{flow}');
    const main = await client.readResource({ uri: 'luaskills://help/mcp-demo/main' });
    assert.match(main.contents[0].text, /^# MCP Demo/);
    const usage = await client.readResource({ uri: 'luaskills://help/mcp-demo/usage' });
    assert.match(usage.contents[0].text, /^usage of mcp-demo \(request \d+\)$/);
    await assert.rejects(client.readResource({ uri: 'luaskills://help/mcp-demo/nope' }), (err) => err.code === -32002);
    await assert.rejects(
      client.readResource({ uri: 'luaskills://help/mcp-demo/broken' }),
      (err) => err.code === -32603 && /help exploded/.test(err.message),
    );
    await assert.rejects(client.readResource({ uri: 'luaskills://help/nobody/main' }), (err) => err.code === -32002);
    await assert.rejects(client.readResource({ uri: 'file:///etc/passwd' }), (err) => err.code === -32002);
  });

  test('help trees as prompts: one <skill_id>-help prompt per skill with an optional flow', async () => {
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts, [
      {
        name: 'mcp-demo-help',
        title: 'MCP Demo: help',
        description: 'What the MCP demo skill does.',
        arguments: [{ name: 'flow', description: 'The help flow: main, usage, broken (default main).', required: false }],
        _meta: { 'luaskills/help': { skill_id: 'mcp-demo', flows: ['main', 'usage', 'broken'] } },
      },
    ]);
    const main = await client.getPrompt({ name: 'mcp-demo-help' });
    assert.deepEqual(main, {
      description: 'What the MCP demo skill does.',
      messages: [{ role: 'user', content: { type: 'text', text: readFileSync(path.join(skillsFixture, 'mcp-demo', 'help', 'main.md'), 'utf8') } }],
      _meta: { 'luaskills/help': { skill_id: 'mcp-demo', flow_name: 'main' } },
    });
    const usage = await client.getPrompt({ name: 'mcp-demo-help', arguments: { flow: 'usage' } });
    assert.equal(usage.description, 'Rendered by Lua.');
    assert.equal(usage.messages.length, 1);
    assert.equal(usage.messages[0].role, 'user');
    assert.match(usage.messages[0].content.text, /^usage of mcp-demo \(request \d+\)$/);
    assert.deepEqual(usage._meta['luaskills/help'], { skill_id: 'mcp-demo', flow_name: 'usage' });
    // An empty flow is the main flow, as an absent one.
    const empty = await client.getPrompt({ name: 'mcp-demo-help', arguments: { flow: '' } });
    assert.equal(empty._meta['luaskills/help'].flow_name, 'main');
  });

  test('prompts/get errors: unknown prompt or flow is -32602, a failing Lua help -32603', async () => {
    const invalid = (pattern) => (err) => err.code === -32602 && pattern.test(err.message);
    await assert.rejects(client.getPrompt({ name: 'nobody-help' }), invalid(/Unknown prompt: nobody-help/));
    await assert.rejects(client.getPrompt({ name: 'mcp-demo' }), invalid(/Unknown prompt: mcp-demo$/));
    await assert.rejects(client.getPrompt({ name: '-help' }), invalid(/Unknown prompt: -help/));
    await assert.rejects(
      client.getPrompt({ name: 'mcp-demo-help', arguments: { flow: 'nope' } }),
      invalid(/Skill 'mcp-demo' does not declare help flow 'nope'/),
    );
    await assert.rejects(
      client.getPrompt({ name: 'mcp-demo-help', arguments: { flow: 'broken' } }),
      (err) => err.code === -32603 && /help exploded/.test(err.message),
    );
  });

  test('completion/complete offers the flows of a help prompt', async () => {
    const complete = (name, value, argName = 'flow') =>
      client.complete({ ref: { type: 'ref/prompt', name }, argument: { name: argName, value } });
    assert.deepEqual((await complete('mcp-demo-help', '')).completion, { values: ['main', 'usage', 'broken'], total: 3, hasMore: false });
    assert.deepEqual((await complete('mcp-demo-help', 'u')).completion.values, ['usage']);
    assert.deepEqual((await complete('nobody-help', '')).completion.values, []);
    assert.deepEqual((await complete('mcp-demo-help', '', 'other')).completion.values, []);
  });

  test('a reload that adds a skill sends tools/list_changed, resources/list_changed and prompts/list_changed', async () => {
    const toolsChanged = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, resolve));
    const resourcesChanged = new Promise((resolve) => client.setNotificationHandler(ResourceListChangedNotificationSchema, resolve));
    const promptsChanged = new Promise((resolve) => client.setNotificationHandler(PromptListChangedNotificationSchema, resolve));
    const dir = path.join(root, 'user_skills', 'mcp-extra');
    mkdirSync(path.join(dir, 'runtime'), { recursive: true });
    writeFileSync(
      path.join(dir, 'skill.yaml'),
      'name: Extra\nversion: 1.0.0\nentries:\n  - name: hello\n    description: Says hello.\n    lua_entry: runtime/hello.lua\n    lua_module: mcp_extra_hello\n',
    );
    writeFileSync(path.join(dir, 'runtime', 'hello.lua'), 'return function() return "hello" end\n');
    process.kill(transport.pid, 'SIGUSR1');
    await waitFor(toolsChanged, 15_000, 'notifications/tools/list_changed');
    await waitFor(resourcesChanged, 15_000, 'notifications/resources/list_changed');
    await waitFor(promptsChanged, 15_000, 'notifications/prompts/list_changed');
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name), ['mcp-demo-help', 'mcp-extra-help']);
    const { tools } = await client.listTools();
    const hello = tools.find((t) => t.name === 'mcp-extra-hello');
    assert.equal(hello.description, 'Says hello.');
    const result = await client.callTool({ name: 'mcp-extra-hello', arguments: {} });
    assert.equal(result.content[0].text, 'hello');
    assert.equal(stderr.includes('reload failed'), false, stderr);
  });
});

test('Streamable HTTP on 127.0.0.1: the standalone launcher, tools, calls, progress', async () => {
  const root = runtimeRoot();
  const child = spawn(process.execPath, [binScript, '--runtime-root', root, '--http', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    let text = '';
    const url = await waitFor(
      new Promise((resolve, reject) => {
        child.stderr.on('data', (chunk) => {
          text += chunk;
          const m = /listening on (\S+)/.exec(text);
          if (m) resolve(m[1]);
        });
        child.once('exit', () => reject(new Error(`launcher exited: ${text}`)));
      }),
      30_000,
      'the HTTP launcher',
    );
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    assert.ok(transport.sessionId);
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'mcp-demo-echo'));
    const result = await client.callTool({ name: 'mcp-demo-echo', arguments: { text: 'web' } });
    assert.equal(result.content[0].text, 'echo: web via streamable_http from http-test');
    const seen = [];
    const slow = await client.callTool({ name: 'mcp-demo-slow', arguments: { ms: 1300 } }, undefined, { onprogress: (p) => seen.push(p) });
    assert.equal(slow.content[0].text, 'slept 1300');
    assert.ok(seen.length >= 1, 'progress over HTTP');
    await transport.terminateSession();
    await client.close();
    // A request with a wrong Host header is refused (DNS rebinding protection).
    const port = new URL(url).port;
    const refused = await new Promise((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: 'evil.example:80', 'content-type': 'application/json', accept: 'application/json, text/event-stream' } },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }));
      }, reject);
    });
    assert.equal(refused, 403);
  } finally {
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0);
  }
});

test('serveHttp refuses hosts that are not loopback', async () => {
  const engine = new LuaSkillsEngine({});
  try {
    await assert.rejects(serveHttp(engine, { port: 0, host: '0.0.0.0' }), /host must be a loopback address/);
  } finally {
    await engine.close();
  }
});

test('result mapping helpers: UTF-8 pages, errors, help URIs', () => {
  assert.deepEqual(splitUtf8('aé€😀b', 4), ['aé', '€', '😀', 'b']);
  assert.deepEqual(splitUtf8('', 8), ['']);
  const mapped = toCallToolResult(
    { content: 'ééé', overflow_mode: 'Page', template_hint: null, content_bytes: 6, content_lines: 1, host_result: null },
    { maxContentBytes: 4 },
  );
  assert.deepEqual(mapped.content.map((c) => c.text), ['éé', 'é']);
  const error = toErrorResult(new TypeError('bad'));
  assert.equal(error.content[0].text, '[internal_error] bad');
  assert.equal(helpUri('a-b', 'x y'), 'luaskills://help/a-b/x%20y');
  assert.deepEqual(parseHelpUri('luaskills://help/a-b/x%20y'), { skillId: 'a-b', flow: 'x y' });
  assert.equal(parseHelpUri('luaskills://help/a/b/c'), null);
  assert.equal(helpPromptName('text-tools'), 'text-tools-help');
  assert.equal(parseHelpPromptName('text-tools-help'), 'text-tools');
  assert.equal(parseHelpPromptName('text-tools'), null);
  assert.equal(parseHelpPromptName('-help'), null);
});
