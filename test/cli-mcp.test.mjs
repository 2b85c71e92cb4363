// `luaskills mcp` through the real binary: the runtime root's skills are MCP tools and help
// prompts, and with --watch a skill folder copied into a root reaches the client as
// tools/list_changed and prompts/list_changed.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PromptListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const bin = fileURLToPath(new URL('../bin/luaskills.mjs', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'luaskills-cli-mcp-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pkg(dir, id, text) {
  mkdirSync(path.join(dir, id, 'runtime'), { recursive: true });
  mkdirSync(path.join(dir, id, 'help'), { recursive: true });
  writeFileSync(path.join(dir, id, 'runtime', 'hello.lua'), `return function(args) return ${JSON.stringify(text)} .. (args.name or "") end`);
  writeFileSync(path.join(dir, id, 'help', 'main.md'), `# ${id}\n\nCall ${id}-hello.\n`);
  writeFileSync(
    path.join(dir, id, 'skill.yaml'),
    `name: ${id}\nversion: 1.0.0\nhelp:\n  main:\n    description: how to greet\n    file: help/main.md\n` +
      `entries:\n  - name: hello\n    description: says ${text}\n    lua_entry: runtime/hello.lua\n    lua_module: ${id}_hello\n`,
  );
}

test('luaskills mcp --watch serves the skills and their help prompts, and announces new ones', async () => {
  mkdirSync(path.join(root, 'user_skills'), { recursive: true });
  pkg(path.join(root, 'user_skills'), 'greeter', 'hello ');
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, '--runtime-root', root, 'mcp', '--watch'], stderr: 'pipe' });
  const client = new Client({ name: 'cli-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((t) => [t.name, t.description]), [['greeter-hello', 'says hello']]);
    const result = await client.callTool({ name: 'greeter-hello', arguments: { name: 'Ada' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hello Ada' }]);
    const prompt = await client.getPrompt({ name: 'greeter-help' });
    assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: '# greeter\n\nCall greeter-hello.\n' } }]);
    const changed = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, resolve));
    const promptsChanged = new Promise((resolve) => client.setNotificationHandler(PromptListChangedNotificationSchema, resolve));
    const staging = mkdtempSync(path.join(root, 'staging-'));
    pkg(staging, 'farewell', 'bye ');
    cpSync(path.join(staging, 'farewell'), path.join(root, 'user_skills', 'farewell'), { recursive: true });
    await changed;
    await promptsChanged;
    assert.deepEqual((await client.listPrompts()).prompts.map((p) => p.name), ['farewell-help', 'greeter-help']);
    const farewell = await client.getPrompt({ name: 'farewell-help', arguments: { flow: 'main' } });
    assert.equal(farewell.messages[0].content.text, '# farewell\n\nCall farewell-hello.\n');
    const after = await client.listTools();
    assert.deepEqual(after.tools.map((t) => t.name).sort(), ['farewell-hello', 'greeter-hello']);
    assert.deepEqual((await client.callTool({ name: 'farewell-hello', arguments: {} })).content, [{ type: 'text', text: 'bye ' }]);
  } finally {
    await client.close();
  }
});
