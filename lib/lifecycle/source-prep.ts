// Where a package comes from: resolves the request (github, official_hub, private_url_manifest,
// local_dir, local_zip; `url` is always refused), downloads and verifies what must be, and puts
// the package into `<staging>/<skill_id>` under the archive rules (lib/lifecycle/prepare.ts),
// reporting each step as this operation's progress.
import type { Operation } from './context.js';
import { LifecycleError } from './errors.js';
import { prepareSkillPackage } from './prepare.js';
import type { SkillAcquisitionEvent } from './progress.js';
import { resolveRequestedSkillId, type SkillInstallRequest, type SkillSourceConfig } from './sources.js';

export type { SkillInstallRequest } from './sources.js';

/** Source settings of an engine (host options) plus its download cache. */
export interface SourceSettings extends Omit<SkillSourceConfig, 'plane'> {
  cacheDir: string;
}

/** A staged package. */
export interface StagedSource {
  dir: string;
  sourceType: string;
  locator: string;
  tag?: string;
  /** The version the source announced (checked against the manifest), when it announces one. */
  version?: string;
}

/** The skill id a request names or implies; refusals as upstream words them. */
export function requestedSkillId(request: SkillInstallRequest): string {
  return resolveRequestedSkillId(request);
}

export async function prepareSource(op: Operation, request: SkillInstallRequest, skillId: string, staging: string): Promise<StagedSource> {
  const settings = op.host.sourceSettings();
  const { cacheDir, ...rest } = settings;
  const config: SkillSourceConfig = { ...rest, plane: op.plane };
  op.sourceType = request.source_type ?? 'github';
  if (typeof request.source === "string") op.sourceLocator = request.source;
  const forward = (event: SkillAcquisitionEvent): void => {
    if (event.source_type !== undefined) op.sourceType = event.source_type;
    if (event.source_locator !== undefined) op.sourceLocator = event.source_locator;
    const extra: Record<string, unknown> = {};
    for (const key of ['bytes_done', 'bytes_total', 'percent', 'message'] as const) if (event[key] !== undefined) extra[key] = event[key];
    op.progress(event.phase, event.status, extra);
  };
  const prepared = await prepareSkillPackage({ ...request, skill_id: skillId }, config, {
    cacheDir,
    stagingDir: staging,
    onProgress: forward,
    ...(op.options.signal ? { signal: op.options.signal } : {}),
  });
  if (prepared.source.skill_id !== skillId) {
    throw new LifecycleError('invalid_request', `resolved skill id '${prepared.source.skill_id}' does not match the requested '${skillId}'`);
  }
  const staged: StagedSource = { dir: prepared.skillDir, sourceType: prepared.source.source_type, locator: prepared.source.locator };
  if (prepared.source.tag !== undefined) staged.tag = prepared.source.tag;
  if (prepared.source.version !== undefined) staged.version = prepared.source.version;
  return staged;
}
