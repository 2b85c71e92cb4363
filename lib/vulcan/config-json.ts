// Upstream's skill-config JSON surfaces (`skill_config_*_json`): string in, `{ok, result}` or
// `{ok: false, error}` out, over an engine's SkillConfigStore. `set` takes the 0.5.5 batch form
// `{skill_id, values: {key: value}, expected_revision?}` and the 0.4.6 `{skill_id, key, value}`.
import type { SkillConfigValue } from '../skills/config-declaration.js';
import type { SkillConfigStore, SkillConfigWriteOptions } from './config-store.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class ConfigRequestError extends Error {
  readonly code = 'invalid_request';
}

function envelope(fn: string, json: string, work: (o: Json) => Promise<unknown>): Promise<string> {
  let input: Json;
  try {
    const parsed: unknown = JSON.parse(json);
    if (!isObject(parsed)) throw new ConfigRequestError(`${fn} expects a JSON object`);
    input = parsed;
  } catch (err) {
    const message = err instanceof ConfigRequestError ? err.message : `${fn} received invalid JSON input: ${(err as Error).message}`;
    return Promise.resolve(JSON.stringify({ ok: false, error: message }));
  }
  return Promise.resolve()
    .then(() => work(input))
    .then(
    (result) => JSON.stringify({ ok: true, result }),
    (err: unknown) => JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}

function str(o: Json, field: string, fn: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new ConfigRequestError(`${fn}: ${field} must be a string`);
  return v;
}

function writeOptions(o: Json, fn: string): SkillConfigWriteOptions {
  const r = o.expected_revision;
  if (r === undefined || r === null) return {};
  if (typeof r !== 'string') throw new ConfigRequestError(`${fn}: expected_revision must be a decimal string`);
  return { expectedRevision: r };
}

/** The seven JSON surfaces over one store. */
export class SkillConfigJson {
  readonly #store: SkillConfigStore;

  constructor(store: SkillConfigStore) {
    this.#store = store;
  }

  /** `skill_config_list_json`: `{skill_id?}` → `[{skill_id, key, value, …}]` (sensitive values masked). */
  listJson(json: string): Promise<string> {
    return envelope('skill_config_list_json', json, (o) => this.#store.list(o.skill_id === undefined || o.skill_id === null ? undefined : str(o, 'skill_id', 'skill_config_list_json')));
  }

  /** `skill_config_describe_json`: `{skill_id, include_values?}`. */
  describeJson(json: string): Promise<string> {
    return envelope('skill_config_describe_json', json, (o) =>
      this.#store.describe(str(o, 'skill_id', 'skill_config_describe_json'), { includeValues: o.include_values === true }),
    );
  }

  /** `skill_config_validate_json`: `{skill_id}` → `{complete, revision, missing, invalid, orphaned, …}`. */
  validateJson(json: string): Promise<string> {
    return envelope('skill_config_validate_json', json, (o) => this.#store.validate(str(o, 'skill_id', 'skill_config_validate_json')));
  }

  /** `skill_config_get_json`: `{skill_id, key}` → `{found, skill_id, key, value?}`. */
  getJson(json: string): Promise<string> {
    return envelope('skill_config_get_json', json, (o) => this.#store.get(str(o, 'skill_id', 'skill_config_get_json'), str(o, 'key', 'skill_config_get_json')));
  }

  /** `skill_config_set_json`: `{skill_id, values, expected_revision?}` or `{skill_id, key, value}`. */
  setJson(json: string): Promise<string> {
    const fn = 'skill_config_set_json';
    return envelope(fn, json, (o) => {
      const id = str(o, 'skill_id', fn);
      const options = writeOptions(o, fn);
      if (o.values !== undefined) {
        if (!isObject(o.values)) throw new ConfigRequestError(`${fn}: values must be an object`);
        return this.#store.set(id, o.values as Record<string, SkillConfigValue>, options);
      }
      return this.#store.set(id, str(o, 'key', fn), o.value as SkillConfigValue, options);
    });
  }

  /** `skill_config_delete_json`: `{skill_id, key, expected_revision?}` → `{revision, deleted, key, …}`. */
  deleteJson(json: string): Promise<string> {
    const fn = 'skill_config_delete_json';
    return envelope(fn, json, (o) => this.#store.delete(str(o, 'skill_id', fn), str(o, 'key', fn), writeOptions(o, fn)));
  }

  /** `skill_config_refresh_json`: re-reads the store file → `{store_scope, revision}`. */
  refreshJson(json: string): Promise<string> {
    return envelope('skill_config_refresh_json', json, async () => ({ store_scope: 'skills', revision: await this.#store.revision() }));
  }
}
