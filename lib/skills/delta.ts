// The entry-registry delta a reload reports: which canonical names appeared, disappeared, or now
// describe something different. Computed on system-authority descriptors, as upstream does.
import type { RuntimeEntryDescriptor, RuntimeEntryRegistryDelta } from './descriptors.js';
import { SkillRegistry, compareNames } from './registry.js';

/** Structural equality of JSON-like values; object key order does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

type DescriptorSource = SkillRegistry | readonly RuntimeEntryDescriptor[] | null | undefined;

function descriptors(source: DescriptorSource): Map<string, RuntimeEntryDescriptor> {
  const list = source instanceof SkillRegistry ? source.listEntries('system') : (source ?? []);
  return new Map(list.map((entry) => [entry.canonical_name, entry]));
}

/**
 * The delta between two registries (or descriptor lists; `null` stands for "nothing loaded").
 * Each list is sorted by canonical name.
 */
export function diffEntryRegistries(previous: DescriptorSource, next: DescriptorSource): RuntimeEntryRegistryDelta {
  const before = descriptors(previous);
  const after = descriptors(next);
  const delta: RuntimeEntryRegistryDelta = { added_entries: [], removed_entry_names: [], updated_entries: [] };
  for (const name of [...after.keys()].sort(compareNames)) {
    const current = after.get(name)!;
    const old = before.get(name);
    if (!old) delta.added_entries.push(current);
    else if (!sameJson(old, current)) delta.updated_entries.push(current);
  }
  delta.removed_entry_names = [...before.keys()].filter((name) => !after.has(name)).sort(compareNames);
  return delta;
}

/** True when a delta carries nothing (upstream emits no event then). */
export function isEmptyRegistryDelta(delta: RuntimeEntryRegistryDelta): boolean {
  return delta.added_entries.length === 0 && delta.removed_entry_names.length === 0 && delta.updated_entries.length === 0;
}
