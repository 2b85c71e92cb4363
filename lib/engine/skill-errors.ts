import { CodedError } from '../coded-error.js';

/** Stable codes of {@link SkillCallError}. */
export const SKILL_CALL_ERROR_CODES = [
  'skill_not_found',
  'skill_error',
  'invalid_result',
  'invalid_context',
  'timeout',
  'cancelled',
  'not_loaded',
  'engine_closed',
  'help_not_found',
] as const;

export type SkillCallErrorCode = (typeof SKILL_CALL_ERROR_CODES)[number];

/**
 * A failed skill call, run_lua or help render. Messages are upstream's (`Lua skill '<name>'
 * error: …`, `Lua run_lua error: …`); `cause` keeps the LuaError with its traceback.
 */
export class SkillCallError extends CodedError<SkillCallErrorCode> {
  override readonly name = 'SkillCallError';
  constructor(code: SkillCallErrorCode, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}
