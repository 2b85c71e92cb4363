// The package-level config contract of upstream 0.5.5: the `config:` list of skill.yaml, checked
// item by item with upstream's limits, and the one value check every write and every declared
// `default`/`example` goes through. Values are persisted as canonical strings (as upstream), so a
// store file written for a declared skill is still a 0.4.6 string document.

/** The five declared value types. */
export const DECLARED_CONFIG_TYPES = ['integer', 'string', 'float', 'enum', 'boolean'] as const;
export type DeclaredConfigType = (typeof DECLARED_CONFIG_TYPES)[number];

/** UI input hints (`format:`). A hint only: `password` neither encrypts nor masks. */
export const DECLARED_CONFIG_FORMATS = ['text', 'password', 'uri', 'path', 'file', 'directory', 'multiline'] as const;
export type DeclaredConfigFormat = (typeof DECLARED_CONFIG_FORMATS)[number];

/** A typed config value: Lua integer/float/boolean/string. */
export type SkillConfigValue = string | number | boolean;

export interface DeclaredConfigOption {
  value: string;
  label: string | null;
  description: string | null;
}

/** `minimum`/`maximum` for integer and float, `min_length`/`max_length` (Unicode scalars) for string. */
export interface DeclaredConfigConstraints {
  minimum?: number;
  maximum?: number;
  min_length?: number;
  max_length?: number;
}

/** One checked `config[]` item, with upstream's defaults filled in. */
export interface DeclaredConfigItem {
  key: string;
  type: DeclaredConfigType;
  description: string;
  required: boolean;
  sensitive: boolean;
  default: SkillConfigValue | null;
  example: SkillConfigValue | null;
  title: string | null;
  group: string | null;
  order: number | null;
  advanced: boolean;
  placeholder: string | null;
  format: DeclaredConfigFormat | null;
  restart_required: boolean;
  deprecated: boolean;
  deprecation_message: string | null;
  constraints: DeclaredConfigConstraints;
  /** Enum choices (empty for the other types). */
  options: DeclaredConfigOption[];
}

export const CONFIG_LIMITS = {
  /** Declared items per package. */
  maxItems: 1024,
  /** Key length in bytes (ASCII). */
  maxKeyBytes: 128,
  /** One persisted value, UTF-8 bytes. */
  maxValueBytes: 1024 * 1024,
  /** `max_length` of a string declaration, Unicode scalars. */
  maxStringLength: 1024 * 1024,
  maxOptions: 1024,
  maxDescriptionBytes: 16384,
  maxTitleBytes: 1024,
  maxGroupBytes: 256,
  maxPlaceholderBytes: 8192,
  maxOptionValueBytes: 1024,
  /** Keys per batch write. */
  maxBatchKeys: 1024,
} as const;

/** Upstream's key rule; see also {@link configKeyError}. */
export const CONFIG_KEY_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
export const RESERVED_CONFIG_KEY_PREFIX = 'luaskills.';

/** Upstream's stable code (in the message) and our lowercase code (on the error). */
export type ConfigValueProblem = 'CONFIG_VALUE_TYPE_INVALID' | 'CONFIG_VALUE_OUT_OF_RANGE' | 'CONFIG_VALUE_TOO_LONG' | 'CONFIG_ENUM_VALUE_INVALID';

/** A value refused by its declaration. The message never contains the value. */
export class ConfigValueIssue extends Error {
  readonly problem: ConfigValueProblem;
  constructor(problem: ConfigValueProblem, message: string) {
    super(`${problem}: ${message}`);
    this.problem = problem;
  }
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const scalars = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `key` is not a valid config key, or `undefined`. */
export function configKeyError(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (bytes(key) > CONFIG_LIMITS.maxKeyBytes) return `must be at most ${CONFIG_LIMITS.maxKeyBytes} bytes`;
  if (!CONFIG_KEY_PATTERN.test(key)) return `'${key}' must start with a lowercase ASCII letter and contain only [a-z0-9_.-]`;
  if (key.includes('..')) return `'${key}' must not contain consecutive dots`;
  if (/[._-]$/.test(key)) return `'${key}' must not end with '.', '-' or '_'`;
  if (key.startsWith(RESERVED_CONFIG_KEY_PREFIX)) return `'${key}' uses the reserved prefix '${RESERVED_CONFIG_KEY_PREFIX}'`;
  return undefined;
}

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Checks `input` against `item` (type, safe-integer range, constraints, enum options, size) and
 * returns the typed value and its canonical persisted string. Numbers may come as decimal strings
 * and booleans as `"true"`/`"false"` (that is how they are stored); nothing else is converted:
 * no trimming, no `yes`/`1`, no float for an integer.
 */
export function checkConfigValue(item: DeclaredConfigItem, input: unknown): { value: SkillConfigValue; stored: string } {
  const where = `config key '${item.key}'`;
  const typeError = (): ConfigValueIssue => new ConfigValueIssue('CONFIG_VALUE_TYPE_INVALID', `${where} expects type ${item.type}, got ${describeType(input)}`);
  let value: SkillConfigValue;
  let stored: string;
  switch (item.type) {
    case 'integer': {
      let n: number;
      if (typeof input === 'bigint') throw new ConfigValueIssue('CONFIG_VALUE_OUT_OF_RANGE', `${where} must be within -9007199254740991..9007199254740991`);
      if (typeof input === 'number') n = input;
      else if (typeof input === 'string' && INTEGER_TEXT.test(input)) n = Number(input);
      else throw typeError();
      if (!Number.isFinite(n) || !Number.isInteger(n)) throw typeError();
      if (!Number.isSafeInteger(n)) throw new ConfigValueIssue('CONFIG_VALUE_OUT_OF_RANGE', `${where} must be within -9007199254740991..9007199254740991`);
      value = n;
      stored = String(n);
      break;
    }
    case 'float': {
      let n: number;
      if (typeof input === 'number') n = input;
      else if (typeof input === 'string' && DECIMAL_TEXT.test(input)) n = Number(input);
      else throw typeError();
      if (!Number.isFinite(n)) throw new ConfigValueIssue('CONFIG_VALUE_TYPE_INVALID', `${where} expects a finite float`);
      if (Object.is(n, -0)) n = 0;
      value = n;
      stored = String(n);
      break;
    }
    case 'boolean':
      if (typeof input === 'boolean') value = input;
      else if (input === 'true' || input === 'false') value = input === 'true';
      else throw typeError();
      stored = String(value);
      break;
    case 'enum':
      if (typeof input !== 'string') throw typeError();
      if (!item.options.some((o) => o.value === input)) {
        throw new ConfigValueIssue('CONFIG_ENUM_VALUE_INVALID', `${where} must be one of ${item.options.map((o) => `'${o.value}'`).join(', ')}`);
      }
      value = stored = input;
      break;
    case 'string':
      if (typeof input !== 'string') throw typeError();
      value = stored = input;
      break;
  }
  if (bytes(stored) > CONFIG_LIMITS.maxValueBytes) {
    throw new ConfigValueIssue('CONFIG_VALUE_TOO_LONG', `${where}: a value must be at most ${CONFIG_LIMITS.maxValueBytes} bytes`);
  }
  const c = item.constraints;
  if (typeof value === 'number') {
    if (c.minimum !== undefined && value < c.minimum) throw new ConfigValueIssue('CONFIG_VALUE_OUT_OF_RANGE', `${where} must be >= ${c.minimum}`);
    if (c.maximum !== undefined && value > c.maximum) throw new ConfigValueIssue('CONFIG_VALUE_OUT_OF_RANGE', `${where} must be <= ${c.maximum}`);
  } else if (item.type === 'string' && typeof value === 'string') {
    const length = scalars(value);
    if (c.max_length !== undefined && length > c.max_length) {
      throw new ConfigValueIssue('CONFIG_VALUE_TOO_LONG', `${where} must be at most ${c.max_length} characters`);
    }
    if (c.min_length !== undefined && length < c.min_length) {
      throw new ConfigValueIssue('CONFIG_VALUE_OUT_OF_RANGE', `${where} must be at least ${c.min_length} characters`);
    }
  }
  return { value, stored };
}

function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a float';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

const ITEM_FIELDS = new Set([
  'key', 'type', 'description', 'required', 'sensitive', 'default', 'example', 'title', 'group', 'order', 'advanced',
  'placeholder', 'format', 'restart_required', 'deprecated', 'deprecation_message', 'constraints', 'options',
]);

/** A declaration problem; `message` starts with the item path, e.g. `config[3].key: ...`. */
export class ConfigDeclarationError extends Error {
  override readonly name = 'ConfigDeclarationError';
}

/**
 * Checks the raw `config:` value of skill.yaml (absent = no declarations). Throws
 * {@link ConfigDeclarationError} naming the first bad item and field.
 */
export function parseConfigDeclarations(raw: unknown): DeclaredConfigItem[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigDeclarationError('config: must be a list of config items');
  if (raw.length > CONFIG_LIMITS.maxItems) throw new ConfigDeclarationError(`config: at most ${CONFIG_LIMITS.maxItems} items are allowed, got ${raw.length}`);
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const item = parseItem(entry, `config[${index}]`);
    if (seen.has(item.key)) throw new ConfigDeclarationError(`config[${index}].key: duplicate config key '${item.key}'`);
    seen.add(item.key);
    return item;
  });
}

function parseItem(entry: unknown, at: string): DeclaredConfigItem {
  const fail = (field: string, message: string): never => {
    throw new ConfigDeclarationError(`${at}${field ? `.${field}` : ''}: ${message}`);
  };
  if (!isPlainObject(entry)) return fail('', 'must be a mapping');
  for (const field of Object.keys(entry)) if (!ITEM_FIELDS.has(field)) fail('', `unknown field '${field}'`);

  const keyProblem = entry.key === undefined ? 'missing field' : configKeyError(entry.key);
  if (keyProblem !== undefined) fail('key', keyProblem);
  const key = entry.key as string;
  const type = entry.type;
  if (type === undefined) fail('type', 'missing field');
  if (!(DECLARED_CONFIG_TYPES as readonly unknown[]).includes(type)) fail('type', `expected one of ${DECLARED_CONFIG_TYPES.map((t) => `'${t}'`).join(', ')}`);

  const text = (field: string, maxBytes: number, required = false): string | null => {
    const v = entry[field];
    if (v === undefined || v === null) {
      if (required) fail(field, 'missing field');
      return null;
    }
    if (typeof v !== 'string') return fail(field, 'must be a string');
    if (required && v.trim() === '') fail(field, 'must not be empty');
    if (bytes(v) > maxBytes) fail(field, `must be at most ${maxBytes} bytes`);
    return v;
  };
  const flag = (field: string): boolean => {
    const v = entry[field];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') fail(field, 'must be a boolean');
    return v as boolean;
  };

  const description = text('description', CONFIG_LIMITS.maxDescriptionBytes, true) as string;
  let order: number | null = null;
  if (entry.order !== undefined && entry.order !== null) {
    if (typeof entry.order !== 'number' || !Number.isSafeInteger(entry.order)) fail('order', 'must be an integer');
    order = entry.order as number;
  }
  let format: DeclaredConfigFormat | null = null;
  if (entry.format !== undefined && entry.format !== null) {
    if (!(DECLARED_CONFIG_FORMATS as readonly unknown[]).includes(entry.format)) {
      fail('format', `expected one of ${DECLARED_CONFIG_FORMATS.map((f) => `'${f}'`).join(', ')}`);
    }
    format = entry.format as DeclaredConfigFormat;
  }
  const deprecated = flag('deprecated');
  const deprecationMessage = text('deprecation_message', CONFIG_LIMITS.maxDescriptionBytes);
  if (deprecated && (deprecationMessage === null || deprecationMessage.trim() === '')) fail('deprecation_message', 'is required when deprecated is true');

  const item: DeclaredConfigItem = {
    key,
    type: type as DeclaredConfigType,
    description,
    required: flag('required'),
    sensitive: flag('sensitive'),
    default: null,
    example: null,
    title: text('title', CONFIG_LIMITS.maxTitleBytes),
    group: text('group', CONFIG_LIMITS.maxGroupBytes),
    order,
    advanced: flag('advanced'),
    placeholder: text('placeholder', CONFIG_LIMITS.maxPlaceholderBytes),
    format,
    restart_required: flag('restart_required'),
    deprecated,
    deprecation_message: deprecationMessage,
    constraints: parseConstraints(entry.constraints, type as DeclaredConfigType, fail),
    options: parseOptions(entry.options, type as DeclaredConfigType, fail),
  };
  for (const field of ['default', 'example'] as const) {
    const v = entry[field];
    if (v === undefined || v === null) continue;
    try {
      item[field] = checkConfigValue(item, v).value;
    } catch (err) {
      fail(field, (err as Error).message);
    }
  }
  return item;
}

function parseConstraints(raw: unknown, type: DeclaredConfigType, fail: (field: string, message: string) => never): DeclaredConfigConstraints {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) return fail('constraints', 'must be a mapping');
  const allowed = type === 'integer' || type === 'float' ? ['minimum', 'maximum'] : type === 'string' ? ['min_length', 'max_length'] : [];
  const out: DeclaredConfigConstraints = {};
  for (const [name, v] of Object.entries(raw)) {
    if (!allowed.includes(name)) {
      fail(`constraints.${name}`, allowed.length === 0 ? `constraints are not supported for type '${type}'` : `not supported for type '${type}' (allowed: ${allowed.join(', ')})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`constraints.${name}`, 'must be a number');
    const n = v as number;
    if (type === 'integer' && !Number.isSafeInteger(n)) fail(`constraints.${name}`, 'must be an integer within -9007199254740991..9007199254740991');
    if (type === 'string') {
      if (!Number.isSafeInteger(n) || n < 0) fail(`constraints.${name}`, 'must be a non-negative integer');
      if (n > CONFIG_LIMITS.maxStringLength) fail(`constraints.${name}`, `must be at most ${CONFIG_LIMITS.maxStringLength}`);
    }
    out[name as keyof DeclaredConfigConstraints] = n;
  }
  if (out.minimum !== undefined && out.maximum !== undefined && out.minimum > out.maximum) fail('constraints', 'minimum must not exceed maximum');
  if (out.min_length !== undefined && out.max_length !== undefined && out.min_length > out.max_length) {
    fail('constraints', 'min_length must not exceed max_length');
  }
  return out;
}

function parseOptions(raw: unknown, type: DeclaredConfigType, fail: (field: string, message: string) => never): DeclaredConfigOption[] {
  if (type !== 'enum') {
    if (raw !== undefined && raw !== null) fail('options', `only enum items declare options (type is '${type}')`);
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) return fail('options', 'an enum item must declare at least one option');
  if (raw.length > CONFIG_LIMITS.maxOptions) fail('options', `at most ${CONFIG_LIMITS.maxOptions} options are allowed`);
  const seen = new Set<string>();
  return raw.map((option, i) => {
    const at = `options[${i}]`;
    if (!isPlainObject(option)) return fail(at, 'must be a mapping');
    for (const field of Object.keys(option)) if (!['value', 'label', 'description'].includes(field)) fail(at, `unknown field '${field}'`);
    if (typeof option.value !== 'string' || option.value === '') fail(`${at}.value`, 'must be a non-empty string');
    const value = option.value as string;
    if (bytes(value) > CONFIG_LIMITS.maxOptionValueBytes) fail(`${at}.value`, `must be at most ${CONFIG_LIMITS.maxOptionValueBytes} bytes`);
    if (seen.has(value)) fail(`${at}.value`, `duplicate option '${value}'`);
    seen.add(value);
    const optional = (field: 'label' | 'description', max: number): string | null => {
      const v = option[field];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string') return fail(`${at}.${field}`, 'must be a string');
      if (bytes(v) > max) fail(`${at}.${field}`, `must be at most ${max} bytes`);
      return v;
    };
    return { value, label: optional('label', CONFIG_LIMITS.maxOptionValueBytes), description: optional('description', CONFIG_LIMITS.maxDescriptionBytes) };
  });
}
