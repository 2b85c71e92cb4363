// The ensure flow of one skill's dependencies (upstream `ensure_skill_dependencies` /
// `ensure_dependency`), in order tools → Lua → FFI, stopping at the first error:
// probe an existing install → reuse; host scope missing → error (required) or warning;
// network disabled → error (required) or warning; else resolve, probe the resolved target,
// download, install, and on a failed install clear the cached payload and retry once; finally
// check the exports exist. Messages are upstream's.
import type { DependencyManifest, DependencySpec } from './manifest.js';
import { allDependencies } from './manifest.js';
import { kindRoot, type DependencyRoots } from './paths.js';
import { currentPlatformKey } from './platform.js';
import { exportsPresent, findExistingInstall } from './probe.js';
import { cleanupFailedAttempt, downloadDependency, installDependencyPayload } from './install.js';
import { resolveDependency, type DependencyNetworkSettings } from './resolve.js';

/** Receives the flow's log lines (`[LuaSkills:dependency] ...` in upstream's logger). */
export type DependencyLog = (level: 'info' | 'warn', message: string) => void;

/** Everything one ensure needs. */
export interface EnsureContext {
  skillId: string;
  roots: DependencyRoots;
  network: DependencyNetworkSettings;
  log?: DependencyLog;
  /** Default: the running platform. */
  platformKey?: string;
}

async function ensureOne(spec: DependencySpec, ctx: EnsureContext, platformKey: string): Promise<void> {
  const log = ctx.log ?? (() => undefined);
  const root = kindRoot(ctx.roots, spec.kind, spec.scope);
  const pkg = spec.packages[platformKey];
  const reused = (): void => log('info', `Skill '${ctx.skillId}' reuses existing dependency '${spec.name}' on ${platformKey}`);
  if ((await findExistingInstall(spec.kind, ctx.skillId, spec.name, spec.version, spec.scope, pkg, platformKey, root)) !== null) {
    reused();
    return;
  }
  if (spec.scope === 'host') {
    if (spec.required) throw new Error(`required host dependency '${spec.name}' is missing`);
    log('warn', `Optional host dependency '${spec.name}' is missing`);
    return;
  }
  if (!ctx.network.allowNetworkDownload) {
    if (spec.required) throw new Error(`required dependency '${spec.name}' is missing and network download is disabled`);
    log('warn', `Optional dependency '${spec.name}' is missing and download is disabled`);
    return;
  }
  const resolved = await resolveDependency(spec, ctx.skillId, platformKey, root, ctx.network);
  if (await exportsPresent(resolved)) {
    reused();
    return;
  }
  // Upstream finds this only after downloading (twice, with the retry); the text is the same.
  if (resolved.archiveType === 'raw' && resolved.exports.length !== 1) throw new Error('raw dependency payload must declare exactly one export');
  const payload = await downloadDependency(resolved, platformKey, ctx.roots.downloadCacheRoot, ctx.network);
  try {
    await installDependencyPayload(payload, resolved);
  } catch (first) {
    const firstMessage = (first as Error).message;
    log('warn', `Dependency '${spec.name}' install from cached archive failed once, retrying after cache cleanup: ${firstMessage}`);
    await cleanupFailedAttempt(payload);
    const again = await downloadDependency(resolved, platformKey, ctx.roots.downloadCacheRoot, ctx.network);
    try {
      await installDependencyPayload(again, resolved);
    } catch (retry) {
      throw new Error(`${firstMessage}. Automatic redownload and reinstall also failed: ${(retry as Error).message}`);
    }
  }
  if (!(await exportsPresent(resolved))) {
    throw new Error(`dependency '${spec.name}' was downloaded but exported files are still missing`);
  }
  log('info', `Installed dependency '${spec.name}' for skill '${ctx.skillId}' on ${platformKey}`);
}

/**
 * Ensures every dependency of `manifest` for `ctx.skillId`.
 * @throws {Error} the first failure, with upstream's text (e.g. `required dependency 'rg' is
 * missing and network download is disabled`).
 */
export async function ensureSkillDependencies(manifest: DependencyManifest, ctx: EnsureContext): Promise<void> {
  const deps = allDependencies(manifest);
  if (manifest.unsupported_keys.length > 0) {
    ctx.log?.('warn', `Skill '${ctx.skillId}' declares ${manifest.unsupported_keys.join(', ')}; managed runtimes are not supported and are ignored`);
  }
  if (deps.length === 0) return;
  const platformKey = ctx.platformKey ?? currentPlatformKey();
  if (platformKey === 'unknown') throw new Error('current platform is not supported by LuaSkills dependency manager');
  for (const spec of deps) await ensureOne(spec, ctx, platformKey);
}
