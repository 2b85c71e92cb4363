// Upstream 0.5.5's `config_validator`: a skill's own cross-field rules over its declared config.
// The script runs in a fresh Lua state opened with only the pure libraries (LuaVm option
// `libraries: 'safe'`), under a deadline and a memory cap, on the VM's thread; the state is closed
// after every run. Creating one costs about 0.1 ms, so a pool would buy nothing but shared state
// between runs, and values may be secrets.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Type, type Static } from '@sinclair/typebox';

import { luaText } from '../lua-files.js';
import { LuaError } from '../vm/errors.js';
import { LuaVm } from '../vm/lua-vm.js';
import { compileValidator } from '../vm/options.js';
import { SkillConfigError } from '../vulcan/config-errors.js';
import { CONFIG_LIMITS, DECLARED_CONFIG_TYPES, type DeclaredConfigType } from './config-declaration.js';

/** One business issue a validator reported: a cross-field rule the values break. */
export interface ConfigBusinessIssue {
  /** The declared key the issue is about; absent for an issue about the whole configuration. */
  key?: string;
  /** The validator's own code, e.g. `"RANGE_ORDER"`. */
  code: string;
  /** Text for people; written by the skill, so it may quote values the skill chose to quote. */
  message: string;
}

/** Defaults and caps of {@link runConfigValidator}. */
export const CONFIG_VALIDATOR_LIMITS = {
  defaultTimeoutMs: 1000,
  maxTimeoutMs: 600_000,
  defaultMemoryLimitBytes: 16 * 1024 * 1024,
  minMemoryLimitBytes: 256 * 1024,
  maxMemoryLimitBytes: 1024 * 1024 * 1024,
  /** Issues one run may return. */
  maxIssues: 256,
  /** Characters (Unicode scalars) of one issue's `code` / `message`. */
  maxCodeChars: 128,
  maxMessageChars: 4096,
  /** Bytes of the script file. */
  maxSourceBytes: 1024 * 1024,
  /**
   * The smallest wait, past the deadline, for a run stuck inside one library call (a pathological
   * string pattern: Lua checks deadlines only between instructions). The wait is
   * max(this, timeoutMs).
   */
  minStuckGraceMs: 250,
} as const;

const ConfigValueSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** The request of {@link runConfigValidator}. */
export const RunConfigValidatorRequestSchema = Type.Object(
  {
    /** Named in error messages. */
    skillId: Type.String({ minLength: 1 }),
    /** Absolute path of the script (`SkillPackage.config_validator_path`). */
    file: Type.String({ minLength: 1 }),
    /** The effective typed values; a key with no value (nothing stored, no default) is absent. */
    values: Type.Record(Type.String(), ConfigValueSchema),
    /**
     * The package's declared items (`SkillPackage.config`; only `key` and `type` are read). When
     * given, every value key and every issue key must be declared, and float items reach Lua as
     * floats even when whole.
     */
    declared: Type.Optional(
      Type.Array(Type.Object({ key: Type.String(), type: Type.Union(DECLARED_CONFIG_TYPES.map((t) => Type.Literal(t))) })),
    ),
    timeoutMs: Type.Optional(Type.Number({ minimum: 1, maximum: CONFIG_VALIDATOR_LIMITS.maxTimeoutMs })),
    memoryLimitBytes: Type.Optional(
      Type.Integer({ minimum: CONFIG_VALIDATOR_LIMITS.minMemoryLimitBytes, maximum: CONFIG_VALIDATOR_LIMITS.maxMemoryLimitBytes }),
    ),
  },
  { additionalProperties: false },
);
export type RunConfigValidatorRequest = Static<typeof RunConfigValidatorRequestSchema>;

const validateRequest = compileValidator(RunConfigValidatorRequestSchema, 'runConfigValidator request');

interface RunnerResult {
  issues?: ConfigBusinessIssue[];
  problem?: string;
}

/**
 * Runs a skill's `config_validator` script over `values` and resolves with its issues (`[]` when
 * the values pass). The script returns `function(values) -> { {key?, code, message}, ... }`.
 *
 * Throws `TypeError` for a malformed request. Rejects with {@link SkillConfigError}:
 * `config_validator_timeout` when the run passes `timeoutMs`; `config_validator_failed` when the
 * file cannot be read, does not compile, does not return a function, raises an error, runs out of
 * memory, or returns something other than a list of at most 256 well-formed issues. Messages
 * never contain config values; for a Lua error only its position is in the message, and the
 * {@link LuaError} itself (whose text the script wrote) is the `cause`.
 */
export async function runConfigValidator(request: RunConfigValidatorRequest): Promise<ConfigBusinessIssue[]> {
  const r = validateRequest(request);
  if (!path.isAbsolute(r.file)) throw new TypeError('Invalid runConfigValidator request.file: expected an absolute path');
  const declaredTypes = r.declared === undefined ? undefined : new Map(r.declared.map((item) => [item.key, item.type]));
  if (declaredTypes !== undefined) {
    for (const key of Object.keys(r.values)) {
      if (!declaredTypes.has(key)) throw new TypeError(`Invalid runConfigValidator request.values: '${key}' is not a declared key`);
    }
  }
  const timeoutMs = r.timeoutMs ?? CONFIG_VALIDATOR_LIMITS.defaultTimeoutMs;
  const memoryLimitBytes = r.memoryLimitBytes ?? CONFIG_VALIDATOR_LIMITS.defaultMemoryLimitBytes;
  const where = `skill ${r.skillId}: config_validator ${r.file}`;
  const failed = (message: string, cause?: unknown): SkillConfigError =>
    new SkillConfigError('config_validator_failed', `${where} ${message}`, cause === undefined ? undefined : { cause });

  const source = await readSource(r.file, failed);
  let vm: LuaVm;
  try {
    vm = new LuaVm({ libraries: 'safe', memoryLimitBytes });
  } catch (err) {
    throw failed(`cannot start: ${(err as Error).message}`, err);
  }
  const floats = [...(declaredTypes ?? [])].filter(([key, type]) => type === 'float' && Object.hasOwn(r.values, key)).map(([key]) => key);
  const job = vm.exec(luaText('config-validator-runner.lua'), {
    chunkName: '@luaskills/config-validator-runner.lua',
    timeoutMs,
    args: {
      source,
      name: `@${path.basename(r.file)}`,
      values: r.values,
      floats,
      max_issues: CONFIG_VALIDATOR_LIMITS.maxIssues,
      max_code_chars: CONFIG_VALIDATOR_LIMITS.maxCodeChars,
      max_message_chars: CONFIG_VALIDATOR_LIMITS.maxMessageChars,
      max_key_chars: CONFIG_LIMITS.maxKeyBytes,
    },
  });
  // close() never blocks: on a job still inside a library call it only asks it to stop, and the
  // state is released when that call returns.
  const settled = job.finally(() => vm.close());
  let result: RunnerResult;
  try {
    result = (await withStuckGuard(settled, timeoutMs, () => vm.close())) as RunnerResult;
  } catch (err) {
    if (err === STUCK) {
      throw new SkillConfigError('config_validator_timeout', `${where} did not finish within ${timeoutMs} ms (stuck inside one library call)`);
    }
    throw luaFailure(err, where, timeoutMs, memoryLimitBytes, failed);
  }
  if (typeof result?.problem === 'string') throw failed(result.problem);
  return checkedIssues(result?.issues, declaredTypes, failed);
}

/** The script's bytes, unchanged: Lua reads bytes, and a non-UTF-8 string literal must stay as written. */
async function readSource(file: string, failed: (message: string, cause?: unknown) => SkillConfigError): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw failed(`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  if (bytes.length > CONFIG_VALIDATOR_LIMITS.maxSourceBytes) throw failed(`is larger than ${CONFIG_VALIDATOR_LIMITS.maxSourceBytes} bytes`);
  return bytes;
}

const STUCK = Symbol('stuck');

/** `job`, or a rejection with {@link STUCK} once the deadline plus the grace has passed. */
async function withStuckGuard<T>(job: Promise<T>, timeoutMs: number, onStuck: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onStuck();
      reject(STUCK);
    }, timeoutMs + Math.max(CONFIG_VALIDATOR_LIMITS.minStuckGraceMs, timeoutMs));
  });
  try {
    return await Promise.race([job, guard]);
  } finally {
    clearTimeout(timer);
  }
}

function luaFailure(
  err: unknown,
  where: string,
  timeoutMs: number,
  memoryLimitBytes: number,
  failed: (message: string, cause?: unknown) => SkillConfigError,
): Error {
  if (!(err instanceof LuaError)) return failed(`failed: ${(err as Error)?.message ?? String(err)}`, err);
  switch (err.code) {
    case 'timeout':
      return new SkillConfigError('config_validator_timeout', `${where} did not finish within ${timeoutMs} ms`, { cause: err });
    case 'memory_limit':
      return failed(`ran out of memory (limit ${memoryLimitBytes} bytes)`, err);
    case 'conversion':
      return failed('returned a value that cannot leave Lua', err);
    default: {
      const at = err.source !== undefined && err.line !== undefined && err.line > 0 ? ` at ${err.source}:${err.line}` : '';
      return failed(`raised a Lua error${at}`, err);
    }
  }
}

function checkedIssues(
  issues: ConfigBusinessIssue[] | undefined,
  declaredTypes: Map<string, string> | undefined,
  failed: (message: string) => SkillConfigError,
): ConfigBusinessIssue[] {
  if (!Array.isArray(issues)) throw failed('returned no issue list');
  return issues.map((issue, index) => {
    const out: ConfigBusinessIssue = { code: issue.code, message: issue.message };
    if (issue.key !== undefined) {
      if (declaredTypes !== undefined && !declaredTypes.has(issue.key)) throw failed(`issue ${index + 1}: key is not a declared config key`);
      out.key = issue.key;
    }
    return out;
  });
}

/**
 * What the config store calls for `business_issues`: runs the package's validator (null when it
 * declares none) with the default limits. A validator that fails or times out becomes one issue
 * carrying the error's code and value-free message, so describe/validate still answer.
 */
export function businessIssuesOf(
  pkg: { skill_id: string; config: readonly { key: string; type: DeclaredConfigType }[]; config_validator_path: string | null } | undefined,
  values: Record<string, string | number | boolean>,
): Promise<ConfigBusinessIssue[]> | null {
  if (!pkg?.config_validator_path) return null;
  return runConfigValidator({ skillId: pkg.skill_id, file: pkg.config_validator_path, values, declared: pkg.config.map(({ key, type }) => ({ key, type })) }).catch(
    (err: unknown) => [{ code: err instanceof SkillConfigError ? err.code : 'config_validator_failed', message: (err as Error).message }],
  );
}
