import { CodedError } from '../coded-error.js';

/**
 * Stable codes of {@link SkillPackageError}: why one skill package was refused. A refused package
 * is skipped and reported by {@link loadSkillSet}; it never stops the other skills.
 */
export const SKILL_PACKAGE_ERROR_CODES = [
  'skill_dir_unreadable',
  'manifest_missing',
  'manifest_unreadable',
  'manifest_parse',
  'skill_id_declared',
  'manifest_schema',
  'invalid_config_declaration',
  'invalid_config_validator',
  'skill_disabled',
  'invalid_identifier',
  'invalid_version',
  'no_entries',
  'entry_incomplete',
  'invalid_path',
  'entry_file_missing',
  'duplicate_entry',
  'input_schema_conflict',
  'input_schema_file',
  'invalid_input_schema',
  'entry_syntax',
  'dependency_failed',
] as const;

export type SkillPackageErrorCode = (typeof SKILL_PACKAGE_ERROR_CODES)[number];

/** One skill package that cannot be loaded; `message` is upstream's text where upstream has one. */
export class SkillPackageError extends CodedError<SkillPackageErrorCode> {
  override readonly name = 'SkillPackageError';
}

/**
 * A skill root chain that breaks the ROOT -> PROJECT -> USER rules. Thrown (never reported):
 * the host passed arguments no load can start from. Messages are upstream's, verbatim.
 */
export class SkillRootError extends Error {
  override readonly name = 'SkillRootError';
  readonly code = 'invalid_skill_roots' as const;
}
