// The entry return contract (content, overflow_mode, template_hint, host_result) and the
// change_set rules, with upstream's messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { contentMetrics, NON_STRING_TOOL_RESULT_ERROR, parseToolOutput } from '../dist/engine/tool-output.js';
import { hostResultView, normalizeChangeSet, resolveHostResultCapability } from '../dist/engine/host-result.js';

const off = resolveHostResultCapability(undefined);
const on = (extra = {}) => resolveHostResultCapability({ client_capabilities: { host_result: { enabled: true, ...extra } } });
const str = (value) => ({ luaType: 'string', value });
const nil = { luaType: 'nil', value: undefined };
const tbl = (value) => ({ luaType: 'table', value });

test('content metrics: bytes and lines after newline normalisation', () => {
  assert.deepEqual(contentMetrics(''), { bytes: 0, lines: 0 });
  assert.deepEqual(contentMetrics('a'), { bytes: 1, lines: 1 });
  assert.deepEqual(contentMetrics('a\n'), { bytes: 2, lines: 2 });
  assert.deepEqual(contentMetrics('a\r\nb\rc'), { bytes: 5, lines: 3 });
  assert.deepEqual(contentMetrics('é'), { bytes: 2, lines: 1 });
});

test('content must be one plain string; at most four values', () => {
  assert.deepEqual(parseToolOutput('demo-x', [str('hi')], off), {
    content: 'hi', overflow_mode: null, template_hint: null, content_bytes: 2, content_lines: 1, host_result: null,
  });
  assert.throws(() => parseToolOutput('demo-x', [], off), { message: "Lua skill 'demo-x' must return a plain string result" });
  assert.throws(() => parseToolOutput('demo-x', [str('a'), nil, nil, nil, nil], off), {
    message: "Lua skill 'demo-x' must return content[, overflow_mode[, template_hint[, host_result]]]",
  });
  assert.throws(() => parseToolOutput('demo-x', [tbl({ a: 1 })], off), {
    message: `${NON_STRING_TOOL_RESULT_ERROR} (skill='demo-x', actual_type='table')`,
  });
  assert.throws(() => parseToolOutput('demo-x', [{ luaType: 'integer', value: 1 }], off), /actual_type='integer'/);
  assert.throws(() => parseToolOutput('demo-x', [nil], off), /actual_type='nil'/);
});

test('overflow_mode and template_hint', () => {
  assert.equal(parseToolOutput('s', [str('x'), str(' truncate ')], off).overflow_mode, 'Truncate');
  assert.equal(parseToolOutput('s', [str('x'), str('page')], off).overflow_mode, 'Page');
  assert.equal(parseToolOutput('s', [str('x'), nil, str('  tpl  ')], off).template_hint, 'tpl');
  assert.equal(parseToolOutput('s', [str('x'), nil, str('   ')], off).template_hint, null);
  assert.throws(() => parseToolOutput('s', [str('x'), str('scroll')], off), { message: "Lua skill 's' returned an unsupported overflow mode: scroll" });
  assert.throws(() => parseToolOutput('s', [str('x'), { luaType: 'boolean', value: true }], off), {
    message: "Lua skill 's' must return overflow mode as a string constant",
  });
  assert.throws(() => parseToolOutput('s', [str('x'), nil, { luaType: 'integer', value: 3 }], off), {
    message: "Lua skill 's' must return template_hint as a string",
  });
});

test('host_result is ignored unless the host enables it', () => {
  assert.equal(parseToolOutput('s', [str('x'), nil, nil, { luaType: 'function', value: undefined }], off).host_result, null);
  const r = parseToolOutput('s', [str('x'), nil, nil, tbl({ kind: ' note ', payload: { a: 1 } })], on());
  assert.deepEqual(r.host_result, { kind: 'note', payload: { a: 1 } });
});

test('host_result checks: object, kind, allow-list, payload, size', () => {
  const run = (value, cap = on()) => parseToolOutput('s', [str('x'), nil, nil, tbl(value)], cap);
  assert.throws(() => parseToolOutput('s', [str('x'), nil, nil, str('no')], on()), { message: "Lua skill 's' must return host_result as an object with kind and payload" });
  assert.throws(() => run({ payload: 1 }), { message: "Lua skill 's' must return host_result.kind as one non-empty string" });
  assert.throws(() => run({ kind: 'x', payload: 1 }, on({ allowed_kinds: ['change_set'] })), {
    message: "Lua skill 's' returned host_result.kind 'x' which is not allowed by the host",
  });
  assert.throws(() => run({ kind: 'x' }), { message: "Lua skill 's' must return host_result.payload when host_result is enabled" });
  assert.throws(() => run({ kind: 'x', payload: 'x'.repeat(20) }, on({ max_payload_bytes: 10 })), {
    message: "Lua skill 's' returned host_result payload 22 bytes larger than host limit 10",
  });
});

test('capability parsing errors and the Lua view', () => {
  const ctx = (hr) => ({ client_capabilities: { host_result: hr } });
  assert.throws(() => resolveHostResultCapability(ctx(1)), { message: 'runtime request client_capabilities.host_result must be an object' });
  assert.throws(() => resolveHostResultCapability(ctx({ enabled: 'yes' })), { message: 'runtime request client_capabilities.host_result.enabled must be a boolean' });
  assert.throws(() => resolveHostResultCapability(ctx({ allowed_kinds: 'x' })), /allowed_kinds must be an array of non-empty strings/);
  assert.throws(() => resolveHostResultCapability(ctx({ allowed_kinds: ['a', ' '] })), { message: 'runtime request client_capabilities.host_result.allowed_kinds[1] must be one non-empty string' });
  assert.throws(() => resolveHostResultCapability(ctx({ max_payload_bytes: 0 })), /max_payload_bytes must be one positive integer/);
  assert.deepEqual(hostResultView(resolveHostResultCapability(ctx({ enabled: true, allowed_kinds: [' change_set '], max_payload_bytes: 99 }))), {
    enabled: true, allowed_kinds: ['change_set'], max_payload_bytes: 99,
  });
  assert.deepEqual(hostResultView(off), { enabled: false, allowed_kinds: [], max_payload_bytes: null });
});

test('change_set validation', () => {
  const run = (payload) => parseToolOutput('s', [str('x'), nil, nil, tbl({ kind: 'change_set', payload })], on());
  const file = (f) => ({ mode: 'preview', files: [f] });
  const hunk = { before: 'a', after: 'b', delete: [{ line: 1, content: 'a' }], insert: [{ line: 1, content: 'b' }] };
  assert.equal(run(file({ change: 'modify', path: '/a', hunks: [hunk] })).host_result.kind, 'change_set');
  const cases = [
    [5, "Lua skill 's' must return change_set payload as an object"],
    [{ files: [] }, "Lua skill 's' change_set.mode must be a string"],
    [{ mode: 'draft', files: [] }, "Lua skill 's' change_set.mode must be 'preview' or 'applied'"],
    [{ mode: 'applied', summary: 3, files: [] }, "Lua skill 's' change_set.summary must be a string when present"],
    [{ mode: 'applied' }, "Lua skill 's' change_set.files must be present as one array"],
    [{ mode: 'applied', files: {} }, "Lua skill 's' change_set.files must be an array"],
    [file(3), "Lua skill 's' change_set.files[0] must be an object"],
    [file({ change: 'move', path: '/a' }), "Lua skill 's' change_set.files[0].change is unsupported"],
    [file({ change: 'modify', path: 'rel', hunks: [hunk] }), "Lua skill 's' change_set.files[0].path must be absolute"],
    [file({ change: 'modify', path: '/a' }), "Lua skill 's' change_set.files[0].hunks must be present as one non-empty array for modify changes"],
    [file({ change: 'modify', path: '/a', hunks: [] }), "Lua skill 's' change_set.files[0].hunks must be a non-empty array for modify changes"],
    [file({ change: 'modify', path: '/a', hunks: [{ ...hunk, delete: [], insert: [] }] }), "Lua skill 's' change_set.files[0].hunks[0] must include at least one deleted or inserted line"],
    [file({ change: 'modify', path: '/a', hunks: [{ ...hunk, delete: [{ line: 2, content: 'x' }, { line: 2, content: 'y' }] }] }), "Lua skill 's' change_set.files[0].hunks[0].delete line numbers must be strictly increasing"],
    [file({ change: 'modify', path: '/a', hunks: [{ ...hunk, insert: [{ line: 0, content: 'x' }] }] }), "Lua skill 's' change_set.files[0].hunks[0].insert[0].line must be one positive integer"],
    [file({ change: 'create', path: '/a' }), "Lua skill 's' change_set.files[0].content must be a string"],
    [file({ change: 'delete', path: '/a', content_mode: 'some' }), "Lua skill 's' change_set.files[0].content_mode must be 'full' or 'truncated'"],
    [file({ change: 'delete', path: '/a', content_mode: 'truncated', content_head: 'a', content_tail: 'b' }), "Lua skill 's' change_set.files[0].total_line_count must be one non-negative integer"],
    [file({ change: 'rename', old_path: '/a', new_path: ' ' }), "Lua skill 's' change_set.files[0].new_path must be one non-empty string"],
    [{ mode: 'applied', files: [], diagnostics: [{ level: 'warn' }] }, "Lua skill 's' change_set.diagnostics[0].message must be a string"],
  ];
  for (const [payload, message] of cases) assert.throws(() => run(payload), { message }, message);
});

test('delete records are normalised: counted, and cut to 50 + 50 lines past 500', () => {
  const short = normalizeChangeSet({ mode: 'applied', files: [{ change: 'delete', path: '/a', content: 'a\r\nb\n', content_head: 'x' }] });
  assert.deepEqual(short.files[0], { change: 'delete', path: '/a', content: 'a\r\nb\n', total_line_count: 2, content_mode: 'full' });
  const body = Array.from({ length: 501 }, (_, i) => `l${i + 1}`).join('\n');
  const long = normalizeChangeSet({ mode: 'applied', files: [{ change: 'delete', path: '/a', content: body }] });
  const f = long.files[0];
  assert.equal(f.total_line_count, 501);
  assert.equal(f.content_mode, 'truncated');
  assert.equal(f.content, undefined);
  assert.equal(f.content_head.split('\n').length, 50);
  assert.equal(f.content_head.split('\n')[0], 'l1');
  assert.equal(f.content_tail.split('\n')[0], 'l452');
  assert.equal(f.content_tail.split('\n')[49], 'l501');
  const asked = normalizeChangeSet({ mode: 'applied', files: [{ change: 'delete', path: '/a', content: 'a\nb', content_mode: 'truncated' }] });
  assert.deepEqual(asked.files[0], { change: 'delete', path: '/a', total_line_count: 2, content_mode: 'truncated', content_head: 'a\nb', content_tail: '' });
});
