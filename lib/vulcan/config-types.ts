// The public shapes of the skill config store (upstream 0.5.5 field names, snake_case because
// they are also the JSON surfaces' results).
import type { DeclaredConfigItem, SkillConfigValue } from '../skills/config-declaration.js';
import type { SkillConfigStoreScope } from './config-events.js';

export type { SkillConfigStoreScope } from './config-events.js';

/** One stored value, as persisted (a string). */
export interface SkillConfigEntry {
  /** The store the value lives in. */
  store_scope: SkillConfigStoreScope;
  skill_id: string;
  key: string;
  /** The stored string; {@link SENSITIVE_CONFIG_MASK} for a value declared `sensitive`. */
  value: string;
  /** Present (true) when the value is declared sensitive and therefore masked. */
  sensitive?: true;
}

/** What list/describe output shows instead of a sensitive value. */
export const SENSITIVE_CONFIG_MASK = '********';

/** What the store needs to know of a loaded skill package. */
export interface SkillConfigPackage {
  /** The declared `config:` items (empty: 0.4.6 string config). */
  config: readonly DeclaredConfigItem[];
  /** ROOT skills keep their values in the `system-skills` store. */
  root_name: string;
  version: string;
}

/** The loaded package of a skill id, `undefined` when it is not loaded. */
export type SkillConfigPackageSource = (skillId: string) => SkillConfigPackage | undefined;

/** A cross-field issue found by a package's `config_validator` (upstream `business_issues`). */
export interface SkillConfigBusinessIssue {
  key?: string;
  code: string;
  message: string;
}

/** Runs a skill's `config_validator` on its effective values (set by the engine). */
export type SkillConfigBusinessValidator = (skillId: string, values: Record<string, SkillConfigValue>) => Promise<SkillConfigBusinessIssue[]> | null;

export interface SkillConfigGetResult {
  found: boolean;
  skill_id: string;
  key: string;
  /** Typed for a declared key (the stored value, else the declared default); a string otherwise. */
  value?: SkillConfigValue;
  /** Declared keys only: where the value comes from. */
  state?: 'configured' | 'default';
}

export interface SkillConfigSetResult {
  action: 'set';
  skill_id: string;
  store_scope: SkillConfigStoreScope;
  /** The store revision after the write (unchanged when nothing changed). */
  revision: string;
  /** Single-key form only. */
  key?: string;
  value?: SkillConfigValue;
  /** Whether the file changed (false when every value was already stored as given). */
  changed: boolean;
  /** The written values, normalized (typed for declared keys). */
  values: Record<string, SkillConfigValue>;
  changed_keys: string[];
}

export interface SkillConfigDeleteResult {
  action: 'delete';
  skill_id: string;
  store_scope: SkillConfigStoreScope;
  key: string;
  deleted: boolean;
  revision: string;
}

export interface SkillConfigIssue {
  key: string;
  code: string;
  message: string;
}

/** One declared item with its state: upstream's single `state` plus `satisfied`. */
export interface SkillConfigItemDescription extends DeclaredConfigItem {
  state: 'unset' | 'missing' | 'default' | 'configured' | 'invalid';
  satisfied: boolean;
  /** With `includeValues`: the effective value, never for a sensitive item. */
  value?: SkillConfigValue;
  /** With `includeValues`: true when the item is sensitive and has a value that is withheld. */
  masked?: boolean;
  /** For `invalid`: why the stored value no longer fits the declaration (never the value). */
  issue?: SkillConfigIssue;
}

export interface SkillConfigDescription {
  skill_id: string;
  skill_version: string;
  /** False when the skill declares no `config:` (0.4.6 string config applies). */
  declared: boolean;
  /** No missing required value, no invalid stored value, no business issue. */
  complete: boolean;
  /** The store revision the description was read at. */
  revision: string;
  store_scope: SkillConfigStoreScope;
  missing_count: number;
  invalid_count: number;
  business_issue_count: number;
  orphaned_count: number;
  items: SkillConfigItemDescription[];
  /** Stored keys the package no longer declares. */
  orphaned: string[];
  /** What the package's `config_validator` reported (empty without one). */
  business_issues: SkillConfigBusinessIssue[];
}

export interface SkillConfigValidation {
  skill_id: string;
  declared: boolean;
  complete: boolean;
  revision: string;
  store_scope: SkillConfigStoreScope;
  missing: string[];
  invalid: SkillConfigIssue[];
  business_issues: SkillConfigBusinessIssue[];
  orphaned: string[];
  orphaned_count: number;
}

/** Result of an explicit refresh of one store. */
export interface SkillConfigStoreRefresh {
  store_scope: SkillConfigStoreScope;
  revision: string;
  /** Whether the file held something other than what the engine last saw. */
  changed: boolean;
}

/** Options of a write: compare-and-swap on the store revision (a decimal string, as upstream). */
export interface SkillConfigWriteOptions {
  expectedRevision?: string;
}

/** Where the stores live: a `skillConfigRoot` (two stores) or one legacy file for every skill. */
export type SkillConfigLocation = { root: string } | { file: string };

export interface SkillConfigStoreOptions {
  /** How long a write waits for the cross-process `.lock` file (default 5000 ms, at most 60000). */
  lockTimeoutMs?: number;
  /** Quiet time after an external change before the watcher reloads (default 200 ms). */
  watchDebounceMs?: number;
}
