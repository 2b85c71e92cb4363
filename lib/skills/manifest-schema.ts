// The typebox schema of skill.yaml. Strict like upstream 0.5 (`deny_unknown_fields`): an unknown
// key anywhere is an error naming it, so a typo (`lua_modul`) fails at load instead of being
// silently dropped as 0.4.6 did.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';

const LogLevel = Type.Union([Type.Literal('off'), Type.Literal('info'), Type.Literal('warning')]);

/** `sqlite:` / `lancedb:` blocks. Parsed and kept for the engine; nothing here opens a database. */
export const SkillDatabaseManifestSchema = Type.Object(
  {
    enable: Type.Optional(Type.Boolean()),
    log_level: Type.Optional(LogLevel),
    slow_log_enabled: Type.Optional(Type.Boolean()),
    slow_log_threshold_ms: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** One help node (`help.main`, `help.topics[]`). */
export const SkillHelpNodeManifestSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    file: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** One legacy flat parameter of an entry. */
export const SkillParameterManifestSchema = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    description: Type.String(),
    required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** One `entries[]` item. */
export const SkillEntryManifestSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.Optional(Type.String()),
    lua_entry: Type.String(),
    lua_module: Type.String(),
    parameters: Type.Optional(Type.Array(SkillParameterManifestSchema)),
    /** Inline JSON Schema; its structure is checked by the input-schema rules, not here. */
    input_schema: Type.Optional(Type.Unknown()),
    input_schema_file: Type.Optional(Type.String()),
    help: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** The whole skill.yaml. `skill_id` is refused before this schema runs (with upstream's text). */
export const SkillManifestSchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    enable: Type.Optional(Type.Boolean()),
    debug: Type.Optional(Type.Boolean()),
    sqlite: Type.Optional(SkillDatabaseManifestSchema),
    lancedb: Type.Optional(SkillDatabaseManifestSchema),
    entries: Type.Optional(Type.Array(SkillEntryManifestSchema)),
    /** 0.5.5 declared config: a list, checked with item-level messages by parseConfigDeclarations (config-declaration.ts). */
    config: Type.Optional(Type.Unknown()),
    /** 0.5.5 business-rule validator of the declared config: `runtime/<file>.lua` (checked in manifest.ts). */
    config_validator: Type.Optional(Type.String()),
    help: Type.Optional(
      Type.Object(
        {
          main: Type.Optional(SkillHelpNodeManifestSchema),
          topics: Type.Optional(Type.Array(SkillHelpNodeManifestSchema)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** skill.yaml as written (before defaults). */
export type SkillManifest = Static<typeof SkillManifestSchema>;
export type SkillEntryManifest = Static<typeof SkillEntryManifestSchema>;
export type SkillParameterManifest = Static<typeof SkillParameterManifestSchema>;
export type SkillHelpNodeManifest = Static<typeof SkillHelpNodeManifestSchema>;
export type SkillDatabaseManifest = Static<typeof SkillDatabaseManifestSchema>;

const checker = TypeCompiler.Compile(SkillManifestSchema);

/** `/entries/0/lua_modul` -> `entries[0].lua_modul`: the way authors read their YAML. */
function fieldName(pointer: string): string {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

function literalChoices(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf) return undefined;
  const values = anyOf.map((member) => (member as { const?: unknown }).const);
  return values.every((value) => typeof value === 'string') ? (values as string[]) : undefined;
}

function describe(error: ValueError): string {
  const field = fieldName(error.path);
  if (field === '') return 'skill.yaml must contain one YAML mapping';
  // Typebox reports a missing property twice (required, then type); the first one is enough.
  if (error.message === 'Expected required property') return `skill.yaml: missing field '${field}'`;
  if (error.message === 'Unexpected property') return `skill.yaml: unknown field '${field}'`;
  const choices = literalChoices(error.schema);
  if (choices) return `skill.yaml: ${field}: expected one of ${choices.map((c) => `'${c}'`).join(', ')}`;
  return `skill.yaml: ${field}: ${error.message}`;
}

/** `undefined` when `value` fits {@link SkillManifestSchema}, else a message naming the field. */
export function manifestSchemaError(value: unknown): string | undefined {
  if (checker.Check(value)) return undefined;
  const first = checker.Errors(value).First();
  return first ? describe(first) : 'skill.yaml is invalid';
}

/** Narrowing form of {@link manifestSchemaError}. */
export function isSkillManifest(value: unknown): value is SkillManifest {
  return checker.Check(value);
}
