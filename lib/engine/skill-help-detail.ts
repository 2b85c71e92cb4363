// One help flow of a loaded skill with its content, for LuaSkillsEngine.renderSkillHelpDetail:
// the flow's descriptor merged with the skill's help fields, and the rendered Markdown.
import { SkillCallError } from './skill-errors.js';
import type { InvocationContext, SkillsRuntime } from './skills-runtime.js';

/**
 * Flow `flowName` (`main` or a declared topic) of `skillId`: `.md` files verbatim, `.lua` ones run
 * in a pooled VM with `ctx`. Null when the skill is unknown; `help_not_found` for an empty,
 * undeclared or file-less flow.
 */
export async function renderSkillHelpFlow(skills: SkillsRuntime, skillId: string, flowName: string, ctx?: InvocationContext) {
  const set = skills.set;
  const skill = set?.registry.getSkill(skillId);
  const help = set?.registry.skillHelp(skillId);
  if (!set || !skill || !help) return null;
  const flow = flowName.trim();
  if (!flow) throw new SkillCallError('help_not_found', 'Help flow name must not be empty');
  const node = flow === 'main' ? help.main : help.flows.find((f) => f.flow_name === flow);
  const source = flow === 'main' ? skill.help.main : skill.help.topics.find((t) => t.name === flow);
  if (!node || !source) {
    throw new SkillCallError('help_not_found', `Skill '${skillId}' does not declare help flow '${flow}'`);
  }
  if (!source.path || !source.file) {
    throw new SkillCallError('help_not_found', `Skill '${skillId}' help flow '${flow}' has no file`);
  }
  const content = await skills.renderHelp(skill, source.path, source.file, ctx);
  const { main: _main, flows: _flows, ...skillFields } = help;
  return { ...skillFields, ...node, content_type: 'markdown' as const, content };
}
