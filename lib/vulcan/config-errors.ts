import { CodedError } from '../coded-error.js';

/** Stable codes of {@link SkillConfigError}. */
export const SKILL_CONFIG_ERROR_CODES = [
  'invalid_skill_id',
  'invalid_key',
  'invalid_value',
  'config_path_unavailable',
  'config_corrupt',
  'config_io',
] as const;
export type SkillConfigErrorCode = (typeof SKILL_CONFIG_ERROR_CODES)[number];

/** A refusal or failure of the skill config store. */
export class SkillConfigError extends CodedError<SkillConfigErrorCode> {
  override readonly name = 'SkillConfigError';
}
