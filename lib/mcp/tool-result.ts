// How one skill call becomes an MCP `tools/call` result (documented in docs/mcp.md):
//
// - `content` → the first text content item (split into pages or cut only when the server has a
//   `maxContentBytes` limit, following the entry's `overflow_mode`);
// - `overflow_mode`, `template_hint`, `content_bytes`, `content_lines` → `_meta["luaskills/result"]`;
// - `host_result` → `structuredContent` (`{kind, payload}`) and, for clients that ignore
//   structured content, a second text item with its JSON;
// - a failed call → `isError: true` with `[<code>] <message>` as text (a result, not a protocol
//   error), and the code in `_meta["luaskills/error"]`.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { CodedError } from '../coded-error.js';
import type { InvocationResult, OverflowMode } from '../engine/tool-output.js';

/** The `_meta` key that carries the call's result metrics. */
export const RESULT_META_KEY = 'luaskills/result';
/** The `_meta` key that carries a failed call's error code. */
export const ERROR_META_KEY = 'luaskills/error';

/** What `_meta["luaskills/result"]` holds. */
export interface McpResultMeta {
  overflow_mode: OverflowMode | null;
  template_hint: string | null;
  /** Of the whole content as the skill returned it (before any page split or cut). */
  content_bytes: number;
  content_lines: number;
  /** True when the server cut the content (`Truncate`, or no mode, past `maxContentBytes`). */
  truncated: boolean;
  /** How many text items the content was split into (`Page` past `maxContentBytes`); 1 otherwise. */
  pages: number;
}

/** Options of {@link toCallToolResult}. */
export interface ToolResultOptions {
  /**
   * Largest content in UTF-8 bytes sent as one text item. Past it, `Page` splits the content into
   * several text items of at most this size, `Truncate` (and no mode) cuts it with a closing
   * notice. Unset: content is always sent whole.
   */
  maxContentBytes?: number;
}

/** Splits `text` into chunks of at most `maxBytes` UTF-8 bytes, never inside a code point. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 4)) throw new RangeError('maxContentBytes must be at least 4');
  const chunks: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (currentBytes + size > maxBytes) {
      chunks.push(current);
      current = '';
      currentBytes = 0;
    }
    current += ch;
    currentBytes += size;
  }
  if (current !== '' || chunks.length === 0) chunks.push(current);
  return chunks;
}

/** The MCP result of a successful skill call. */
export function toCallToolResult(result: InvocationResult, options: ToolResultOptions = {}): CallToolResult {
  const limit = options.maxContentBytes;
  let texts = [result.content];
  let truncated = false;
  if (limit !== undefined && Buffer.byteLength(result.content) > limit) {
    if (result.overflow_mode === 'Page') {
      texts = splitUtf8(result.content, limit);
    } else {
      const first = splitUtf8(result.content, limit)[0] ?? '';
      const shown = Buffer.byteLength(first);
      texts = [`${first}\n[luaskills: content truncated, ${shown} of ${result.content_bytes} bytes shown]`];
      truncated = true;
    }
  }
  const meta: McpResultMeta = {
    overflow_mode: result.overflow_mode,
    template_hint: result.template_hint,
    content_bytes: result.content_bytes,
    content_lines: result.content_lines,
    truncated,
    pages: texts.length,
  };
  const mapped: CallToolResult = {
    content: texts.map((text) => ({ type: 'text' as const, text })),
    _meta: { [RESULT_META_KEY]: meta },
  };
  if (result.host_result !== null) {
    const structured = { kind: result.host_result.kind, payload: result.host_result.payload };
    mapped.structuredContent = structured;
    mapped.content.push({ type: 'text', text: JSON.stringify(structured) });
  }
  return mapped;
}

/** The error code of a failed call: the `code` of a coded error, else `internal_error`. */
export function errorCodeOf(err: unknown): string {
  if (err instanceof CodedError) return String(err.code);
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return 'internal_error';
}

/** The MCP result of a failed skill call: `isError: true`, `[<code>] <message>`. */
export function toErrorResult(err: unknown): CallToolResult {
  const code = errorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return {
    content: [{ type: 'text', text: `[${code}] ${message}` }],
    isError: true,
    _meta: { [ERROR_META_KEY]: { code } },
  };
}
