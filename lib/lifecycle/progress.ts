// The progress events of the acquisition half of install/update (resolve, fetch, download,
// extract), shaped like upstream's `RuntimeSkillOperationProgressEvent` detail. The lifecycle
// manager adds `operation_id`, `sequence`, `plane`, `action` and `root_name` before publishing.

/** Upstream's phases of the acquisition half. */
export type SkillAcquisitionPhase =
  | 'resolving_source'
  | 'fetching_manifest'
  | 'source_resolved'
  | 'downloading_archive'
  | 'extracting_archive';

/** `started` when a phase begins, `completed` for `source_resolved`, `progress`/`cached` while downloading. */
export type SkillAcquisitionStatus = 'started' | 'completed' | 'progress' | 'cached';

/** One progress event. */
export interface SkillAcquisitionEvent {
  phase: SkillAcquisitionPhase;
  status: SkillAcquisitionStatus;
  skill_id?: string;
  source_type?: string;
  source_locator?: string;
  bytes_done?: number;
  bytes_total?: number;
  /** 0–100, only when `bytes_total` is known. */
  percent?: number;
  message?: string;
}

/** Receives {@link SkillAcquisitionEvent}s. Exceptions thrown by it are swallowed. */
export type SkillAcquisitionListener = (event: SkillAcquisitionEvent) => void;

/** Calls `listener` and ignores what it throws: a broken progress sink must not break an install. */
export function emitProgress(listener: SkillAcquisitionListener | undefined, event: SkillAcquisitionEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // ignored on purpose
  }
}

/** Whole percent of `done` over `total`, clamped to 0–100; `undefined` when the total is unknown. */
export function percentOf(done: number, total: number | null | undefined): number | undefined {
  if (total === null || total === undefined || total <= 0) return undefined;
  return Math.max(0, Math.min(100, Math.floor((done * 100) / total)));
}
