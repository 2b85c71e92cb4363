// Where a package comes from: puts the requested skill into `<staging>/<skill_id>` and says what
// it is. Local directories work here; zips and network sources (github, official_hub,
// private_url_manifest) plug in through lib/lifecycle/sources.ts. `url` is always refused.
import { stat } from 'node:fs/promises';
import path from 'node:path';

import type { Operation } from './context.js';
import { LifecycleError } from './errors.js';
import { stageDirectory } from './staging.js';

/** Upstream `SkillInstallRequest`, plus the local sources of this library. */
export interface SkillInstallRequest {
  skill_id?: string;
  source?: string;
  source_type?: 'github' | 'official_hub' | 'url' | 'private_url_manifest' | 'local_dir' | 'local_zip';
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

/** The skill id a request's source implies (repo name, hub id, directory or zip name). */
export function sourceSkillId(request: SkillInstallRequest): string | undefined {
  const source = request.source?.trim();
  if (!source) return undefined;
  switch (request.source_type ?? 'github') {
    case 'github': {
      const parts = source.replace(/\/+$/, '').split('/');
      return parts[parts.length - 1] || undefined;
    }
    case 'official_hub':
      return source;
    case 'local_dir':
      return path.basename(source.replace(/\/+$/, ''));
    case 'local_zip':
      return path.basename(source).replace(/\.zip$/i, '').replace(/-v\d+\.\d+\.\d+.*-skill$/, '');
    default:
      return undefined;
  }
}

export async function prepareSource(op: Operation, request: SkillInstallRequest, skillId: string, staging: string): Promise<StagedSource> {
  const type = request.source_type ?? 'github';
  const source = request.source?.trim();
  op.sourceType = type;
  op.sourceLocator = source;
  op.progress('resolving_source');
  if (type === 'url') {
    throw new LifecycleError('refused', 'public URL skill install is disabled by source policy; use github, official_hub, or a host-private system manifest');
  }
  if (!source) throw new LifecycleError('invalid_request', `source is required for source_type '${type}'`);
  if (type === 'local_dir') {
    const dir = path.resolve(source);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new LifecycleError('source_unresolved', `local skill directory not found: ${dir}`);
    if (path.basename(dir) !== skillId) {
      throw new LifecycleError('invalid_request', `local skill directory name '${path.basename(dir)}' does not match skill_id '${skillId}'`);
    }
    op.progress('source_resolved');
    return { dir: await stageDirectory(dir, staging, skillId), sourceType: type, locator: dir };
  }
  throw new LifecycleError('source_unresolved', `source_type '${type}' is not available in this build`);
}
