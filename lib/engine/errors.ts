import { CodedError } from '../coded-error.js';

/** Stable codes of {@link LuaSkillsEngineError}. */
export const ENGINE_ERROR_CODES = ['engine_closed'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** A refusal by the engine itself (not by a lease or a skill). */
export class LuaSkillsEngineError extends CodedError<EngineErrorCode> {
  override readonly name = 'LuaSkillsEngineError';
}
