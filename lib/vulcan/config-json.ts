// Upstream's skill-config JSON surfaces (`skill_config_*_json`): string in, `{ok, result}` or
// `{ok: false, error}` out, over an engine's SkillConfigStore. Each request is a typebox schema;
// a refusal names the field (`skill_config_get_json.key: Expected string`). `set` takes the
// 0.5.5 batch form `{skill_id, values: {key: value}, expected_revision?}` and the 0.4.6
// `{skill_id, key, value}`.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

import type { SkillConfigValue } from '../skills/config-declaration.js';
import type { SkillConfigStore, SkillConfigWriteOptions } from './config-store.js';

const SkillId = Type.String();
const Revision = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const Strict = { additionalProperties: false } as const;

const Requests = {
  skill_config_list_json: Type.Object({ skill_id: Type.Optional(Type.Union([SkillId, Type.Null()])) }, Strict),
  skill_config_describe_json: Type.Object(
    {
      skill_id: Type.Optional(Type.Union([SkillId, Type.Null()])),
      include_values: Type.Optional(Type.Boolean()),
      mode: Type.Optional(Type.Union([Type.Literal('effective'), Type.Literal('installed')])),
      root_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    },
    Strict,
  ),
  skill_config_validate_json: Type.Object({ skill_id: SkillId }, Strict),
  skill_config_get_json: Type.Object({ skill_id: SkillId, key: Type.String() }, Strict),
  skill_config_set_json: Type.Union([
    Type.Object({ skill_id: SkillId, values: Type.Record(Type.String(), Scalar), expected_revision: Revision }, Strict),
    Type.Object({ skill_id: SkillId, key: Type.String(), value: Scalar, expected_revision: Revision }, Strict),
  ]),
  skill_config_delete_json: Type.Object({ skill_id: SkillId, key: Type.String(), expected_revision: Revision }, Strict),
  skill_config_refresh_json: Type.Object({ store_scope: Type.Optional(Type.Union([Type.Literal('skills'), Type.Literal('system-skills'), Type.Null()])) }, Strict),
  skill_config_events_poll_json: Type.Object(
    { after_sequence: Type.Optional(Type.Union([Type.String(), Type.Null()])), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
    Strict,
  ),
};
type Fn = keyof typeof Requests;
type Request<F extends Fn> = Static<(typeof Requests)[F]>;

const checkers = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

// The first schema error, named by its field. For the two-form `set`, the form is picked by
// whether `values` is present, so the message speaks about the form the caller meant.
function refusal(fn: Fn, input: object): string | null {
  const schema: TSchema = fn === 'skill_config_set_json' ? Requests.skill_config_set_json.anyOf['values' in input ? 0 : 1] : Requests[fn];
  let checker = checkers.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  if (checker.Check(input)) return null;
  const first = checker.Errors(input).First();
  const field = first?.path ? first.path.slice(1).replaceAll('/', '.') : '';
  return `${fn}${field ? `.${field}` : ''}: ${first?.message ?? 'invalid value'}`;
}

function envelope<F extends Fn>(fn: F, json: string, work: (o: Request<F>) => Promise<unknown> | unknown): Promise<string> {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (err) {
    return Promise.resolve(JSON.stringify({ ok: false, error: `${fn} received invalid JSON input: ${(err as Error).message}` }));
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return Promise.resolve(JSON.stringify({ ok: false, error: `${fn} expects a JSON object` }));
  }
  const problem = refusal(fn, input);
  if (problem !== null) return Promise.resolve(JSON.stringify({ ok: false, error: problem }));
  return Promise.resolve()
    .then(() => work(input as Request<F>))
    .then(
      (result) => JSON.stringify({ ok: true, result }),
      (err: unknown) => JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
}

const writeOptions = (revision: string | null | undefined): SkillConfigWriteOptions => (typeof revision === 'string' ? { expectedRevision: revision } : {});

type DescribeInstalled = (skillId: string | undefined, rootName: string | undefined) => Promise<unknown>;

/** The JSON surfaces over one store. */
export class SkillConfigJson {
  readonly #store: SkillConfigStore;
  readonly #describeInstalled: DescribeInstalled | null;

  /** `describeInstalled` answers `mode: 'installed'` (the engine's describeInstalledConfig). */
  constructor(store: SkillConfigStore, describeInstalled: DescribeInstalled | null = null) {
    this.#store = store;
    this.#describeInstalled = describeInstalled;
  }

  /** `skill_config_list_json`: `{skill_id?}` → `[{store_scope, skill_id, key, value, …}]` (sensitive values masked). */
  listJson(json: string): Promise<string> {
    return envelope('skill_config_list_json', json, (o) => this.#store.list(o.skill_id ?? undefined));
  }

  /**
   * `skill_config_describe_json`: `{skill_id?, include_values?, mode?: 'effective' | 'installed',
   * root_name?}`. Effective mode describes one loaded skill (or, without `skill_id`, every loaded
   * one, as an array); installed mode lists the packages on disk with their declarations.
   */
  describeJson(json: string): Promise<string> {
    return envelope('skill_config_describe_json', json, async (o) => {
      if (o.mode === 'installed') {
        if (o.include_values === true) throw new Error('skill_config_describe_json: include_values is only allowed in effective mode');
        if (!this.#describeInstalled) throw new Error('skill_config_describe_json: installed mode needs an engine');
        return this.#describeInstalled(o.skill_id ?? undefined, o.root_name ?? undefined);
      }
      if (o.root_name !== undefined && o.root_name !== null) throw new Error('skill_config_describe_json: root_name is only allowed in installed mode');
      const options = { includeValues: o.include_values === true };
      if (typeof o.skill_id === 'string') return this.#store.describe(o.skill_id, options);
      return this.#store.describeAll(options);
    });
  }

  /** `skill_config_validate_json`: `{skill_id}` → `{complete, revision, missing, invalid, business_issues, orphaned, …}`. */
  validateJson(json: string): Promise<string> {
    return envelope('skill_config_validate_json', json, (o) => this.#store.validate(o.skill_id));
  }

  /** `skill_config_get_json`: `{skill_id, key}` → `{found, skill_id, key, value?}`. */
  getJson(json: string): Promise<string> {
    return envelope('skill_config_get_json', json, (o) => this.#store.get(o.skill_id, o.key));
  }

  /** `skill_config_set_json`: `{skill_id, values, expected_revision?}` or `{skill_id, key, value}`. */
  setJson(json: string): Promise<string> {
    return envelope('skill_config_set_json', json, (o) => {
      const options = writeOptions(o.expected_revision);
      if ('values' in o) return this.#store.set(o.skill_id, o.values as Record<string, SkillConfigValue>, options);
      return this.#store.set(o.skill_id, o.key, o.value, options);
    });
  }

  /** `skill_config_delete_json`: `{skill_id, key, expected_revision?}` → `{revision, deleted, key, …}`. */
  deleteJson(json: string): Promise<string> {
    return envelope('skill_config_delete_json', json, (o) => this.#store.delete(o.skill_id, o.key, writeOptions(o.expected_revision)));
  }

  /** `skill_config_refresh_json`: `{store_scope?}` re-reads the store(s) → `[{store_scope, revision, changed}]`. */
  refreshJson(json: string): Promise<string> {
    return envelope('skill_config_refresh_json', json, (o) => this.#store.refresh(o.store_scope ?? undefined));
  }

  /** `skill_config_events_poll_json`: `{after_sequence?, limit?}` → `{events, next_sequence}`. */
  eventsPollJson(json: string): Promise<string> {
    return envelope('skill_config_events_poll_json', json, (o) => this.#store.pollEvents(o.after_sequence ?? undefined, o.limit ?? 100));
  }
}
