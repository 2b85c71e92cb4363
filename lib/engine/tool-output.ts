// What an entry returns, turned into the host-facing invocation result: `content` (a string),
// then optional `overflow_mode`, `template_hint` and `host_result`, with upstream's messages
// (engine/host_result.rs parse_tool_call_output) and field spelling (PascalCase overflow modes).
import { parseHostResult, type HostResult, type HostResultCapability } from './host-result.js';

/** Upstream's NON_STRING_TOOL_RESULT_ERROR. */
export const NON_STRING_TOOL_RESULT_ERROR =
  'Tool results must be returned as plain strings. Structured JSON or table results are not supported.';

/** How the host should treat content that is too long. */
export type OverflowMode = 'Truncate' | 'Page';

/** The result of one entry call (upstream `RuntimeInvocationResult`). */
export interface InvocationResult {
  content: string;
  overflow_mode: OverflowMode | null;
  template_hint: string | null;
  content_bytes: number;
  content_lines: number;
  host_result: HostResult | null;
}

/** One value an entry returned, with its Lua type name (mlua's: `integer`, `number`, `table` …). */
export interface ReturnedValue {
  luaType: string;
  /** The converted value; `undefined` for Lua values that do not cross (functions, userdata). */
  value: unknown;
}

/** Bytes and lines of content after CRLF/CR → LF ("" → 0 lines, "a\n" → 2). */
export function contentMetrics(content: string): { bytes: number; lines: number } {
  const normalized = content.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
  return {
    bytes: Buffer.byteLength(normalized),
    lines: normalized === '' ? 0 : normalized.split('\n').length,
  };
}

/** Builds the invocation result; throws an Error with upstream's text when the contract is broken. */
export function parseToolOutput(
  skill: string,
  returned: ReturnedValue[],
  capability: HostResultCapability,
): InvocationResult {
  if (returned.length === 0) throw new Error(`Lua skill '${skill}' must return a plain string result`);
  if (returned.length > 4) {
    throw new Error(`Lua skill '${skill}' must return content[, overflow_mode[, template_hint[, host_result]]]`);
  }
  const [first, mode, hint, host] = returned;
  if (first === undefined || first.luaType !== 'string') {
    throw new Error(`${NON_STRING_TOOL_RESULT_ERROR} (skill='${skill}', actual_type='${first?.luaType ?? 'nil'}')`);
  }
  if (typeof first.value !== 'string') {
    throw new Error(`Lua skill '${skill}' returned an invalid UTF-8 string: invalid utf-8 sequence`);
  }
  const content = first.value;
  let overflowMode: OverflowMode | null = null;
  if (mode !== undefined && mode.luaType !== 'nil') {
    if (mode.luaType !== 'string') throw new Error(`Lua skill '${skill}' must return overflow mode as a string constant`);
    const text = typeof mode.value === 'string' ? mode.value : '';
    const parsed = text.trim();
    if (parsed === 'truncate') overflowMode = 'Truncate';
    else if (parsed === 'page') overflowMode = 'Page';
    else throw new Error(`Lua skill '${skill}' returned an unsupported overflow mode: ${text}`);
  }
  let templateHint: string | null = null;
  if (hint !== undefined && hint.luaType !== 'nil') {
    if (hint.luaType !== 'string') throw new Error(`Lua skill '${skill}' must return template_hint as a string`);
    const trimmed = typeof hint.value === 'string' ? hint.value.trim() : '';
    templateHint = trimmed === '' ? null : trimmed;
  }
  const hostResult = host === undefined ? null : parseHostResult(skill, host.value, host.luaType, capability);
  const metrics = contentMetrics(content);
  return {
    content,
    overflow_mode: overflowMode,
    template_hint: templateHint,
    content_bytes: metrics.bytes,
    content_lines: metrics.lines,
    host_result: hostResult,
  };
}
