// Renders one help flow for the MCP surfaces that show help (resources/read, prompts/get), with
// one visibility rule and one error split: an unknown (or hidden) skill, an unknown flow, a help
// that failed to render.
import { CodedError } from '../coded-error.js';
import type { LuaSkillsEngine } from '../engine/engine.js';
import type { InvocationContext } from '../engine/skills-runtime.js';
import type { SkillAuthority } from '../skills/descriptors.js';

/** A rendered help flow. */
export interface RenderedHelp {
  /** The help node's description. */
  description: string;
  /** The Markdown text (a `.md` file as it is, or what a `.lua` help returned). */
  content: string;
}

/** Why a help flow could not be rendered. */
export type HelpRenderErrorCode = 'skill_not_found' | 'flow_not_found' | 'render_failed';

/** A help flow that could not be rendered; `code` says why (the cause, when there was one). */
export class HelpRenderError extends CodedError<HelpRenderErrorCode> {
  constructor(code: HelpRenderErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'HelpRenderError';
  }
}

/**
 * Renders `flow` of `skillId` as `authority` sees it. Throws {@link HelpRenderError}:
 * `skill_not_found` (unknown, or hidden from `authority`), `flow_not_found` (no such flow, or a
 * flow without a file), `render_failed` (a `.lua` help that failed).
 */
export async function renderHelpFlow(
  engine: LuaSkillsEngine,
  authority: SkillAuthority,
  skillId: string,
  flow: string,
  ctx: InvocationContext,
): Promise<RenderedHelp> {
  const visible = engine.listSkillHelp(authority).some((s) => s.skill_id === skillId);
  if (!visible) throw new HelpRenderError('skill_not_found', `Unknown skill '${skillId}'`);
  let detail;
  try {
    detail = await engine.renderSkillHelpDetail(skillId, flow, ctx);
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    throw new HelpRenderError(code === 'help_not_found' ? 'flow_not_found' : 'render_failed', message, { cause: err });
  }
  // Null: the skill went away between the check and the render (a reload in between).
  if (!detail) throw new HelpRenderError('skill_not_found', `Unknown skill '${skillId}'`);
  return { description: detail.description, content: detail.content };
}
