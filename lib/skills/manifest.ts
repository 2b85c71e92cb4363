// One skill directory -> one checked SkillPackage, in upstream's load order, with every path
// resolved to an absolute one. Pure file reading: no Lua runs here (entry scripts are compiled by
// the engine later).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import YAML from 'yaml';

import { isFile } from '../fs-checks.js';
import { ConfigDeclarationError, parseConfigDeclarations, type DeclaredConfigItem } from './config-declaration.js';
import { SkillPackageError } from './errors.js';
import { identifierError, versionError } from './identifiers.js';
import { resolveEntryInputSchema, type JsonObject, type RuntimeEntryParameterDescriptor } from './input-schema.js';
import { manifestSchemaError, type SkillDatabaseManifest, type SkillHelpNodeManifest, type SkillManifest } from './manifest-schema.js';
import { checkSkillRelativePath } from './relative-path.js';
import type { SkillRootName } from './roots.js';

/** `sqlite:` / `lancedb:` with upstream's defaults filled in. */
export interface SkillDatabaseConfig {
  enable: boolean;
  log_level: 'off' | 'info' | 'warning';
  slow_log_enabled: boolean;
  slow_log_threshold_ms: number;
}

/** One help node with its file resolved. */
export interface SkillHelpNode {
  /** Topic name (trimmed); `''` for the main node. */
  name: string;
  description: string;
  /** The declared path (trimmed), or `null` when none was declared. */
  file: string | null;
  /** Absolute path of `file`, or `null`. Existence is checked when help is rendered, as upstream. */
  path: string | null;
}

/** One entry, checked, with its script and schema resolved. */
export interface SkillEntry {
  /** Local entry name (trimmed), unique inside the skill. */
  name: string;
  description: string;
  /** As declared (trimmed), e.g. `runtime/add.lua`. */
  lua_entry: string;
  /** Absolute path of the entry script; it exists (a file) at load time. */
  lua_entry_path: string;
  /** Chunk name of the script. Not unique: handlers must be keyed by canonical entry name. */
  lua_module: string;
  parameters: RuntimeEntryParameterDescriptor[];
  input_schema: JsonObject;
  /** As declared (trimmed), or `null`. */
  input_schema_file: string | null;
  input_schema_path: string | null;
  /** Name of the `help.topics[]` node this entry belongs to; `''` for none. */
  help: string;
}

/** One loaded skill package. */
export interface SkillPackage {
  /** The directory name. */
  skill_id: string;
  /** `name:` of skill.yaml (human-readable). */
  name: string;
  /** `version:` (trimmed), strict SemVer. */
  version: string;
  root_name: SkillRootName;
  /** Absolute skills directory of the root the package was found in. */
  skills_root: string;
  /** Absolute package directory. */
  skill_dir: string;
  manifest_path: string;
  /** Hot reload of entry scripts on every `call_skill`. */
  debug: boolean;
  sqlite: SkillDatabaseConfig;
  lancedb: SkillDatabaseConfig;
  entries: SkillEntry[];
  help: { main: SkillHelpNode; topics: SkillHelpNode[] };
  /** 0.5.5 declared config (`config:`), in declaration order; empty when none is declared. */
  config: DeclaredConfigItem[];
  /** `config_validator:` as declared (trimmed, e.g. `runtime/validate_config.lua`), or `null`. */
  config_validator: string | null;
  /** Absolute path of the validator script (a file at load time), or `null`. See `runConfigValidator`. */
  config_validator_path: string | null;
}

/** Where a package directory sits in the root chain. */
export interface SkillPackageLocation {
  root_name: SkillRootName;
  /** Absolute skills directory of that root. */
  skills_root: string;
}

function database(block: SkillDatabaseManifest | undefined, slowDefault: number): SkillDatabaseConfig {
  return {
    enable: block?.enable ?? false,
    log_level: block?.log_level ?? 'info',
    slow_log_enabled: block?.slow_log_enabled ?? false,
    slow_log_threshold_ms: block?.slow_log_threshold_ms ?? slowDefault,
  };
}

/** Reads and parses skill.yaml, refusing `skill_id` and anything outside the schema. */
export async function readSkillManifest(dir: string): Promise<SkillManifest> {
  const file = path.join(dir, 'skill.yaml');
  if (!(await isFile(file))) throw new SkillPackageError('manifest_missing', `skill.yaml not found in ${dir}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SkillPackageError('manifest_unreadable', `Failed to read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (error) {
    throw new SkillPackageError('manifest_parse', `Failed to parse ${file}: ${(error as Error).message}`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'skill_id')) {
    throw new SkillPackageError('skill_id_declared', `skill ${dir} must not declare skill_id in skill.yaml; directory name is the only skill_id`);
  }
  const schemaError = manifestSchemaError(value);
  if (schemaError !== undefined) throw new SkillPackageError('manifest_schema', schemaError);
  return value as SkillManifest;
}

function helpNode(node: SkillHelpNodeManifest | undefined, dir: string, segments: string[] | null): SkillHelpNode {
  const file = (node?.file ?? '').trim();
  return {
    name: (node?.name ?? '').trim(),
    description: node?.description ?? '',
    file: file === '' ? null : file,
    path: segments ? path.join(dir, ...segments) : null,
  };
}

function resolveHelp(manifest: SkillManifest, dir: string): SkillPackage['help'] {
  const main = manifest.help?.main;
  let mainSegments: string[] | null = null;
  // An empty main file is accepted, as upstream: rendering the main flow reports it instead.
  if ((main?.file ?? '').trim() !== '') {
    const checked = checkSkillRelativePath(main?.file ?? '', 'help', 'help.main.file');
    if (!checked.ok) throw new SkillPackageError('invalid_path', `skill ${manifest.name} help main: ${checked.message}`);
    mainSegments = checked.segments;
  }
  const topics = (manifest.help?.topics ?? []).map((topic) => {
    const checked = checkSkillRelativePath(topic.file ?? '', 'help', 'help.topic.file');
    if (!checked.ok) {
      throw new SkillPackageError('invalid_path', `skill ${manifest.name} help topic ${(topic.name ?? '').trim()}: ${checked.message}`);
    }
    return helpNode(topic, dir, checked.segments);
  });
  return { main: helpNode(main, dir, mainSegments), topics };
}

/**
 * `config_validator:` -> its absolute path, or `null` when none is declared. It needs declared
 * items to check, lives under runtime/ like entry scripts, is a `.lua` file and exists.
 */
async function resolveConfigValidator(manifest: SkillManifest, dir: string, skillId: string, config: DeclaredConfigItem[]): Promise<string | null> {
  if (manifest.config_validator === undefined) return null;
  const fail = (message: string): never => {
    throw new SkillPackageError('invalid_config_validator', `skill ${skillId}: ${message}`);
  };
  if (config.length === 0) fail('config_validator requires a config: list declaring at least one item');
  const checked = checkSkillRelativePath(manifest.config_validator, 'runtime', 'config_validator');
  if (!checked.ok) return fail(checked.message);
  if (!checked.segments.at(-1)!.endsWith('.lua')) fail('config_validator must name a .lua file');
  const file = path.join(dir, ...checked.segments);
  if (!(await isFile(file))) fail(`config_validator ${manifest.config_validator.trim()} not found in ${dir}`);
  return file;
}

/**
 * Loads one package directory: skill.yaml present, no `skill_id` key, the strict schema, the
 * directory name rule, `enable`, input schemas, version, at least one entry, per entry the name
 * rule, `lua_entry`/`lua_module` present, `lua_entry` under runtime/ and existing, help paths,
 * then the `config:` list and `config_validator`, then unique local entry names. Throws
 * {@link SkillPackageError} with upstream's text.
 * `allowDisabled` reads a package whose skill.yaml says `enable: false` (for installed-mode describe).
 */
export async function loadSkillPackage(skillDir: string, location: SkillPackageLocation, options: { allowDisabled?: boolean } = {}): Promise<SkillPackage> {
  const dir = path.resolve(skillDir);
  const manifestPath = path.join(dir, 'skill.yaml');
  const manifest = await readSkillManifest(dir);
  const skillId = path.basename(dir).trim();
  const dirNameError = identifierError(skillId, 'skill directory name');
  if (dirNameError !== undefined) throw new SkillPackageError('invalid_identifier', `skill ${dir}: ${dirNameError}`);
  if (manifest.enable === false && options.allowDisabled !== true) throw new SkillPackageError('skill_disabled', `skill ${skillId} is disabled by its skill.yaml (enable: false)`);

  const declared = manifest.entries ?? [];
  const schemas = [];
  for (const entry of declared) schemas.push(await resolveEntryInputSchema(dir, manifest.name, entry));

  const badVersion = versionError(manifest.version, 'version');
  if (badVersion !== undefined) throw new SkillPackageError('invalid_version', `skill ${skillId}: ${badVersion}`);
  if (declared.length === 0) throw new SkillPackageError('no_entries', `skill ${manifest.name} must declare at least one entry`);

  const entries: SkillEntry[] = [];
  for (const [index, entry] of declared.entries()) {
    const name = entry.name.trim();
    const nameError = identifierError(name, 'entry.name');
    if (nameError !== undefined) throw new SkillPackageError('invalid_identifier', `skill ${manifest.name} entry ${name}: ${nameError}`);
    if (entry.lua_entry.trim() === '' || entry.lua_module.trim() === '') {
      throw new SkillPackageError('entry_incomplete', `skill ${manifest.name} declares entry ${entry.name} but lua_entry/lua_module is missing`);
    }
    const checked = checkSkillRelativePath(entry.lua_entry, 'runtime', 'entry.lua_entry');
    if (!checked.ok) throw new SkillPackageError('invalid_path', `skill ${manifest.name} entry ${entry.name}: ${checked.message}`);
    const scriptPath = path.join(dir, ...checked.segments);
    if (!(await isFile(scriptPath))) {
      throw new SkillPackageError('entry_file_missing', `Lua entry ${entry.lua_entry} not found in ${dir}`);
    }
    const schema = schemas[index]!;
    const schemaFile = (entry.input_schema_file ?? '').trim();
    entries.push({
      name,
      description: entry.description ?? '',
      lua_entry: entry.lua_entry.trim(),
      lua_entry_path: scriptPath,
      lua_module: entry.lua_module.trim(),
      parameters: schema.parameters,
      input_schema: schema.input_schema,
      input_schema_file: schemaFile === '' ? null : schemaFile,
      input_schema_path: schema.input_schema_path,
      help: (entry.help ?? '').trim(),
    });
  }
  const help = resolveHelp(manifest, dir);
  let config: DeclaredConfigItem[];
  try {
    config = parseConfigDeclarations(manifest.config);
  } catch (err) {
    if (!(err instanceof ConfigDeclarationError)) throw err;
    throw new SkillPackageError('invalid_config_declaration', `CONFIG_DECLARATION_INVALID: skill.yaml: ${err.message}`);
  }
  const configValidatorPath = await resolveConfigValidator(manifest, dir, skillId, config);

  // Upstream finds this only when it builds the registry and then fails the whole load; here it
  // refuses just this package.
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) {
      throw new SkillPackageError('duplicate_entry', `skill '${skillId}' declares duplicate local entry name '${entry.name}'`);
    }
    seen.add(entry.name);
  }

  return {
    skill_id: skillId,
    name: manifest.name,
    version: manifest.version.trim(),
    root_name: location.root_name,
    skills_root: path.resolve(location.skills_root),
    skill_dir: dir,
    manifest_path: manifestPath,
    debug: manifest.debug ?? false,
    sqlite: database(manifest.sqlite, 500),
    lancedb: database(manifest.lancedb, 800),
    entries,
    help,
    config,
    config_validator: configValidatorPath === null ? null : manifest.config_validator!.trim(),
    config_validator_path: configValidatorPath,
  };
}
