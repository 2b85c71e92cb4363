// `dependencies.yaml` (upstream `SkillDependencyManifest`): tool, Lua and FFI dependencies, each
// with a source (`github_release`, `url`, `skilllist`) and per-platform packages whose exports
// name the files to install. Unknown keys are ignored, as upstream's serde structs do; the 0.5.x
// managed runtimes (`python_runtime`, `node_runtime`) are accepted but not acted on.
import { readFile } from 'node:fs/promises';

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import YAML from 'yaml';

/** The three dependency lists, in the order they are ensured. */
export const DEPENDENCY_KINDS = ['tool', 'lua', 'ffi'] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

const ExportSchema = Type.Object({
  archive_path: Type.String(),
  target_path: Type.String(),
  executable: Type.Optional(Type.Boolean()),
});

const PackageSchema = Type.Object({
  archive_type: Type.Optional(Type.Union([Type.Literal('zip'), Type.Literal('tar_gz'), Type.Literal('raw')])),
  asset_name: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  /** Ours: SHA-256 of the downloaded payload, verified when present. */
  sha256: Type.Optional(Type.String({ pattern: '^\\s*[0-9a-fA-F]{64}\\s*$' })),
  exports: Type.Optional(Type.Array(ExportSchema)),
});

const PackagesSchema = Type.Record(Type.String(), PackageSchema);

const SourceSchema = Type.Object({
  type: Type.Union([Type.Literal('github_release'), Type.Literal('url'), Type.Literal('skilllist'), Type.Literal('skill_list')]),
  github: Type.Optional(Type.Object({ repo: Type.String(), tag_api: Type.Optional(Type.String()) })),
  url: Type.Optional(Type.Object({})),
  skilllist: Type.Optional(Type.Object({ url: Type.String(), package: Type.String() })),
});

const DependencySchema = Type.Object({
  name: Type.String(),
  version: Type.Optional(Type.String()),
  required: Type.Optional(Type.Boolean()),
  scope: Type.Optional(Type.Union([Type.Literal('skill'), Type.Literal('host')])),
  source: SourceSchema,
  packages: Type.Optional(PackagesSchema),
});

const ManifestSchema = Type.Object({
  tool_dependencies: Type.Optional(Type.Array(DependencySchema)),
  lua_dependencies: Type.Optional(Type.Array(DependencySchema)),
  ffi_dependencies: Type.Optional(Type.Array(DependencySchema)),
});

/** `skilllist` index file: `packages: { <key>: { version?, packages: { <platform>: <package> } } }`. */
const SkillListIndexSchema = Type.Object({
  packages: Type.Optional(Type.Record(Type.String(), Type.Object({ version: Type.Optional(Type.String()), packages: Type.Optional(PackagesSchema) }))),
});

/** One exported file: where it is in the payload, where it goes under the install root. */
export interface DependencyExport {
  archive_path: string;
  target_path: string;
  executable: boolean;
}

/** One platform's package. */
export interface DependencyPackage {
  archive_type: 'zip' | 'tar_gz' | 'raw';
  asset_name: string | null;
  url: string | null;
  /** Lower-case hex, or null. */
  sha256: string | null;
  exports: DependencyExport[];
}

/** Where a dependency comes from; `skill_list` is normalised to `skilllist`. */
export interface DependencySource {
  type: 'github_release' | 'url' | 'skilllist';
  github: { repo: string; tag_api: string | null } | null;
  skilllist: { url: string; package: string } | null;
}

/** One declared dependency with upstream's defaults filled in (`required: true`, `scope: skill`). */
export interface DependencySpec {
  kind: DependencyKind;
  name: string;
  version: string | null;
  required: boolean;
  scope: 'skill' | 'host';
  source: DependencySource;
  packages: Record<string, DependencyPackage>;
}

/** A parsed `dependencies.yaml`. */
export interface DependencyManifest {
  tool_dependencies: DependencySpec[];
  lua_dependencies: DependencySpec[];
  ffi_dependencies: DependencySpec[];
  /** Top-level keys present but not supported here (`python_runtime`, `node_runtime`). */
  unsupported_keys: string[];
}

/** A `skilllist` index, parsed. */
export interface SkillListIndex {
  packages: Record<string, { version: string | null; packages: Record<string, DependencyPackage> }>;
}

const checkManifest = TypeCompiler.Compile(ManifestSchema);
const checkIndex = TypeCompiler.Compile(SkillListIndexSchema);

/** `key: null` means an absent key (serde's Option); dropped everywhere before the schema check. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = dropNulls(item);
  return out;
}

/** Checks `value` against a compiled schema; the error names the field (`tool_dependencies.0.source.type: ...`). */
function schemaProblem<T extends TSchema>(checker: ReturnType<typeof TypeCompiler.Compile<T>>, value: unknown): string | undefined {
  if (checker.Check(value)) return undefined;
  const first = checker.Errors(value).First();
  const field = first?.path ? first.path.slice(1).replaceAll('/', '.') : '';
  return `${field || 'document'}: ${first?.message ?? 'invalid value'}`;
}

function normalizePackage(raw: Static<typeof PackageSchema>): DependencyPackage {
  return {
    archive_type: raw.archive_type ?? 'raw',
    asset_name: raw.asset_name ?? null,
    url: raw.url ?? null,
    sha256: raw.sha256 ? raw.sha256.trim().toLowerCase() : null,
    exports: (raw.exports ?? []).map((item) => ({ archive_path: item.archive_path, target_path: item.target_path, executable: item.executable === true })),
  };
}

function normalizePackages(raw: Static<typeof PackagesSchema> | undefined): Record<string, DependencyPackage> {
  const out: Record<string, DependencyPackage> = {};
  for (const [key, value] of Object.entries(raw ?? {})) out[key] = normalizePackage(value);
  return out;
}

function normalizeDependency(kind: DependencyKind, raw: Static<typeof DependencySchema>): DependencySpec {
  return {
    kind,
    name: raw.name,
    version: raw.version ?? null,
    required: raw.required ?? true,
    scope: raw.scope ?? 'skill',
    source: {
      type: raw.source.type === 'skill_list' ? 'skilllist' : raw.source.type,
      github: raw.source.github ? { repo: raw.source.github.repo, tag_api: raw.source.github.tag_api ?? null } : null,
      skilllist: raw.source.skilllist ?? null,
    },
    packages: normalizePackages(raw.packages),
  };
}

/**
 * Parses `dependencies.yaml` text. An empty document is an empty manifest.
 * @throws {Error} `Failed to parse <file>: <field>: <problem>` (upstream's prefix).
 */
export function parseDependencyManifest(text: string, file: string): DependencyManifest {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new Error(`Failed to parse ${file}: ${(error as Error).message}`);
  }
  doc = dropNulls(doc ?? {});
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`Failed to parse ${file}: document: expected a mapping`);
  const problem = schemaProblem(checkManifest, doc);
  if (problem !== undefined) throw new Error(`Failed to parse ${file}: ${problem}`);
  const checked = doc as Static<typeof ManifestSchema>;
  const unsupported = ['python_runtime', 'node_runtime'].filter((key) => (doc as Record<string, unknown>)[key] != null);
  return {
    tool_dependencies: (checked.tool_dependencies ?? []).map((item) => normalizeDependency('tool', item)),
    lua_dependencies: (checked.lua_dependencies ?? []).map((item) => normalizeDependency('lua', item)),
    ffi_dependencies: (checked.ffi_dependencies ?? []).map((item) => normalizeDependency('ffi', item)),
    unsupported_keys: unsupported,
  };
}

/**
 * Reads `<skillDir>/dependencies.yaml`; null when the file does not exist.
 * @throws {Error} `Failed to read <file>: ...` or a parse error.
 */
export async function readDependencyManifest(file: string): Promise<DependencyManifest | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Failed to read ${file}: ${(error as Error).message}`);
  }
  return parseDependencyManifest(text, file);
}

/** All dependencies of a manifest in ensure order (tools, then Lua, then FFI). */
export function allDependencies(manifest: DependencyManifest): DependencySpec[] {
  return [...manifest.tool_dependencies, ...manifest.lua_dependencies, ...manifest.ffi_dependencies];
}

/**
 * Parses a `skilllist` index (YAML, so JSON too).
 * @throws {Error} upstream's `failed to parse skilllist index <url>: <problem>`.
 */
export function parseSkillListIndex(text: string, url: string): SkillListIndex {
  let doc: unknown;
  try {
    doc = dropNulls(YAML.parse(text) ?? {});
  } catch (error) {
    throw new Error(`failed to parse skilllist index ${url}: ${(error as Error).message}`);
  }
  const problem = schemaProblem(checkIndex, doc);
  if (problem !== undefined) throw new Error(`failed to parse skilllist index ${url}: ${problem}`);
  const checked = doc as Static<typeof SkillListIndexSchema>;
  const packages: SkillListIndex['packages'] = {};
  for (const [key, value] of Object.entries(checked.packages ?? {})) {
    packages[key] = { version: value.version ?? null, packages: normalizePackages(value.packages) };
  }
  return { packages };
}
