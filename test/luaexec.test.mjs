// luaexec: engine.luaExec / executeLuaExecJson and vulcan.runtime.lua.exec — upstream's exact
// Markdown, captured print, files and their directory as the logical cwd, timeouts, refusals,
// the luaexec environment (no log, no cache, no nested exec) and the re-entry guards.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { writeSkills } from './helpers/skill-tree.mjs';

const { root, skillsDir } = writeSkills({
  tool: {
    exec: 'return function(args) return vulcan.runtime.lua.exec(args) end',
    self: 'return function(args) return vulcan.runtime.lua.exec({ code = [[return vulcan.call("tool-self", {})]] }) end',
    other: 'return function(args) return "other:" .. tostring(args.n) end',
  },
});
after(() => rmSync(root, { recursive: true, force: true }));
const engine = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 2 } });
await engine.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
after(() => engine.close());

test('success: task, printed output, every returned value rendered as upstream', async () => {
  const md = await engine.luaExec({
    task: '  list things  ',
    code: 'print("a", 1, 2.0, nil, true) print(args.who) return 42, "text\\nlines", { b = { 1, 2.5 }, a = {}, c = vulcan.json.object() }, nil',
    args: { who: 'me' },
  });
  assert.equal(md, [
    '# Runtime Execution Result', '', '## Task', 'list things', '', '## Status', 'SUCCESS', '',
    '## Printed Output', '```text', 'a\t1\t2\tnil\ttrue', 'me', '```', '', '## Returned Values',
    '1. ', '```json', '42', '```', '',
    '2. ', '```text', 'text\nlines', '```', '',
    '3. ', '```json', '{\n  "a": [],\n  "b": [\n    1,\n    2.5\n  ],\n  "c": {}\n}', '```', '',
    '4. ', '```json', 'null', '```',
  ].join('\n'));
  // No return value: one JSON null; no print: no Printed Output section; blank task: the default.
  assert.equal(await engine.luaExec({ code: 'local x = 1' }), [
    '# Runtime Execution Result', '', '## Task', 'Execute Lua runtime code', '', '## Status', 'SUCCESS', '',
    '## Returned Values', '1. ', '```json', 'null', '```',
  ].join('\n'));
  // A function cannot be JSON: it is rendered inline as text.
  assert.match(await engine.luaExec({ code: 'return print' }), /1\. \n```text\nfunction: (builtin|0x[0-9a-f]+)\n```$/);
});

test('failures are Markdown too: Lua errors, syntax errors, timeouts keep what was printed', async () => {
  assert.equal(await engine.luaExec({ code: 'print("step 1")\nerror("boom")' }), [
    '# Runtime Execution Error', '', '## Task', 'Execute Lua runtime code', '', '## Status', 'FAILED', '',
    '## Error', '```text', 'luaexec:2: boom', '```', '', '## Printed Output', '```text', 'step 1', '```',
  ].join('\n'));
  assert.match(await engine.luaExec({ code: 'return +' }), /## Status\nFAILED\n\n## Error\n```text\nluaexec:1: unexpected symbol near '\+'\n```$/);
  const timedOut = await engine.luaExec({ code: 'print("spinning") while true do end', timeout_ms: 150 });
  assert.equal(timedOut, [
    '# Runtime Execution Error', '', '## Task', 'Execute Lua runtime code', '', '## Status', 'FAILED', '',
    '## Error', '```text', 'luaexec execution timed out after 150 ms', '```', '', '## Printed Output', '```text', 'spinning', '```',
  ].join('\n'));
  // The pool keeps working after a timeout.
  assert.match(await engine.luaExec({ code: 'return 7' }), /```json\n7\n```$/);
});

test('refusals before any Lua runs', async () => {
  const refused = (request, code, message) =>
    assert.rejects(engine.luaExec(request), (err) => err.code === code && err.message === message);
  await refused({ code: 'return 1', file: 'x.lua' }, 'invalid_request', 'luaexec accepts either code or file, but not both');
  await refused({ code: '   ' }, 'invalid_request', 'luaexec requires code or file');
  await refused({}, 'invalid_request', 'luaexec requires code or file');
  await refused({ code: 'return 1', timeout_ms: 0 }, 'invalid_request', 'luaexec timeout_ms must be greater than 0');
  await refused({ file: 'a\0b' }, 'invalid_request', 'luaexec: file must not contain NUL bytes');
  await assert.rejects(engine.luaExec({ file: path.join(root, 'missing.lua') }), (err) => err.code === 'file_unreadable' && err.message.startsWith(`Failed to read luaexec file ${path.join(root, 'missing.lua')}: `));
  await assert.rejects(engine.luaExec({ code: 5 }), /code/);
  await assert.rejects(engine.executeLuaExecJson('{nope'), (err) => err.code === 'invalid_request' && err.message.startsWith('Invalid luaexec request JSON: '));
  assert.match(await engine.executeLuaExecJson('{"code":"return args.n * 2","args":{"n":21}}'), /```json\n42\n```$/);
});

test('a file runs with its path as the file context and its directory as the logical cwd', async () => {
  const dir = path.join(root, 'scripts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'data.txt'), 'from the file directory');
  writeFileSync(path.join(dir, 'job.lua'), 'return vulcan.context.entry_file, vulcan.fs.read("data.txt"), vulcan.runtime.cwd()');
  const md = await engine.luaExec({ file: path.join(dir, 'job.lua') });
  assert.match(md, new RegExp(`1\\. \\n\`\`\`text\\n${path.join(dir, 'job.lua')}\\n\`\`\`\\n\\n2\\. \\n\`\`\`text\\nfrom the file directory\\n\`\`\`\\n\\n3\\. \\n\`\`\`text\\n${dir}\\n\`\`\`$`));
  assert.equal(process.cwd() === dir, false); // the process never moved
  // The next run does not inherit the logical cwd.
  assert.match(await engine.luaExec({ code: 'return vulcan.runtime.cwd()' }), new RegExp(`\`\`\`text\\n${process.cwd()}\\n\`\`\`$`));
});

test('the luaexec environment: synthetic request, markers, no log/cache/nested exec', async () => {
  const md = await engine.luaExec({
    code: `local r = vulcan.context.request
      return vulcan.json.encode({ r.transport_name, r.session_id, r.client_info, vulcan.runtime.internal.luaexec_active,
        vulcan.runtime.log == nil, vulcan.cache.put == nil, vulcan.runtime.lua == nil, vulcan.call("tool-other", { n = 3 }) })`,
  });
  assert.match(md, /```text\n\["luaexec_call","luaexec-call-internal",\{"kind":"runtime","name":"luaexec_call","version":"internal-runtime"\},true,true,true,true,"other:3"\]\n```$/);
  // run_lua runs on the skill pool, where vulcan.runtime.lua.exec exists (with no caller tool).
  assert.match(await engine.runLua('return vulcan.runtime.lua.exec({ code = "return vulcan.runtime.internal.luaexec_caller_tool_name" })'), /1\. \n```json\nnull\n```$/);
});

test('vulcan.runtime.lua.exec from a skill: the caller is guarded against re-entry', async () => {
  const out = await engine.callSkill('tool-exec', { code: 'return vulcan.runtime.internal.luaexec_caller_tool_name', task: 't' });
  assert.match(out.content, /## Task\nt\n[\s\S]*```text\ntool-exec\n```$/);
  const guarded = await engine.callSkill('tool-self');
  assert.match(guarded.content, /## Error\n```text\nvulcan\.call cannot call the current luaexec caller tool 'tool-self'\n```/);
  await assert.rejects(engine.callSkill('tool-exec', 'not a table'), /luaexec requires code or file/);
  const { root: r2, skillsDir: s2 } = writeSkills({ x: { bad: 'return function() return vulcan.runtime.lua.exec("code") end', badf: 'return function() return vulcan.runtime.lua.exec({ code = 1 }) end' } });
  const e2 = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 } });
  try {
    await e2.loadFromRoots([{ name: 'ROOT', skills_dir: s2 }]);
    await assert.rejects(e2.callSkill('x-bad'), /runtime\.lua\.exec: input must be a table, got string/);
    await assert.rejects(e2.callSkill('x-badf'), /luaexec input is invalid: .*code/);
  } finally {
    await e2.close();
    rmSync(r2, { recursive: true, force: true });
  }
});

test('the managed io of luaexec: io.write to the log, files relative to the script directory', async () => {
  const logs = [];
  const e = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, logSink: (r) => logs.push([r.label, r.message, r.source]) });
  const { root: r3, skillsDir: s3 } = writeSkills({});
  try {
    await e.loadFromRoots([{ name: 'ROOT', skills_dir: s3 }]);
    writeFileSync(path.join(r3, 'note.txt'), 'note body');
    writeFileSync(path.join(r3, 'io.lua'), 'io.write("hello ", 42) return io.open("note.txt"):read("a"), io.type(io.stdout)');
    assert.match(await e.luaExec({ file: path.join(r3, 'io.lua') }), /```text\nnote body\n```\n\n2\. \n```text\nnil\n```$/);
    assert.deepEqual(logs, [['stdout', 'hello 42', 'io']]);
  } finally {
    await e.close();
    rmSync(r3, { recursive: true, force: true });
  }
  const native = new LuaSkillsEngine({ pool: { minSize: 0, maxSize: 1 }, enableManagedIoCompat: false });
  try {
    await native.loadFromRoots([{ name: 'ROOT', skills_dir: skillsDir }]);
    assert.match(await native.luaExec({ code: 'return io.type(io.stdout)' }), /```text\nfile\n```$/);
  } finally {
    await native.close();
  }
});
