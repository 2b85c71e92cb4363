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
export class SkillCallError extends Error {
  override readonly name = 'SkillCallError';
  constructor(
    readonly code: SkillCallErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
