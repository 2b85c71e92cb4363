import { CodedError } from '../coded-error.js';

/** Stable codes of {@link SkillConfigError}. */
export const SKILL_CONFIG_ERROR_CODES = [
  'invalid_skill_id',
  'invalid_key',
  'invalid_value',
  'config_path_unavailable',
  'config_corrupt',
  'config_io',
  // 0.5.5 declared config; the message starts with upstream's upper-case code (e.g. CONFIG_KEY_UNDECLARED).
  'config_key_invalid',
  'config_key_undeclared',
  'config_value_type_invalid',
  'config_value_out_of_range',
  'config_value_too_long',
  'config_enum_value_invalid',
  'config_batch_empty',
  'config_batch_too_large',
  'config_package_not_found',
  'config_revision_invalid',
  'config_revision_conflict',
  'config_revision_exhausted',
  'config_lock_failed',
  'config_lock_timeout',
  'config_event_limit_invalid',
  'config_event_sequence_invalid',
  // config_validator runs (lib/skills/config-validator.ts).
  'config_validator_timeout',
  'config_validator_failed',
] as const;
export type SkillConfigErrorCode = (typeof SKILL_CONFIG_ERROR_CODES)[number];

/** A refusal or failure of the skill config store. */
export class SkillConfigError extends CodedError<SkillConfigErrorCode> {
  override readonly name = 'SkillConfigError';
}
