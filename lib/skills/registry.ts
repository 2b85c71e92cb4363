// The canonical entry registry: `{skill_id}-{entry}` names with -2, -3... on collisions, reserved
// names skipped, everything in a deterministic (byte) order, plus the read-only queries hosts
// make against it. Built from loaded packages; immutable afterwards (a reload builds a new one).
import {
  checkAuthority,
  isVisibleTo,
  type RuntimeEntryDescriptor,
  type RuntimeHelpNodeDescriptor,
  type RuntimeSkillHelpDescriptor,
  type SkillAuthority,
} from './descriptors.js';
import type { SkillEntry, SkillPackage } from './manifest.js';

/** One registered entry: its canonical name and what it points at. */
export interface RegisteredSkillEntry {
  canonical_name: string;
  skill: SkillPackage;
  entry: SkillEntry;
}

/** Options of {@link SkillRegistry}. */
export interface SkillRegistryOptions {
  /** Canonical names the registry must never assign (host tools, for instance). Compared exactly. */
  reservedEntryNames?: readonly string[];
}

/** Byte-order comparison, as Rust compares strings (never locale-aware). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const order = compareNames(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

interface Seed {
  base: string;
  tuple: string[];
  skill: SkillPackage;
  entry: SkillEntry;
}

/** Canonical names for every entry: upstream's seeds, sort tuple and suffix loop. */
function assignCanonicalNames(skills: readonly SkillPackage[], reserved: readonly string[]): RegisteredSkillEntry[] {
  const seeds: Seed[] = [];
  for (const skill of skills) {
    const directoryName = skill.skill_dir.split(/[\\/]/).pop() ?? '';
    for (const entry of skill.entries) {
      const base = `${skill.skill_id}-${entry.name}`;
      seeds.push({ base, tuple: [base, directoryName, skill.skill_id, entry.name, entry.lua_module], skill, entry });
    }
  }
  seeds.sort((a, b) => compareTuples(a.tuple, b.tuple));
  const occupied = new Set(reserved);
  const counters = new Map<string, number>();
  const out: RegisteredSkillEntry[] = [];
  for (const seed of seeds) {
    let index = counters.get(seed.base) ?? 0;
    let candidate: string;
    do {
      index += 1;
      candidate = index === 1 ? seed.base : `${seed.base}-${index}`;
    } while (occupied.has(candidate));
    counters.set(seed.base, index);
    occupied.add(candidate);
    out.push({ canonical_name: candidate, skill: seed.skill, entry: seed.entry });
  }
  return out.sort((a, b) => compareNames(a.canonical_name, b.canonical_name));
}

/** The entry registry of one loaded skill set. */
export class SkillRegistry {
  readonly #skills: ReadonlyMap<string, SkillPackage>;
  readonly #entries: ReadonlyMap<string, RegisteredSkillEntry>;
  /** skill id -> local entry name -> canonical name. */
  readonly #names: ReadonlyMap<string, ReadonlyMap<string, string>>;

  /**
   * Throws a `TypeError` when two packages share a skill id or one package repeats a local entry
   * name: {@link loadSkillSet} never produces either, so only hand-built inputs can.
   */
  constructor(packages: readonly SkillPackage[], options: SkillRegistryOptions = {}) {
    const skills = new Map<string, SkillPackage>();
    for (const skill of [...packages].sort((a, b) => compareNames(a.skill_id, b.skill_id))) {
      if (skills.has(skill.skill_id)) throw new TypeError(`SkillRegistry: skill id '${skill.skill_id}' appears twice`);
      const local = new Set<string>();
      for (const entry of skill.entries) {
        if (local.has(entry.name)) throw new TypeError(`SkillRegistry: skill '${skill.skill_id}' repeats entry '${entry.name}'`);
        local.add(entry.name);
      }
      skills.set(skill.skill_id, skill);
    }
    const registered = assignCanonicalNames([...skills.values()], options.reservedEntryNames ?? []);
    const names = new Map<string, Map<string, string>>();
    for (const item of registered) {
      let perSkill = names.get(item.skill.skill_id);
      if (!perSkill) names.set(item.skill.skill_id, (perSkill = new Map()));
      perSkill.set(item.entry.name, item.canonical_name);
    }
    this.#skills = skills;
    this.#entries = new Map(registered.map((item) => [item.canonical_name, item]));
    this.#names = names;
  }

  /** Loaded packages, sorted by skill id. */
  get skills(): SkillPackage[] {
    return [...this.#skills.values()];
  }

  /** Registered entries, sorted by canonical name. */
  get entries(): RegisteredSkillEntry[] {
    return [...this.#entries.values()];
  }

  /** Number of registered entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The package with this id, if loaded. */
  getSkill(skillId: string): SkillPackage | undefined {
    return this.#skills.get(skillId);
  }

  /** The entry behind a canonical name (exact match, as `call_skill` looks it up). */
  resolve(canonicalName: string): RegisteredSkillEntry | undefined {
    return this.#entries.get(canonicalName);
  }

  /** The canonical name given to a skill's local entry. */
  canonicalNameOf(skillId: string, localName: string): string | undefined {
    return this.#names.get(skillId)?.get(localName);
  }

  /** `list_entries` / `list_entries_for_authority`: descriptors sorted by canonical name. */
  listEntries(authority: SkillAuthority = 'system'): RuntimeEntryDescriptor[] {
    const who = checkAuthority(authority);
    return this.entries.filter((item) => isVisibleTo(who, item.skill.root_name)).map(entryDescriptor);
  }

  /** `is_skill`: whether `toolName` is a canonical entry name visible to `authority`. */
  isSkill(toolName: string, authority: SkillAuthority = 'system'): boolean {
    return this.skillNameForTool(toolName, authority) !== undefined;
  }

  /** `skill_name_for_tool`: the skill id owning a canonical entry name, if visible. */
  skillNameForTool(toolName: string, authority: SkillAuthority = 'system'): string | undefined {
    const who = checkAuthority(authority);
    const item = this.#entries.get(toolName);
    return item && isVisibleTo(who, item.skill.root_name) ? item.skill.skill_id : undefined;
  }

  /** `list_skill_help`: one help descriptor per visible skill, sorted by skill id. */
  listSkillHelp(authority: SkillAuthority = 'system'): RuntimeSkillHelpDescriptor[] {
    const who = checkAuthority(authority);
    return this.skills.filter((skill) => isVisibleTo(who, skill.root_name)).map((skill) => this.#helpDescriptor(skill));
  }

  /** The help descriptor of one skill, or `undefined` when unknown or hidden from `authority`. */
  skillHelp(skillId: string, authority: SkillAuthority = 'system'): RuntimeSkillHelpDescriptor | undefined {
    const who = checkAuthority(authority);
    const skill = this.#skills.get(skillId);
    return skill && isVisibleTo(who, skill.root_name) ? this.#helpDescriptor(skill) : undefined;
  }

  #helpDescriptor(skill: SkillPackage): RuntimeSkillHelpDescriptor {
    const canonical = (entry: SkillEntry): string => this.canonicalNameOf(skill.skill_id, entry.name) ?? entry.name;
    const main: RuntimeHelpNodeDescriptor = {
      flow_name: 'main',
      description: skill.help.main.description,
      related_entries: skill.entries.map(canonical),
      is_main: true,
    };
    const flows = skill.help.topics.map((topic) => ({
      flow_name: topic.name,
      description: topic.description,
      related_entries: skill.entries.filter((entry) => entry.help === topic.name).map(canonical),
      is_main: false,
    }));
    return {
      skill_id: skill.skill_id,
      skill_name: skill.name,
      skill_version: skill.version,
      root_name: skill.root_name,
      skill_dir: skill.skill_dir,
      main,
      flows,
    };
  }
}

/** The `list_entries` descriptor of one registered entry. */
export function entryDescriptor(item: RegisteredSkillEntry): RuntimeEntryDescriptor {
  return {
    canonical_name: item.canonical_name,
    skill_id: item.skill.skill_id,
    local_name: item.entry.name,
    root_name: item.skill.root_name,
    skill_dir: item.skill.skill_dir,
    description: item.entry.description,
    parameters: item.entry.parameters.map((parameter) => ({ ...parameter })),
    input_schema: structuredClone(item.entry.input_schema),
  };
}
