import type { LeaseInvocationContext } from './lease-vm.js';
import type { RuntimeLeaseEvalRequest, RuntimeRequestContext } from './schemas.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// Copies the fields that are set; null counts as not set (the seed serialises its Option
// fields only when present), unknown fields are dropped as serde drops them.
function pick<T extends object>(source: T, keys: readonly (keyof T & string)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = source[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

/**
 * The `vulcan.context` values of one eval: the request context as given (only the fields that
 * were set, plus `client_capabilities`, default `{}`), and `client_budget` / `tool_config`
 * (`{}` unless an object was given).
 */
export function invocationContext(request: RuntimeLeaseEvalRequest): LeaseInvocationContext {
  const rc: RuntimeRequestContext = request.request_context ?? {};
  const requestTable = pick(rc, ['request_id', 'client_name', 'transport_name', 'session_id']);
  let clientInfo: Record<string, unknown> | undefined;
  if (rc.client_info) {
    clientInfo = pick(rc.client_info, ['kind', 'name', 'version']);
    requestTable['client_info'] = clientInfo;
  }
  const capabilities: Record<string, unknown> = {};
  const hostResult = rc.client_capabilities?.host_result ?? null;
  if (hostResult !== null) capabilities['host_result'] = pick(hostResult, ['enabled', 'allowed_kinds', 'max_payload_bytes']);
  requestTable['client_capabilities'] = capabilities;
  const context: LeaseInvocationContext = {
    request: requestTable,
    client_capabilities: capabilities,
    client_budget: isObject(request.client_budget) ? request.client_budget : {},
    tool_config: isObject(request.tool_config) ? request.tool_config : {},
    host_result: {
      enabled: hostResult?.enabled ?? false,
      allowed_kinds: hostResult?.allowed_kinds ?? [],
      ...(typeof hostResult?.max_payload_bytes === 'number' ? { max_payload_bytes: hostResult.max_payload_bytes } : {}),
    },
  };
  if (clientInfo !== undefined) context.client_info = clientInfo;
  return context;
}
