// The optional fourth return value of a skill entry: a structured result for hosts that opt in
// through `request_context.client_capabilities.host_result`. Gating, the kind allow-list, the
// size limit, and the `change_set` contract with its delete-record normalisation follow upstream
// (engine/host_result.rs) message for message.
import path from 'node:path';

/** What the host accepts for this request. */
export interface HostResultCapability {
  enabled: boolean;
  allowedKinds: string[];
  maxPayloadBytes: number | null;
}

/** A validated host result. */
export interface HostResult {
  kind: string;
  payload: unknown;
}

const DISABLED: HostResultCapability = { enabled: false, allowedKinds: [], maxPayloadBytes: null };
const DELETE_TRUNCATE_LINE_LIMIT = 500;
const DELETE_EDGE_LINES = 50;

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegativeInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Reads `client_capabilities.host_result` of a request context. Absent pieces disable the bridge;
 * malformed ones are an error (the call fails before the skill runs).
 */
export function resolveHostResultCapability(requestContext: unknown): HostResultCapability {
  if (!isObject(requestContext) || !isObject(requestContext.client_capabilities)) return DISABLED;
  const raw = requestContext.client_capabilities.host_result;
  if (raw === undefined) return DISABLED;
  const prefix = 'runtime request client_capabilities.host_result';
  if (!isObject(raw)) throw new Error(`${prefix} must be an object`);
  let enabled = false;
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled !== 'boolean') throw new Error(`${prefix}.enabled must be a boolean`);
    enabled = raw.enabled;
  }
  const allowedKinds: string[] = [];
  if (raw.allowed_kinds !== undefined) {
    if (!Array.isArray(raw.allowed_kinds)) {
      throw new Error(`${prefix}.allowed_kinds must be an array of non-empty strings`);
    }
    raw.allowed_kinds.forEach((item, index) => {
      const kind = typeof item === 'string' ? item.trim() : '';
      if (!kind) throw new Error(`${prefix}.allowed_kinds[${index}] must be one non-empty string`);
      allowedKinds.push(kind);
    });
  }
  let maxPayloadBytes: number | null = null;
  if (raw.max_payload_bytes !== undefined && raw.max_payload_bytes !== null) {
    if (!Number.isSafeInteger(raw.max_payload_bytes) || (raw.max_payload_bytes as number) <= 0) {
      throw new Error(`${prefix}.max_payload_bytes must be one positive integer`);
    }
    maxPayloadBytes = raw.max_payload_bytes as number;
  }
  return { enabled, allowedKinds, maxPayloadBytes };
}

/** The `vulcan.context.host_result` view a skill sees. */
export function hostResultView(capability: HostResultCapability): JsonObject {
  return {
    enabled: capability.enabled,
    allowed_kinds: [...capability.allowedKinds],
    max_payload_bytes: capability.maxPayloadBytes,
  };
}

/**
 * The fourth return value, checked against the capability. `undefined`/`null` or a disabled
 * bridge give `null` (the value is ignored). `luaType` names what Lua returned.
 */
export function parseHostResult(
  skill: string,
  value: unknown,
  luaType: string,
  capability: HostResultCapability,
): HostResult | null {
  if (luaType === 'nil' || !capability.enabled) return null;
  if (!isObject(value)) {
    throw new Error(`Lua skill '${skill}' must return host_result as an object with kind and payload`);
  }
  const kind = typeof value.kind === 'string' ? value.kind.trim() : '';
  if (!kind) throw new Error(`Lua skill '${skill}' must return host_result.kind as one non-empty string`);
  if (capability.allowedKinds.length > 0 && !capability.allowedKinds.includes(kind)) {
    throw new Error(`Lua skill '${skill}' returned host_result.kind '${kind}' which is not allowed by the host`);
  }
  if (!('payload' in value) || value.payload === undefined) {
    throw new Error(`Lua skill '${skill}' must return host_result.payload when host_result is enabled`);
  }
  const payload = kind === 'change_set' ? normalizeChangeSet(value.payload) : value.payload;
  const size = Buffer.byteLength(JSON.stringify(payload) ?? 'null');
  if (capability.maxPayloadBytes !== null && size > capability.maxPayloadBytes) {
    throw new Error(
      `Lua skill '${skill}' returned host_result payload ${size} bytes larger than host limit ${capability.maxPayloadBytes}`,
    );
  }
  if (kind === 'change_set') validateChangeSet(skill, payload);
  return { kind, payload };
}

function normalizeText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
}

// Rust's str::lines: no extra line for a trailing newline.
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Gives delete records one content contract: counted lines, long bodies cut to head and tail. */
export function normalizeChangeSet(payload: unknown): unknown {
  if (!isObject(payload) || !Array.isArray(payload.files)) return payload;
  for (const file of payload.files) {
    if (!isObject(file) || typeof file.change !== 'string' || file.change.trim() !== 'delete') continue;
    if (typeof file.content !== 'string') continue;
    const mode = typeof file.content_mode === 'string' ? file.content_mode.trim() : '';
    const lines = splitLines(normalizeText(file.content));
    file.total_line_count = lines.length;
    if (mode === 'truncated' || lines.length > DELETE_TRUNCATE_LINE_LIMIT) {
      const head = Math.min(lines.length, DELETE_EDGE_LINES);
      const tail = Math.min(DELETE_EDGE_LINES, lines.length - head);
      file.content_mode = 'truncated';
      file.content_head = lines.slice(0, head).join('\n');
      file.content_tail = tail === 0 ? '' : lines.slice(lines.length - tail).join('\n');
      delete file.content;
    } else {
      file.content_mode = 'full';
      delete file.content_head;
      delete file.content_tail;
    }
  }
  return payload;
}

/** Throws the first violation of the `change_set` contract. */
export function validateChangeSet(skill: string, payload: unknown): void {
  const fail = (what: string): never => {
    throw new Error(`Lua skill '${skill}' ${what}`);
  };
  if (!isObject(payload)) fail('must return change_set payload as an object');
  const cs = payload as JsonObject;
  if (typeof cs.mode !== 'string') fail('change_set.mode must be a string');
  if (cs.mode !== 'preview' && cs.mode !== 'applied') fail("change_set.mode must be 'preview' or 'applied'");
  if (cs.summary !== undefined && cs.summary !== null && typeof cs.summary !== 'string') {
    fail('change_set.summary must be a string when present');
  }
  if (cs.files === undefined) fail('change_set.files must be present as one array');
  if (!Array.isArray(cs.files)) fail('change_set.files must be an array');
  (cs.files as unknown[]).forEach((file, i) => validateChangeSetFile(fail, i, file));
  if (cs.diagnostics !== undefined) {
    if (!Array.isArray(cs.diagnostics)) fail('change_set.diagnostics must be an array when present');
    (cs.diagnostics as unknown[]).forEach((d, i) => {
      if (!isObject(d)) fail(`change_set.diagnostics[${i}] must be an object`);
      const diag = d as JsonObject;
      if (typeof diag.level !== 'string') fail(`change_set.diagnostics[${i}].level must be a string`);
      if (typeof diag.message !== 'string') fail(`change_set.diagnostics[${i}].message must be a string`);
    });
  }
}

type Fail = (what: string) => never;

function requireString(fail: Fail, field: string, value: unknown): void {
  if (typeof value !== 'string') fail(`${field} must be a string`);
}

function requireAbsolutePath(fail: Fail, i: number, file: JsonObject, field: string): void {
  const value = typeof file[field] === 'string' ? (file[field] as string).trim() : '';
  if (!value) fail(`change_set.files[${i}].${field} must be one non-empty string`);
  if (!path.isAbsolute(value)) fail(`change_set.files[${i}].${field} must be absolute`);
}

function optionalLineCount(fail: Fail, field: string, value: unknown): void {
  if (value !== undefined && value !== null && !isNonNegativeInteger(value)) {
    fail(`${field} must be one non-negative integer`);
  }
}

function validateChangeSetFile(fail: Fail, i: number, raw: unknown): void {
  if (!isObject(raw)) fail(`change_set.files[${i}] must be an object`);
  const file = raw as JsonObject;
  if (typeof file.change !== 'string') fail(`change_set.files[${i}].change must be a string`);
  if (file.patch !== undefined && file.patch !== null && typeof file.patch !== 'string') {
    fail(`change_set.files[${i}].patch must be a string when present`);
  }
  const at = `change_set.files[${i}]`;
  switch (file.change) {
    case 'modify': {
      requireAbsolutePath(fail, i, file, 'path');
      if (file.hunks === undefined) {
        fail(`${at}.hunks must be present as one non-empty array for modify changes`);
      }
      if (!Array.isArray(file.hunks) || file.hunks.length === 0) {
        fail(`${at}.hunks must be a non-empty array for modify changes`);
      }
      (file.hunks as unknown[]).forEach((hunk, h) => validateHunk(fail, `${at}.hunks[${h}]`, hunk));
      return;
    }
    case 'create':
      requireAbsolutePath(fail, i, file, 'path');
      requireString(fail, `${at}.content`, file.content);
      return;
    case 'delete': {
      requireAbsolutePath(fail, i, file, 'path');
      const mode = file.content_mode === undefined ? '' : typeof file.content_mode === 'string' ? file.content_mode.trim() : null;
      if (mode !== '' && mode !== 'full' && mode !== 'truncated') {
        fail(`${at}.content_mode must be 'full' or 'truncated'`);
      }
      if (mode !== 'truncated' || file.content !== undefined) {
        requireString(fail, `${at}.content`, file.content);
        optionalLineCount(fail, `${at}.total_line_count`, file.total_line_count);
      } else {
        if (!isNonNegativeInteger(file.total_line_count)) fail(`${at}.total_line_count must be one non-negative integer`);
        requireString(fail, `${at}.content_head`, file.content_head);
        requireString(fail, `${at}.content_tail`, file.content_tail);
      }
      return;
    }
    case 'rename':
      requireAbsolutePath(fail, i, file, 'old_path');
      requireAbsolutePath(fail, i, file, 'new_path');
      return;
    default:
      fail(`${at}.change is unsupported`);
  }
}

function validateHunk(fail: Fail, at: string, raw: unknown): void {
  if (!isObject(raw)) fail(`${at} must be an object`);
  const hunk = raw as JsonObject;
  requireString(fail, `${at}.before`, hunk.before);
  requireString(fail, `${at}.after`, hunk.after);
  const deleted = validateLineEntries(fail, at, 'delete', hunk.delete);
  const inserted = validateLineEntries(fail, at, 'insert', hunk.insert);
  if (deleted === 0 && inserted === 0) fail(`${at} must include at least one deleted or inserted line`);
}

function validateLineEntries(fail: Fail, at: string, name: string, value: unknown): number {
  if (!Array.isArray(value)) fail(`${at}.${name} must be an array`);
  const entries = value as unknown[];
  let previous = 0;
  entries.forEach((raw, e) => {
    if (!isObject(raw)) fail(`${at}.${name}[${e}] must be an object`);
    const line = (raw as JsonObject).line;
    if (!Number.isSafeInteger(line) || (line as number) <= 0) fail(`${at}.${name}[${e}].line must be one positive integer`);
    if (e > 0 && (line as number) <= previous) fail(`${at}.${name} line numbers must be strictly increasing`);
    previous = line as number;
    requireString(fail, `${at}.${name}[${e}].content`, (raw as JsonObject).content);
  });
  return entries.length;
}
