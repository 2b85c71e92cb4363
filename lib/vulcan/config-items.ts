// Checks shared by the config store's operations: skill ids, keys, and the state of a declared
// item given its stored string (upstream 0.5.5's five states).
import { ConfigValueIssue, checkConfigValue, type DeclaredConfigItem, type SkillConfigValue } from '../skills/config-declaration.js';
import { identifierError } from '../skills/identifiers.js';
import { SkillConfigError, type SkillConfigErrorCode } from './config-errors.js';
import type { SkillConfigIssue, SkillConfigItemDescription } from './config-types.js';

export function checkSkillId(skillId: unknown): string {
  if (typeof skillId !== 'string') throw new SkillConfigError('invalid_skill_id', `invalid skill config skill_id: ${String(skillId)}`);
  const problem = identifierError(skillId, 'skill_id');
  if (problem) throw new SkillConfigError('invalid_skill_id', `invalid skill config skill_id: ${problem}`);
  return skillId;
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new SkillConfigError('invalid_key', 'skill config key must be a string');
  const trimmed = key.trim();
  if (!trimmed) throw new SkillConfigError('invalid_key', 'skill config key must not be empty');
  if (trimmed.includes('\0')) throw new SkillConfigError('invalid_key', 'skill config key must not contain NUL bytes');
  return trimmed;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The declaration of `key`, or CONFIG_KEY_UNDECLARED. */
export function declaredKey(skillId: string, items: readonly DeclaredConfigItem[], key: unknown): DeclaredConfigItem {
  if (typeof key !== 'string') throw new SkillConfigError('invalid_key', 'skill config key must be a string');
  const item = items.find((i) => i.key === key);
  if (!item) {
    const shown = key.length > 128 ? `${key.slice(0, 128)}...` : key;
    throw new SkillConfigError('config_key_undeclared', `CONFIG_KEY_UNDECLARED: skill '${skillId}' does not declare config key '${shown}'`);
  }
  return item;
}

export interface ItemState {
  state: SkillConfigItemDescription['state'];
  value?: SkillConfigValue;
  issue?: SkillConfigIssue;
}

/** The state of one declared item given its stored string. */
export function itemState(item: DeclaredConfigItem, stored: string | undefined): ItemState {
  if (stored !== undefined) {
    try {
      return { state: 'configured', value: checkConfigValue(item, stored).value };
    } catch (err) {
      if (!(err instanceof ConfigValueIssue)) throw err;
      return { state: 'invalid', issue: { key: item.key, code: err.problem, message: err.message } };
    }
  }
  if (item.default !== null) return { state: 'default', value: item.default };
  return { state: item.required ? 'missing' : 'unset' };
}

export const issueCode = (problem: string): SkillConfigErrorCode => problem.toLowerCase() as SkillConfigErrorCode;

/** A value for a declared item, typed and as its canonical stored string; refusals are SkillConfigErrors. */
export function checkDeclaredValue(item: DeclaredConfigItem, value: unknown): { value: SkillConfigValue; stored: string } {
  try {
    return checkConfigValue(item, value);
  } catch (err) {
    if (err instanceof ConfigValueIssue) throw new SkillConfigError(issueCode(err.problem), err.message);
    throw err;
  }
}

/** Whether every required item has a value and no stored value is invalid. */
export function declaredComplete(items: readonly DeclaredConfigItem[], stored: Readonly<Record<string, string>>): boolean {
  return items.every((item) => {
    const s = itemState(item, stored[item.key]).state;
    return s !== 'missing' && s !== 'invalid';
  });
}

/**
 * Each declared item with its state (and, with `includeValues`, its effective value; `masked`
 * instead for a sensitive one), plus every item's effective value for the package's validator.
 */
export function describeItems(
  items: readonly DeclaredConfigItem[],
  stored: Readonly<Record<string, string>>,
  includeValues: boolean,
): { items: SkillConfigItemDescription[]; effective: Record<string, SkillConfigValue> } {
  const effective: Record<string, SkillConfigValue> = {};
  const described = items.map((item): SkillConfigItemDescription => {
    const state = itemState(item, stored[item.key]);
    const out: SkillConfigItemDescription = {
      ...item,
      constraints: { ...item.constraints },
      options: item.options.map((o) => ({ ...o })),
      state: state.state,
      satisfied: state.state !== 'missing' && state.state !== 'invalid',
    };
    if (state.issue) out.issue = state.issue;
    if (state.value !== undefined) effective[item.key] = state.value;
    if (includeValues && state.value !== undefined) {
      if (item.sensitive) out.masked = true;
      else out.value = state.value;
    }
    return out;
  });
  return { items: described, effective };
}
