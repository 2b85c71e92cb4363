// vulcan.runtime.skills.*: the delegated skill-management bridge (upstream bridge.rs). Off by
// default; when the host enables it, install/update/uninstall/enable/disable requests from Lua go
// to the engine's management handler with authority `delegated_tool`, after payloads aimed at
// the system-controlled ROOT layer are refused.

/** The five management actions Lua may request. */
export type SkillManagementAction = 'install' | 'update' | 'uninstall' | 'enable' | 'disable';
export const SKILL_MANAGEMENT_ACTIONS: readonly SkillManagementAction[] = ['install', 'update', 'uninstall', 'enable', 'disable'];

/** What the handler receives (upstream `RuntimeSkillManagementRequest`). */
export interface SkillManagementRequest {
  action: SkillManagementAction;
  authority: 'delegated_tool';
  input: unknown;
}

/** Performs a management request for Lua; its (JSON-able) result goes back to Lua. Sync or async. */
export type SkillManagementHandler = (request: SkillManagementRequest) => unknown;

const isRootLabel = (v: unknown): boolean => typeof v === 'string' && v.trim().toUpperCase() === 'ROOT';
const normalizeKey = (k: string): string => k.replace(/[_-]/g, '').toLowerCase();
const IDENTITY_KEYS = new Set(['name', 'label', 'rootname', 'layer', 'targetlayer']);
const LAYER_KEYS = new Set(['layer', 'targetlayer', 'root', 'rootname', 'targetroot', 'targetrootname']);

// A value under a layer key names ROOT: the string itself, or an object whose identity keys do.
function valueTargetsRoot(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(valueTargetsRoot);
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).some(([k, inner]) => (IDENTITY_KEYS.has(normalizeKey(k)) && isRootLabel(inner)) || valueTargetsRoot(inner));
  }
  return isRootLabel(v);
}

/** True when any layer-like key anywhere in the payload targets ROOT (upstream's rule). */
export function payloadTargetsRoot(payload: unknown): boolean {
  if (Array.isArray(payload)) return payload.some(payloadTargetsRoot);
  if (typeof payload === 'object' && payload !== null) {
    return Object.entries(payload).some(([k, v]) => (LAYER_KEYS.has(normalizeKey(k)) && valueTargetsRoot(v)) || payloadTargetsRoot(v));
  }
  return false;
}

export function managementStatus(enabled: boolean, registered: boolean): Record<string, unknown> {
  const message = !enabled
    ? 'Skill management bridge is disabled by host policy'
    : registered
      ? 'Skill management bridge is enabled and ready'
      : 'Skill management bridge is enabled but no host callback is registered';
  return { enabled, callback_registered: registered, mode: 'host_callback', message };
}

/** `skills.layers()`: the PROJECT / USER layers of the loaded root chain (ROOT is never listed). */
export function managementLayers(rootNames: readonly string[], enabled: boolean): Record<string, unknown> {
  const has = (label: string): boolean => rootNames.some((n) => n.trim().toUpperCase() === label);
  const labels = ['PROJECT', 'USER'].filter(has);
  const out: Record<string, unknown> = {};
  if (labels.includes('USER')) out.default = 'USER';
  else if (labels.includes('PROJECT')) out.default = 'PROJECT';
  out.writable = enabled && labels.length > 0;
  out.labels = labels;
  out.layers = labels.map((label) => ({
    label,
    writable: enabled,
    description: label === 'PROJECT' ? 'Project skill layer' : 'User skill layer',
  }));
  return out;
}

/** Runs one management request from Lua; throws the Lua-facing error message. */
export async function runManagement(
  action: SkillManagementAction,
  payloadJson: string,
  enabled: boolean,
  handler: SkillManagementHandler | null,
): Promise<unknown> {
  const fn = `vulcan.runtime.skills.${action}`;
  if (!enabled) throw new Error(`${fn} is disabled by host policy`);
  const input: unknown = JSON.parse(payloadJson);
  if (payloadTargetsRoot(input)) throw new Error(`${fn} cannot target the system-controlled ROOT layer`);
  if (!handler) throw new Error(`${fn}: Runtime skill management bridge is enabled but no host callback is registered`);
  try {
    const result = await handler({ action, authority: 'delegated_tool', input });
    return result === undefined ? null : result;
  } catch (err) {
    throw new Error(`${fn}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
