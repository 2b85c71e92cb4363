// The host-visible shapes of loaded skills: upstream's JSON field names, so the typed API and the
// `_json` surfaces print the same objects.
import type { JsonObject, RuntimeEntryParameterDescriptor } from './input-schema.js';
import type { SkillRootName } from './roots.js';

/** Who asks: `system` sees every skill; `delegated_tool` does not see skills of the ROOT layer. */
export type SkillAuthority = 'system' | 'delegated_tool';
export const SKILL_AUTHORITIES: readonly SkillAuthority[] = ['system', 'delegated_tool'];

/** One entry of `list_entries`. */
export interface RuntimeEntryDescriptor {
  /** `{skill_id}-{entry}` or, after a collision, `{skill_id}-{entry}-N`. */
  canonical_name: string;
  skill_id: string;
  local_name: string;
  root_name: SkillRootName;
  skill_dir: string;
  description: string;
  parameters: RuntimeEntryParameterDescriptor[];
  input_schema: JsonObject;
}

/** One node of a skill's help tree (without its rendered content). */
export interface RuntimeHelpNodeDescriptor {
  /** `main` for the main node, else the topic name. */
  flow_name: string;
  description: string;
  /** Canonical names: every entry of the skill for `main`, else the entries whose `help` names the topic. */
  related_entries: string[];
  is_main: boolean;
}

/** One skill of `list_skill_help`. */
export interface RuntimeSkillHelpDescriptor {
  skill_id: string;
  skill_name: string;
  skill_version: string;
  root_name: SkillRootName;
  skill_dir: string;
  main: RuntimeHelpNodeDescriptor;
  flows: RuntimeHelpNodeDescriptor[];
}

/** What changed in the entry registry across a reload (upstream's event payload). */
export interface RuntimeEntryRegistryDelta {
  /** Entries whose canonical name is new, by canonical name. */
  added_entries: RuntimeEntryDescriptor[];
  /** Canonical names that are gone, sorted. */
  removed_entry_names: string[];
  /** Entries whose canonical name stayed but whose descriptor changed, by canonical name. */
  updated_entries: RuntimeEntryDescriptor[];
}

/** True when `authority` may see a skill of layer `rootName`. */
export function isVisibleTo(authority: SkillAuthority, rootName: SkillRootName): boolean {
  return authority === 'system' || rootName !== 'ROOT';
}

/** Throws a `TypeError` naming the value unless it is `system` or `delegated_tool`. */
export function checkAuthority(authority: unknown): SkillAuthority {
  if (authority === 'system' || authority === 'delegated_tool') return authority;
  throw new TypeError(`Invalid authority: expected 'system' or 'delegated_tool', got ${JSON.stringify(authority)}`);
}
