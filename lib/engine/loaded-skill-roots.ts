// The skill root chain an engine loaded, and the loads that change it: loadFromRoots and the
// live reload that repeats it when files under the roots change (engine option `watch`). Both
// swap the skill set in atomically and report what changed as a `registry-delta` event.
import path from 'node:path';

import type { DependencySettings } from '../dependencies/load-hook.js';
import { LifecycleError } from '../lifecycle/errors.js';
import { diffEntryRegistries, isEmptyRegistryDelta } from '../skills/delta.js';
import type { RuntimeEntryRegistryDelta } from '../skills/descriptors.js';
import type { SkillLoadOptions, SkillLoadReport } from '../skills/load.js';
import type { RuntimeSkillRoot } from '../skills/roots.js';
import type { VulcanServices } from '../vulcan/services.js';
import type { SkillsRuntime } from './skills-runtime.js';
import { LiveReload } from './skill-watcher.js';

/** What the loads need from the engine. */
export interface SkillRootLoadHost {
  skills: SkillsRuntime;
  services: VulcanServices;
  loadOptions: () => SkillLoadOptions;
  dependencySettings: () => DependencySettings;
  /** Emits `registry-delta`, `reloaded` and `reload-error` on the engine. */
  emit: (event: 'registry-delta' | 'reloaded' | 'reload-error', payload: unknown) => void;
  isClosed: () => boolean;
  /** Counts a live reload as work in flight, which close() waits for. */
  track: (work: Promise<void>) => Promise<void>;
}

export class LoadedSkillRoots {
  readonly #host: SkillRootLoadHost;
  readonly #live: LiveReload | null;
  #roots: RuntimeSkillRoot[] | null = null;
  // Parents of the loaded skill roots: the runtime root the config file defaults under.
  #parents: string[] = [];

  /** `watchDebounceMs` null: no live reload. */
  constructor(host: SkillRootLoadHost, watchDebounceMs: number | null) {
    this.#host = host;
    this.#live =
      watchDebounceMs === null
        ? null
        : new LiveReload(
            () => (host.isClosed() || this.#roots === null ? Promise.resolve() : host.track(this.#reload(this.#roots))),
            (err) => host.emit('reload-error', err),
            watchDebounceMs,
          );
  }

  /** The loaded roots, or null before the first load. */
  get roots(): RuntimeSkillRoot[] | null {
    return this.#roots;
  }

  /** The distinct parent folders of the loaded roots' skills directories. */
  get parents(): string[] {
    return this.#parents;
  }

  /** The loaded roots; `invalid_request` before the first load. */
  required(): RuntimeSkillRoot[] {
    if (this.#roots === null) throw new LifecycleError('invalid_request', 'no skill roots are loaded: call loadFromRoots first');
    return this.#roots;
  }

  /** Takes `roots` as the loaded chain without loading (the lifecycle validated them). */
  use(roots: readonly RuntimeSkillRoot[]): void {
    this.#roots = [...roots];
  }

  /** Loads the roots, (re)starts watching them, and emits `registry-delta` when entries changed. */
  async load(roots: readonly RuntimeSkillRoot[]): Promise<SkillLoadReport> {
    const { previous, report, delta } = await this.#loadSet(roots);
    this.#roots = [...roots];
    this.#parents = [...new Set(roots.map((r) => path.dirname(path.resolve(r.skills_dir))))];
    this.#host.services.rootNames = roots.map((r) => r.name);
    this.#live?.watch(roots.map((r) => path.resolve(r.skills_dir)));
    // The config stores may only now have a location (beside the roots): follow them there.
    this.#host.services.config.resumeWatch();
    if (previous && !isEmptyRegistryDelta(delta)) this.#host.emit('registry-delta', delta);
    return report;
  }

  /** Stops watching. */
  close(): void {
    this.#live?.close();
  }

  // Live reload: the same as load on the current roots, keeping the watcher.
  async #reload(roots: readonly RuntimeSkillRoot[]): Promise<void> {
    const { report, delta } = await this.#loadSet(roots);
    if (!isEmptyRegistryDelta(delta)) this.#host.emit('registry-delta', delta);
    this.#host.emit('reloaded', report);
  }

  async #loadSet(roots: readonly RuntimeSkillRoot[]): Promise<{ previous: boolean; report: SkillLoadReport; delta: RuntimeEntryRegistryDelta }> {
    const { skills } = this.#host;
    const previous = skills.set?.registry ?? null;
    const set = await skills.load(roots, this.#host.loadOptions(), this.#host.dependencySettings());
    return { previous: previous !== null, report: set.report, delta: diffEntryRegistries(previous, set.registry) };
  }
}
