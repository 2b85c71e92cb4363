// An entry's input schema: resolved from `input_schema_file`, `input_schema` or the legacy
// `parameters` list, checked for structure (not for meaning: nothing validates call arguments
// against it), and turned back into legacy parameters when the author gave none.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { SkillPackageError } from './errors.js';
import type { SkillEntryManifest, SkillParameterManifest } from './manifest-schema.js';
import { checkSkillRelativePath } from './relative-path.js';

/** A JSON value as an input schema holds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One legacy flat parameter as `list_entries` shows it (upstream's `param_type` key). */
export interface RuntimeEntryParameterDescriptor {
  name: string;
  param_type: string;
  description: string;
  required: boolean;
}

/** The outcome of {@link resolveEntryInputSchema}. */
export interface ResolvedInputSchema {
  /** The final object schema shown to hosts and models. */
  input_schema: JsonObject;
  /** Declared parameters, or derived from the schema's root `properties` when none were declared. */
  parameters: RuntimeEntryParameterDescriptor[];
  /** Absolute path of `input_schema_file`, or `null`. */
  input_schema_path: string | null;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkType(node: JsonObject, label: string): void {
  const type = node['type'];
  if (type === undefined) return;
  if (typeof type === 'string') {
    if (type.trim() === '') throw invalid(`${label}.type must not be empty`);
    return;
  }
  if (!Array.isArray(type)) throw invalid(`${label}.type must be one string or one string array`);
  if (type.length === 0) throw invalid(`${label}.type must not be an empty array`);
  type.forEach((item, index) => {
    if (typeof item !== 'string') throw invalid(`${label}.type[${index}] must be one string`);
    if (item.trim() === '') throw invalid(`${label}.type[${index}] must not be empty`);
  });
}

function checkNameArray(value: JsonValue, label: string): void {
  if (!Array.isArray(value)) throw invalid(`${label} must be an array of strings`);
  value.forEach((item, index) => {
    if (typeof item !== 'string') throw invalid(`${label}[${index}] must be one string`);
    if (item.trim() === '') throw invalid(`${label}[${index}] must not be empty`);
  });
}

function checkNodeArray(value: JsonValue, label: string): void {
  if (!Array.isArray(value)) throw invalid(`${label} must be an array of schema objects`);
  if (value.length === 0) throw invalid(`${label} must not be empty`);
  value.forEach((item, index) => checkSchemaNode(item, `${label}[${index}]`));
}

function checkNodeMap(value: JsonValue, label: string): void {
  if (!isObject(value)) throw invalid(`${label} must be an object`);
  for (const [name, item] of Object.entries(value)) {
    if (name.trim() === '') throw invalid(`${label} must not contain empty property names`);
    checkSchemaNode(item, `${label}.${name}`);
  }
}

/**
 * Recursive structural check of one schema node, keyword for keyword as upstream 0.5 does it.
 * Unknown keywords are allowed (JSON Schema is open); only the shapes of known ones are checked.
 */
export function checkSchemaNode(schema: JsonValue, label: string): void {
  if (!isObject(schema)) throw invalid(`${label} must be one JSON object schema`);
  checkType(schema, label);
  if (schema['description'] !== undefined && typeof schema['description'] !== 'string') {
    throw invalid(`${label}.description must be one string`);
  }
  for (const key of ['properties', 'patternProperties', '$defs', 'definitions']) {
    const value = schema[key];
    if (value !== undefined) checkNodeMap(value, `${label}.${key}`);
  }
  if (schema['required'] !== undefined) checkNameArray(schema['required'], `${label}.required`);
  if (schema['enum'] !== undefined && !Array.isArray(schema['enum'])) throw invalid(`${label}.enum must be an array`);
  const items = schema['items'];
  if (items !== undefined) {
    if (isObject(items)) checkSchemaNode(items, `${label}.items`);
    else if (Array.isArray(items)) checkNodeArray(items, `${label}.items`);
    else throw invalid(`${label}.items must be one schema object or one schema array`);
  }
  if (schema['prefixItems'] !== undefined) checkNodeArray(schema['prefixItems'], `${label}.prefixItems`);
  for (const key of ['contains', 'propertyNames', 'not', 'if', 'then', 'else']) {
    const value = schema[key];
    if (value !== undefined) checkSchemaNode(value, `${label}.${key}`);
  }
  const additional = schema['additionalProperties'];
  if (additional !== undefined && typeof additional !== 'boolean') {
    if (!isObject(additional)) throw invalid(`${label}.additionalProperties must be one boolean or one schema object`);
    checkSchemaNode(additional, `${label}.additionalProperties`);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    const value = schema[key];
    if (value !== undefined) checkNodeArray(value, `${label}.${key}`);
  }
}

/** Checks a final entry schema: a valid node whose root `type` is exactly `"object"`. */
export function checkEntryInputSchemaRoot(schema: JsonValue, label: string): asserts schema is JsonObject {
  checkSchemaNode(schema, label);
  const type = (schema as JsonObject)['type'];
  if (type === undefined) throw invalid(`${label}.type must be present and equal to "object"`);
  if (type !== 'object') throw invalid(`${label}.type must be "object"`);
}

/** `{type:"object", properties:{...}, required?:[...]}` from legacy parameters (`required` omitted when empty). */
export function schemaFromParameters(parameters: readonly SkillParameterManifest[]): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const fragment: JsonObject = { type: parameter.type };
    if (parameter.description.trim() !== '') fragment['description'] = parameter.description;
    properties[parameter.name] = fragment;
    if (parameter.required === true) required.push(parameter.name);
  }
  const schema: JsonObject = { type: 'object', properties };
  if (required.length > 0) schema['required'] = required;
  return schema;
}

/** The readable legacy type of one property schema: its `type`, `a | b`, else object/array/union/schema. */
export function legacyParameterType(schema: JsonValue): string {
  if (!isObject(schema)) return 'schema';
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const names = type.filter((item): item is string => typeof item === 'string');
    if (names.length > 0) return names.join(' | ');
  }
  if ('properties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  if ('oneOf' in schema || 'anyOf' in schema || 'allOf' in schema) return 'union';
  return 'schema';
}

/**
 * Legacy parameters derived from the root `properties`. Sorted by name (byte order) because
 * upstream's JSON maps are sorted maps, so hosts see the same order on both runtimes.
 */
export function deriveLegacyParameters(schema: JsonObject): RuntimeEntryParameterDescriptor[] {
  const properties = schema['properties'];
  if (!isObject(properties)) return [];
  const requiredList = schema['required'];
  const required = new Set(Array.isArray(requiredList) ? requiredList.filter((r) => typeof r === 'string') : []);
  return Object.keys(properties)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const property = properties[name] ?? null;
      const description = isObject(property) && typeof property['description'] === 'string' ? property['description'] : '';
      return { name, param_type: legacyParameterType(property), description, required: required.has(name) };
    });
}

function invalid(message: string): SkillPackageError {
  return new SkillPackageError('invalid_input_schema', message);
}

async function loadSchemaFile(skillDir: string, skillName: string, entry: SkillEntryManifest, relative: string): Promise<{ schema: JsonValue; file: string }> {
  const entryName = entry.name.trim();
  const checked = checkSkillRelativePath(relative, 'schemas', 'entry.input_schema_file');
  if (!checked.ok) throw new SkillPackageError('invalid_path', `skill ${skillName} entry ${entry.name}: ${checked.message}`);
  const file = path.join(skillDir, ...checked.segments);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SkillPackageError('input_schema_file', `skill entry ${entryName} input_schema_file ${file} read failed: ${(error as Error).message}`);
  }
  try {
    return { schema: JSON.parse(text) as JsonValue, file };
  } catch (error) {
    throw new SkillPackageError('input_schema_file', `skill entry ${entryName} input_schema_file ${file} parse failed: ${(error as Error).message}`);
  }
}

/**
 * Resolves one entry's final input schema: `input_schema_file` > `input_schema` > built from
 * `parameters`; refuses both schema forms at once; checks the structure; derives legacy
 * parameters when none were declared. Throws {@link SkillPackageError}.
 */
export async function resolveEntryInputSchema(skillDir: string, skillName: string, entry: SkillEntryManifest): Promise<ResolvedInputSchema> {
  const entryName = entry.name.trim();
  const schemaFile = (entry.input_schema_file ?? '').trim();
  // YAML `input_schema: ~` means "absent", as serde's Option does.
  const inline = entry.input_schema === null ? undefined : (entry.input_schema as JsonValue | undefined);
  if (inline !== undefined && schemaFile !== '') {
    throw new SkillPackageError('input_schema_conflict', `skill entry ${entryName} must not declare both input_schema and input_schema_file`);
  }
  let schema: JsonValue;
  let schemaPath: string | null = null;
  if (schemaFile !== '') {
    const loaded = await loadSchemaFile(skillDir, skillName, entry, schemaFile);
    schema = loaded.schema;
    schemaPath = loaded.file;
  } else {
    schema = inline ?? schemaFromParameters(entry.parameters ?? []);
  }
  checkEntryInputSchemaRoot(schema, `skill entry ${entryName} input_schema`);
  const declared = entry.parameters ?? [];
  const parameters =
    declared.length > 0
      ? declared.map((p) => ({ name: p.name, param_type: p.type, description: p.description, required: p.required ?? false }))
      : deriveLegacyParameters(schema);
  return { input_schema: schema, parameters, input_schema_path: schemaPath };
}
