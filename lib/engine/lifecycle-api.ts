// The engine's lifecycle surface: typed install / update / uninstall / enable / disable and
// upstream's JSON surfaces (`install_skill_json` … and their `system_*` variants), string in,
// `{ok,result}` / `{ok:false,error}` out. The work is in lib/lifecycle/.
import type { RuntimeSkillRoot } from '../skills/roots.js';
import { validateSkillRootChain } from '../skills/roots.js';
import { installSkill, updateSkill, type SkillApplyResult } from '../lifecycle/apply-ops.js';
import type { LifecycleHost, LifecycleOptions } from '../lifecycle/context.js';
import { LifecycleError } from '../lifecycle/errors.js';
import type { ManagementAuthority, OperationPlane } from '../lifecycle/policy.js';
import type { SkillInstallRequest } from '../lifecycle/source-prep.js';
import { setSkillEnabled, uninstallSkill, type SkillStateResult, type SkillUninstallResult, type UninstallOptions } from '../lifecycle/state-ops.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function envelope(work: () => Promise<unknown>): Promise<string> {
  return work().then(
    (result) => JSON.stringify({ ok: true, result }),
    (err: unknown) => JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}

function parseRequest(fn: string, json: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new LifecycleError('invalid_request', `${fn} received invalid JSON input: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new LifecycleError('invalid_request', `${fn} expects a JSON object`);
  return parsed;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

// `target_root` may be a label or a `{name, skills_dir}` root.
function targetOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.name === 'string') return v.name;
  return undefined;
}

/** Lifecycle operations of one engine; reached as `engine.lifecycle`. */
export class SkillLifecycle {
  readonly #host: LifecycleHost;
  readonly #useRoots: (roots: RuntimeSkillRoot[]) => void;

  constructor(host: LifecycleHost, useRoots: (roots: RuntimeSkillRoot[]) => void) {
    this.#host = host;
    this.#useRoots = useRoots;
  }

  install(request: SkillInstallRequest, options: LifecycleOptions = {}): Promise<SkillApplyResult> {
    return installSkill(this.#host, request, options);
  }

  update(request: SkillInstallRequest, options: LifecycleOptions = {}): Promise<SkillApplyResult> {
    return updateSkill(this.#host, request, options);
  }

  uninstall(skillId: string, options: UninstallOptions = {}): Promise<SkillUninstallResult> {
    return uninstallSkill(this.#host, skillId, options);
  }

  enable(skillId: string, options: LifecycleOptions = {}): Promise<SkillStateResult> {
    return setSkillEnabled(this.#host, skillId, true, undefined, options);
  }

  disable(skillId: string, reason?: string, options: LifecycleOptions = {}): Promise<SkillStateResult> {
    return setSkillEnabled(this.#host, skillId, false, reason, options);
  }

  // The request fields every JSON surface shares: optional `skill_roots` (the chain to operate
  // on, which becomes the engine's), `target_root`, and `authority` on the system plane.
  #common(fn: string, o: Json, plane: OperationPlane): LifecycleOptions {
    if (o.skill_roots !== undefined) {
      const roots = o.skill_roots as RuntimeSkillRoot[];
      validateSkillRootChain(roots);
      this.#useRoots(roots);
    }
    const options: LifecycleOptions = { plane };
    const target = targetOf(o.target_root);
    if (target !== undefined) options.targetRoot = target;
    if (plane === 'system') {
      const authority = o.authority;
      if (authority !== 'system' && authority !== 'delegated_tool') {
        throw new LifecycleError('invalid_request', `${fn} requires host-injected authority: use 'system' or 'delegated_tool'`);
      }
      options.authority = authority as ManagementAuthority;
    } else {
      options.authority = 'delegated_tool';
    }
    return options;
  }

  #skillId(o: Json): string {
    const id = str(o.skill_id);
    if (id === undefined) throw new LifecycleError('invalid_request', 'skill_id is required');
    return id;
  }

  #apply(fn: string, json: string, plane: OperationPlane, op: 'install' | 'update'): Promise<string> {
    return envelope(async () => {
      const o = parseRequest(fn, json);
      const options = this.#common(fn, o, plane);
      if (!isObject(o.request)) throw new LifecycleError('invalid_request', `${fn} requires a request object`);
      const r = o.request;
      const request: SkillInstallRequest = {};
      if (str(r.skill_id) !== undefined) request.skill_id = str(r.skill_id) as string;
      if (str(r.source) !== undefined) request.source = str(r.source) as string;
      if (str(r.source_type) !== undefined) request.source_type = str(r.source_type) as SkillInstallRequest['source_type'];
      return op === 'install' ? this.install(request, options) : this.update(request, options);
    });
  }

  /** `install_skill_json`: `{skill_roots?, request: {skill_id?, source?, source_type}, target_root?}` → SkillApplyResult. */
  installSkillJson(json: string): Promise<string> {
    return this.#apply('install_skill_json', json, 'skills', 'install');
  }
  /** `system_install_skill_json`: the same with `authority`, on the system plane. */
  systemInstallSkillJson(json: string): Promise<string> {
    return this.#apply('system_install_skill_json', json, 'system', 'install');
  }
  /** `update_skill_json` → SkillApplyResult. */
  updateSkillJson(json: string): Promise<string> {
    return this.#apply('update_skill_json', json, 'skills', 'update');
  }
  /** `system_update_skill_json`. */
  systemUpdateSkillJson(json: string): Promise<string> {
    return this.#apply('system_update_skill_json', json, 'system', 'update');
  }

  #uninstall(fn: string, json: string, plane: OperationPlane): Promise<string> {
    return envelope(async () => {
      const o = parseRequest(fn, json);
      const options: UninstallOptions = this.#common(fn, o, plane);
      const opts = isObject(o.options) ? o.options : {};
      if (opts.remove_sqlite === true) options.removeSqlite = true;
      if (opts.remove_lancedb === true) options.removeLancedb = true;
      return this.uninstall(this.#skillId(o), options);
    });
  }
  /** `uninstall_skill_json`: `{skill_roots?, skill_id, target_root?, options?: {remove_sqlite, remove_lancedb}}` → SkillUninstallResult. */
  uninstallSkillJson(json: string): Promise<string> {
    return this.#uninstall('uninstall_skill_json', json, 'skills');
  }
  /** `system_uninstall_skill_json`. */
  systemUninstallSkillJson(json: string): Promise<string> {
    return this.#uninstall('system_uninstall_skill_json', json, 'system');
  }

  #state(fn: string, json: string, plane: OperationPlane, enabled: boolean): Promise<string> {
    return envelope(async () => {
      const o = parseRequest(fn, json);
      const options = this.#common(fn, o, plane);
      const id = this.#skillId(o);
      if (enabled) {
        await this.enable(id, options);
        return { enabled: true };
      }
      await this.disable(id, str(o.reason), options);
      return { disabled: true };
    });
  }
  /** `enable_skill_json`: `{skill_roots?, skill_id}` → `{enabled: true}`. */
  enableSkillJson(json: string): Promise<string> {
    return this.#state('enable_skill_json', json, 'skills', true);
  }
  /** `system_enable_skill_json`. */
  systemEnableSkillJson(json: string): Promise<string> {
    return this.#state('system_enable_skill_json', json, 'system', true);
  }
  /** `disable_skill_json`: `{skill_roots?, skill_id, reason?}` → `{disabled: true}`. */
  disableSkillJson(json: string): Promise<string> {
    return this.#state('disable_skill_json', json, 'skills', false);
  }
  /** `system_disable_skill_json`. */
  systemDisableSkillJson(json: string): Promise<string> {
    return this.#state('system_disable_skill_json', json, 'system', false);
  }
}
