// `SkillSourceManifest`: what an official Hub resolve endpoint or a host-private manifest URL
// returns. YAML or JSON (JSON is read as YAML, as upstream's serde_yaml does). Unknown keys are
// ignored like upstream's serde defaults; every known field is type-checked with typebox and a
// failure names the field.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import { parse as parseYaml } from 'yaml';

import { identifierError, versionError } from '../skills/identifiers.js';
import { normalizeSha256 } from './checksums.js';
import { LifecycleError } from './errors.js';

/** The install source types of upstream's `SkillInstallSourceType`. */
export const UPSTREAM_SOURCE_TYPES = ['github', 'official_hub', 'url', 'private_url_manifest'] as const;

const Nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** Schema of a source manifest as written (`archive.type` or its alias `archive.archive_type`). */
export const SkillSourceManifestSchema = Type.Object({
  schema_version: Nullable(Type.Integer({ minimum: 0 })),
  skill_id: Type.String(),
  version: Type.String(),
  archive: Type.Object({
    type: Type.Optional(Type.String()),
    archive_type: Type.Optional(Type.String()),
    url: Type.String(),
    sha256: Type.String(),
  }),
  update: Nullable(
    Type.Object({
      source_type: Type.Union(UPSTREAM_SOURCE_TYPES.map((value) => Type.Literal(value))),
      locator: Type.String(),
      tag: Nullable(Type.String()),
    }),
  ),
});

/** A source manifest after parsing: `archive.type` resolved, the SHA-256 not yet checked. */
export interface SkillSourceManifest {
  schema_version?: number;
  skill_id: string;
  version: string;
  archive: { type: string; url: string; sha256: string };
  update?: { source_type: (typeof UPSTREAM_SOURCE_TYPES)[number]; locator: string; tag?: string };
}

type RawManifest = Static<typeof SkillSourceManifestSchema>;
const checker = TypeCompiler.Compile(SkillSourceManifestSchema);

function describe(error: ValueError): string {
  const field = error.path.split('/').slice(1).join('.');
  if (field === '') return 'the manifest must be one mapping';
  if (error.message === 'Expected required property') return `missing field '${field}'`;
  return `${field}: ${error.message}`;
}

/**
 * Parses a source manifest (YAML or JSON). `origin` (its URL) goes into the message:
 * `Failed to parse skill source manifest from <origin>: <what, naming the field>`.
 * @throws {LifecycleError} `manifest_invalid`.
 */
export function parseSkillSourceManifest(text: string, origin: string): SkillSourceManifest {
  const fail = (detail: string): never => {
    throw new LifecycleError('manifest_invalid', `Failed to parse skill source manifest from ${origin}: ${detail}`);
  };
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    return fail(first ? describe(first) : 'invalid manifest');
  }
  const raw: RawManifest = value;
  if (raw.archive.type !== undefined && raw.archive.archive_type !== undefined) fail("duplicate field 'archive.type' (also given as 'archive_type')");
  const type = raw.archive.type ?? raw.archive.archive_type;
  if (type === undefined) fail("missing field 'archive.type'");
  const manifest: SkillSourceManifest = {
    skill_id: raw.skill_id,
    version: raw.version,
    archive: { type: type as string, url: raw.archive.url, sha256: raw.archive.sha256 },
  };
  if (typeof raw.schema_version === 'number') manifest.schema_version = raw.schema_version;
  if (raw.update) {
    manifest.update = { source_type: raw.update.source_type, locator: raw.update.locator };
    if (typeof raw.update.tag === 'string') manifest.update.tag = raw.update.tag;
  }
  return manifest;
}

/**
 * Upstream's `validate_for_skill`: the manifest's id and version rules, `skill_id` equal to the
 * requested one, `zip` archives only, a non-empty URL; returns the normalized SHA-256.
 * @throws {LifecycleError} `manifest_invalid` with upstream's texts.
 */
export function validateSourceManifestFor(manifest: SkillSourceManifest, expectedSkillId: string): string {
  const problem =
    identifierError(manifest.skill_id, 'source manifest skill_id') ?? identifierError(expectedSkillId, 'expected skill_id');
  if (problem) throw new LifecycleError('manifest_invalid', problem);
  if (manifest.skill_id !== expectedSkillId) {
    throw new LifecycleError(
      'manifest_invalid',
      `source manifest resolves to skill_id '${manifest.skill_id}' instead of '${expectedSkillId}'`,
    );
  }
  const badVersion = versionError(manifest.version, 'source manifest version');
  if (badVersion) throw new LifecycleError('manifest_invalid', badVersion);
  if (manifest.archive.type.trim().toLowerCase() !== 'zip') {
    throw new LifecycleError('manifest_invalid', `source manifest archive type '${manifest.archive.type}' is not supported; expected zip`);
  }
  if (manifest.archive.url.trim() === '') throw new LifecycleError('manifest_invalid', 'source manifest archive.url must not be empty');
  return normalizeSha256(manifest.archive.sha256);
}
