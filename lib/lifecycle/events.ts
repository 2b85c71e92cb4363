// The lifecycle's events (upstream RuntimeSkillOperationProgressEvent / RuntimeSkillLifecycleEvent).
import type { LifecycleAction, OperationPlane } from './policy.js';

/** Upstream serialises planes in PascalCase. */
export type PlaneLabel = 'Skills' | 'System';
export const planeLabel = (plane: OperationPlane): PlaneLabel => (plane === 'system' ? 'System' : 'Skills');

export type ProgressPhase =
  | 'validating_request'
  | 'resolving_source'
  | 'fetching_manifest'
  | 'source_resolved'
  | 'downloading_archive'
  | 'extracting_archive'
  | 'validating_skill_manifest'
  | 'staging_install'
  | 'staging_update'
  | 'backing_up_current'
  | 'reloading_runtime'
  | 'committing'
  | 'completed'
  | 'failed';

/** One step of one operation; `sequence` grows by one per event of that operation. */
export interface SkillOperationProgressEvent {
  operation_id: string;
  sequence: number;
  plane: PlaneLabel;
  action: LifecycleAction;
  phase: ProgressPhase;
  status: 'started' | 'progress' | 'cached' | 'completed' | 'failed';
  skill_id?: string;
  root_name?: string;
  source_type?: string;
  source_locator?: string;
  bytes_done?: number;
  bytes_total?: number;
  percent?: number;
  message?: string;
}

/** The outcome of one operation (`blocked`, `failed`, `completed`, or an apply status). */
export interface SkillLifecycleEvent {
  plane: PlaneLabel;
  action: LifecycleAction;
  skill_id: string;
  root_name?: string;
  skill_dir?: string;
  status: string;
  message?: string;
}
