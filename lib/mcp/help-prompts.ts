// Skill help as MCP prompts: one prompt per skill, `<skill_id>-help`, whose optional `flow`
// argument picks the help flow (`main` by default). A client shows them as "slash commands"; the
// prompt puts the rendered help into the conversation as a user message.
//
// Why one prompt per skill and not one per flow: the flows are the argument's values (offered
// through completion/complete), and the name stays within the characters MCP clients accept in
// names (letters, digits, `_`, `-`, `.`) — a `skill/flow` name would not.
import { ErrorCode, McpError, type GetPromptResult, type Prompt } from '@modelcontextprotocol/sdk/types.js';

import type { LuaSkillsEngine } from '../engine/engine.js';
import type { InvocationContext } from '../engine/skills-runtime.js';
import type { SkillAuthority } from '../skills/descriptors.js';
import { HelpRenderError, renderHelpFlow } from './help-render.js';

const SUFFIX = '-help';

/** The `_meta` key of a help prompt and of its result: `{ skill_id, flows }` / `{ skill_id, flow_name }`. */
export const HELP_PROMPT_META_KEY = 'luaskills/help';

/** The prompt name of a skill's help. */
export function helpPromptName(skillId: string): string {
  return `${skillId}${SUFFIX}`;
}

/** The skill id of a help prompt name, or null when `name` is not one. */
export function parseHelpPromptName(name: string): string | null {
  return name.endsWith(SUFFIX) && name.length > SUFFIX.length ? name.slice(0, -SUFFIX.length) : null;
}

/** The prompts/list view of the engine's help trees: one prompt per skill, sorted by skill id. */
export function listHelpPrompts(engine: LuaSkillsEngine, authority: SkillAuthority = 'system'): Prompt[] {
  return engine.listSkillHelp(authority).map((skill) => {
    const flows = [skill.main, ...skill.flows].map((node) => node.flow_name);
    return {
      name: helpPromptName(skill.skill_id),
      title: `${skill.skill_name}: help`,
      description: skill.main.description,
      arguments: [
        { name: 'flow', description: `The help flow: ${flows.join(', ')} (default main).`, required: false },
      ],
      _meta: { [HELP_PROMPT_META_KEY]: { skill_id: skill.skill_id, flows } },
    };
  });
}

/** The flow names of the skill behind a help prompt (for completion), or [] when there is none. */
export function helpPromptFlows(engine: LuaSkillsEngine, authority: SkillAuthority, name: string): string[] {
  const skillId = parseHelpPromptName(name);
  const skill = skillId === null ? undefined : engine.listSkillHelp(authority).find((s) => s.skill_id === skillId);
  return skill ? [skill.main, ...skill.flows].map((node) => node.flow_name) : [];
}

/**
 * prompts/get of a help prompt: the rendered flow as one user message. An unknown prompt or flow
 * is MCP's invalid-params error (-32602, as the spec says for prompts); a `.lua` help that fails
 * is -32603.
 */
export async function getHelpPrompt(
  engine: LuaSkillsEngine,
  authority: SkillAuthority,
  name: string,
  args: Record<string, string> | undefined,
  ctx: InvocationContext,
): Promise<GetPromptResult> {
  const skillId = parseHelpPromptName(name);
  if (skillId === null) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`, { name });
  const flow = args?.flow === undefined || args.flow.trim() === '' ? 'main' : args.flow.trim();
  let help;
  try {
    help = await renderHelpFlow(engine, authority, skillId, flow, ctx);
  } catch (err) {
    if (err instanceof HelpRenderError && err.code === 'skill_not_found') {
      throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`, { name });
    }
    if (err instanceof HelpRenderError && err.code === 'flow_not_found') {
      throw new McpError(ErrorCode.InvalidParams, err.message, { name, flow });
    }
    throw new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err), { name, flow });
  }
  return {
    description: help.description,
    messages: [{ role: 'user', content: { type: 'text', text: help.content } }],
    _meta: { [HELP_PROMPT_META_KEY]: { skill_id: skillId, flow_name: flow } },
  };
}
