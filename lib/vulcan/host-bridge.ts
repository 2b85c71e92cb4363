// The host's side of vulcan.host and vulcan.models: handler types, and the normalisation of
// what handlers return into upstream's envelopes. Handlers belong to one engine (upstream keeps
// them process-wide); sync or async; they run on the JS thread while the Lua thread waits.

/** What `vulcan.host.*` asks (upstream `RuntimeHostToolRequest`). */
export interface HostToolRequest {
  action: 'list' | 'has' | 'call';
  tool_name: string | null;
  args: Record<string, unknown> | unknown[];
}

/** Who is calling a host tool or a model: the running entry and its request. */
export interface VulcanCaller {
  skill_id: string | null;
  entry_name: string | null;
  canonical_tool_name: string | null;
  root_name: string | null;
  skill_dir: string | null;
  client_name: string | null;
  request_id: string | null;
}

/**
 * Answers `vulcan.host.list/has/call`. `list` may return anything; `has` a boolean or an object
 * with a boolean `exists`/`has`/`available`; `call` an object (passed through) or any other
 * value (wrapped as `{ ok: true, value }`). A throw becomes a Lua error for list/has and a
 * `host_tool_callback_error` envelope for call.
 */
export type HostToolHandler = (request: HostToolRequest, caller: VulcanCaller) => unknown;

/** Token counts a model may report. */
export interface ModelUsage {
  input_tokens?: number;
  output_tokens?: number;
}

/** A model failure, as handlers may return it (`{ ok: false, error }`) or throw it (`error.code`). */
export interface ModelErrorBody {
  code: string;
  message: string;
  provider_message?: string;
  provider_code?: string;
  provider_status?: number;
}

export type EmbedHandler = (request: { text: string; caller: VulcanCaller }) =>
  | { vector: number[]; dimensions?: number; usage?: ModelUsage }
  | { ok: false; error: ModelErrorBody }
  | Promise<{ vector: number[]; dimensions?: number; usage?: ModelUsage } | { ok: false; error: ModelErrorBody }>;

export type LlmHandler = (request: { system: string; user: string; caller: VulcanCaller }) =>
  | { assistant: string; usage?: ModelUsage }
  | { ok: false; error: ModelErrorBody }
  | Promise<{ assistant: string; usage?: ModelUsage } | { ok: false; error: ModelErrorBody }>;

/** Upstream's stable model error codes; anything else from a host becomes `internal_error`. */
export const MODEL_ERROR_CODES = ['model_unavailable', 'invalid_argument', 'provider_error', 'timeout', 'budget_exceeded', 'internal_error'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function callerOf(raw: unknown): VulcanCaller {
  const o = isObject(raw) ? raw : {};
  const s = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
  return {
    skill_id: s('skill_id'),
    entry_name: s('entry_name'),
    canonical_tool_name: s('canonical_tool_name'),
    root_name: s('root_name'),
    skill_dir: s('skill_dir'),
    client_name: s('client_name'),
    request_id: s('request_id'),
  };
}

/** The outcome of a host-tool request as the Lua side reads it. */
export async function runHostTool(
  handler: HostToolHandler | null,
  request: HostToolRequest,
  caller: VulcanCaller,
): Promise<{ state: 'missing' } | { state: 'ok'; value: unknown } | { state: 'error'; message: string }> {
  if (!handler) return { state: 'missing' };
  try {
    const value = await handler(request, caller);
    return { state: 'ok', value: value === undefined ? null : value };
  } catch (err) {
    return { state: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

function modelError(code: string, message: string, extra: Partial<ModelErrorBody> = {}): { ok: false; error: ModelErrorBody } {
  const known = (MODEL_ERROR_CODES as readonly string[]).includes(code);
  const error: ModelErrorBody = { code: known ? code : 'internal_error', message };
  if (typeof extra.provider_message === 'string') error.provider_message = extra.provider_message;
  if (typeof extra.provider_code === 'string') error.provider_code = extra.provider_code;
  if (typeof extra.provider_status === 'number') error.provider_status = extra.provider_status;
  return { ok: false, error };
}

function usageOf(raw: unknown): ModelUsage | undefined {
  if (!isObject(raw)) return undefined;
  const usage: ModelUsage = {};
  if (Number.isInteger(raw.input_tokens)) usage.input_tokens = raw.input_tokens as number;
  if (Number.isInteger(raw.output_tokens)) usage.output_tokens = raw.output_tokens as number;
  return usage;
}

function failureOf(value: unknown): { ok: false; error: ModelErrorBody } | null {
  if (!isObject(value) || value.ok !== false) return null;
  const e = isObject(value.error) ? value.error : {};
  return modelError(typeof e.code === 'string' ? e.code : 'internal_error', typeof e.message === 'string' ? e.message : 'model call failed', e as Partial<ModelErrorBody>);
}

/** Runs one model request and returns upstream's success or failure envelope; never throws. */
export async function runModel(kind: 'embed' | 'llm', handler: EmbedHandler | LlmHandler | null, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!handler) return modelError('model_unavailable', `vulcan.models.${kind}: no ${kind === 'embed' ? 'embedding' : 'LLM'} model handler is registered`);
  let value: unknown;
  try {
    value = await (handler as (r: Record<string, unknown>) => unknown)(request);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return modelError(typeof e.code === 'string' ? e.code : 'provider_error', typeof e.message === 'string' ? e.message : String(err), err as Partial<ModelErrorBody>);
  }
  const failure = failureOf(value);
  if (failure) return failure;
  if (!isObject(value)) return modelError('internal_error', `vulcan.models.${kind}: the handler returned ${value === null ? 'null' : typeof value}, not an object`);
  const usage = usageOf(value.usage);
  if (kind === 'embed') {
    const vector = value.vector;
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return modelError('internal_error', 'vulcan.models.embed: the handler must return { vector: number[] }');
    }
    const out: Record<string, unknown> = { ok: true, vector, dimensions: Number.isInteger(value.dimensions) ? value.dimensions : vector.length };
    if (usage) out.usage = usage;
    return out;
  }
  if (typeof value.assistant !== 'string') return modelError('internal_error', 'vulcan.models.llm: the handler must return { assistant: string }');
  const out: Record<string, unknown> = { ok: true, assistant: value.assistant };
  if (usage) out.usage = usage;
  return out;
}
