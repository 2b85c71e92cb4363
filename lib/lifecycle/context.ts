// What a lifecycle operation needs from its engine, and the per-operation plumbing: the event
// sequence, the lifecycle outcome events, and a guard that turns any failure into a rollback.
import { randomUUID } from 'node:crypto';

import type { SkillLoadReport } from '../skills/load.js';
import type { ResolvedSkillRoot } from '../skills/roots.js';
import { LifecycleError } from './errors.js';
import type { SourceSettings } from './source-prep.js';
import { planeLabel, type ProgressPhase, type SkillLifecycleEvent, type SkillOperationProgressEvent } from './events.js';
import type { LifecycleAction, ManagementAuthority, OperationPlane } from './policy.js';

/** The engine side of lifecycle operations. */
export interface LifecycleHost {
  /** The root chain of the last load (throws when nothing was loaded). */
  roots(): ResolvedSkillRoot[];
  stateDirName: string;
  databaseDirName: string;
  /** Sibling folder of skill-private dependencies (`''`: `dependencies`). */
  dependencyDirName?: string;
  /** Receives warnings of best-effort steps (dependency cleanup). */
  warn?: (message: string) => void;
  /** Reloads the current roots atomically; throws (old skills kept) when the reload fails. */
  reload(): Promise<SkillLoadReport>;
  emitProgress(event: SkillOperationProgressEvent): void;
  /** Download and source settings (host options). */
  sourceSettings(): SourceSettings;
  emitLifecycle(event: SkillLifecycleEvent): void;
}

/** Per-operation options of the engine API. */
export interface LifecycleOptions {
  /** Root label to write to (`ROOT`, `PROJECT`, `USER`). */
  targetRoot?: string;
  /** `skills` (default; PROJECT / USER) or `system` (ROOT by default). */
  plane?: OperationPlane;
  /** `system` (default) or `delegated_tool` (never ROOT). */
  authority?: ManagementAuthority;
  signal?: AbortSignal;
  /** Every progress event of this operation; a throw aborts and rolls the operation back. */
  onProgress?: (event: SkillOperationProgressEvent) => void;
}

export class Operation {
  readonly id = randomUUID();
  readonly plane: OperationPlane;
  readonly authority: ManagementAuthority;
  #sequence = 0;
  skillId: string | undefined;
  rootName: string | undefined;
  sourceType: string | undefined;
  sourceLocator: string | undefined;

  constructor(
    readonly host: LifecycleHost,
    readonly action: LifecycleAction,
    readonly options: LifecycleOptions,
  ) {
    this.plane = options.plane ?? 'skills';
    this.authority = options.authority ?? 'system';
  }

  /** Emits one progress event; the caller's onProgress may throw to abort the operation. */
  progress(phase: ProgressPhase, status: SkillOperationProgressEvent['status'] = 'started', extra: Partial<SkillOperationProgressEvent> = {}): void {
    if (this.options.signal?.aborted) throw new LifecycleError('cancelled', `the ${this.action} operation was cancelled`);
    const event: SkillOperationProgressEvent = { operation_id: this.id, sequence: ++this.#sequence, plane: planeLabel(this.plane), action: this.action, phase, status };
    if (this.skillId !== undefined) event.skill_id = this.skillId;
    if (this.rootName !== undefined) event.root_name = this.rootName;
    if (this.sourceType !== undefined) event.source_type = this.sourceType;
    if (this.sourceLocator !== undefined) event.source_locator = this.sourceLocator;
    Object.assign(event, extra);
    this.host.emitProgress(event);
    this.options.onProgress?.(event);
  }

  outcome(status: string, message?: string, skillDir?: string): void {
    const event: SkillLifecycleEvent = { plane: planeLabel(this.plane), action: this.action, skill_id: this.skillId ?? '', status };
    if (this.rootName !== undefined) event.root_name = this.rootName;
    if (skillDir !== undefined) event.skill_dir = skillDir;
    if (message !== undefined) event.message = message;
    this.host.emitLifecycle(event);
  }

  /** Reports a failure (progress `failed` and a lifecycle event) and returns it as a LifecycleError. */
  fail(err: unknown, status: 'blocked' | 'failed' = 'failed'): LifecycleError {
    const error = err instanceof LifecycleError ? err : new LifecycleError('io_failed', err instanceof Error ? err.message : String(err), { cause: err });
    try {
      this.host.emitProgress({
        operation_id: this.id,
        sequence: ++this.#sequence,
        plane: planeLabel(this.plane),
        action: this.action,
        phase: 'failed',
        status: 'failed',
        ...(this.skillId !== undefined ? { skill_id: this.skillId } : {}),
        message: error.message,
      });
    } catch {
      /* a listener cannot change the outcome */
    }
    this.outcome(status, error.message);
    return error;
  }
}
