// Managing skills: `install <source>`, `update [skill]`, `uninstall`, `enable`, `disable`, on the
// runtime root's chain; install and update show download progress on stderr.
import type { Command } from 'commander';

import type { LifecycleOptions } from '../../lifecycle/context.js';
import type { SkillInstallRequest, SkillSourceType } from '../../lifecycle/sources.js';
import { SKILL_SOURCE_TYPES } from '../../lifecycle/sources.js';
import type { UninstallOptions } from '../../lifecycle/state-ops.js';
import { withEngine } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { printResult, usageError } from '../output.js';
import { createProgressReporter } from '../progress.js';
import type { EngineSettings } from '../runtime.js';

interface PlaneOptions {
  targetRoot?: string;
  system?: boolean;
  delegated?: boolean;
}

interface SourceOptions extends PlaneOptions {
  type?: string;
  skillId?: string;
  source?: string;
  allowNetwork?: boolean;
  githubApiBaseUrl?: string;
  githubBaseUrl?: string;
  hubBaseUrl?: string;
  privateUrl?: boolean;
  allowPrefix?: string[];
  quiet?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function planeOptions(cmd: Command): Command {
  return cmd
    .option('--target-root <root>', 'root to write to: ROOT, PROJECT or USER')
    .option('--system', "the system plane (may write ROOT; installs into ROOT by default)")
    .option('--delegated', "act with 'delegated_tool' authority (never ROOT) instead of 'system'");
}

function lifecycleOptions(o: PlaneOptions): LifecycleOptions {
  const options: LifecycleOptions = { plane: o.system === true ? 'system' : 'skills', authority: o.delegated === true ? 'delegated_tool' : 'system' };
  if (o.targetRoot !== undefined) options.targetRoot = o.targetRoot;
  return options;
}

function sourceOptions(cmd: Command): Command {
  return planeOptions(cmd)
    .option('--type <type>', `source type: ${SKILL_SOURCE_TYPES.join(', ')} (default github)`)
    .option('--skill-id <id>', 'skill id (default: derived from the source)')
    .option('--allow-network', 'permit downloads (also LUASKILLS_ALLOW_NETWORK=1)')
    .option('--github-api-base-url <url>', 'GitHub REST API base (default https://api.github.com)')
    .option('--github-base-url <url>', 'mirror for https://github.com/... download URLs')
    .option('--hub-base-url <url>', 'skill hub base URL for official_hub sources')
    .option('--private-url', 'enable private_url_manifest sources (needs --system)')
    .option('--allow-prefix <url>', 'URL prefix private manifests must start with (repeatable)', collect)
    .option('--quiet', 'no progress output');
}

function installRequest(source: string | undefined, o: SourceOptions): SkillInstallRequest {
  const request: SkillInstallRequest = {};
  if (source !== undefined) request.source = source;
  if (o.skillId !== undefined) request.skill_id = o.skillId;
  if (o.type !== undefined) {
    if (!(SKILL_SOURCE_TYPES as readonly string[]).includes(o.type)) throw usageError(`--type must be one of ${SKILL_SOURCE_TYPES.join(', ')}, got '${o.type}'`);
    request.source_type = o.type as SkillSourceType;
  }
  return request;
}

function engineSettings(o: SourceOptions): EngineSettings {
  const s: EngineSettings = {};
  if (o.allowNetwork === true) s.allowNetwork = true;
  if (o.githubApiBaseUrl !== undefined) s.githubApiBaseUrl = o.githubApiBaseUrl;
  if (o.githubBaseUrl !== undefined) s.githubBaseUrl = o.githubBaseUrl;
  if (o.hubBaseUrl !== undefined) s.hubBaseUrl = o.hubBaseUrl;
  if (o.privateUrl === true) s.enablePrivateUrlInstall = true;
  if (o.allowPrefix !== undefined) s.privateAllowlist = o.allowPrefix;
  return s;
}

async function apply(cmd: Command, op: 'install' | 'update', source: string | undefined, o: SourceOptions): Promise<void> {
  const request = installRequest(source, o);
  await withEngine(
    cmd,
    async ({ engine, json }) => {
      const progress = createProgressReporter();
      const options = lifecycleOptions(o);
      if (o.quiet !== true) engine.on('skill-progress', progress.listener);
      try {
        const result = await withInterrupt((signal) => (op === 'install' ? engine.installSkill(request, { ...options, signal }) : engine.updateSkill(request, { ...options, signal })));
        progress.done();
        printResult(json, result, () => `${result.skill_id}: ${result.status}${result.version ? ` (${result.version})` : ''} - ${result.message}`);
      } finally {
        progress.done();
      }
    },
    engineSettings(o),
  );
}

export function registerLifecycleCommands(program: Command): void {
  sourceOptions(program.command('install').description('install a skill package').argument('<source>', 'owner/repo, hub skill id, manifest URL, zip or directory'))
    .action((source: string, o: SourceOptions, cmd: Command) => apply(cmd, 'install', source, o));

  sourceOptions(
    program
      .command('update')
      .description('update a managed install from its recorded source (or --source)')
      .argument('[skill]', 'skill id')
      .option('--source <source>', 'a new source locator'),
  ).action((skill: string | undefined, o: SourceOptions, cmd: Command) => {
    if (skill !== undefined) o.skillId = skill;
    if (o.skillId === undefined && o.source === undefined) throw usageError('update needs a skill id or --source');
    return apply(cmd, 'update', o.source, o);
  });

  planeOptions(
    program
      .command('uninstall')
      .description('remove a skill (its databases stay unless asked)')
      .argument('<skill>', 'skill id')
      .option('--remove-sqlite', "also remove the skill's SQLite database")
      .option('--remove-lancedb', "also remove the skill's LanceDB database"),
  ).action(async (skill: string, o: PlaneOptions & { removeSqlite?: boolean; removeLancedb?: boolean }, cmd: Command) => {
    const options: UninstallOptions = lifecycleOptions(o);
    if (o.removeSqlite === true) options.removeSqlite = true;
    if (o.removeLancedb === true) options.removeLancedb = true;
    await withEngine(cmd, async ({ engine, json }) => {
      const result = await engine.uninstallSkill(skill, options);
      printResult(json, result, () => `${result.skill_id}: ${result.message}`);
    });
  });

  planeOptions(program.command('enable').description('enable a disabled skill').argument('<skill>', 'skill id')).action(
    async (skill: string, o: PlaneOptions, cmd: Command) => {
      await withEngine(cmd, async ({ engine, json }) => {
        const result = await engine.enableSkill(skill, lifecycleOptions(o));
        printResult(json, result, () => `${result.skill_id}: enabled (${result.root_name})`);
      });
    },
  );

  planeOptions(
    program.command('disable').description('disable a skill (it stays installed)').argument('<skill>', 'skill id').option('--reason <text>', 'why (stored in the record)'),
  ).action(async (skill: string, o: PlaneOptions & { reason?: string }, cmd: Command) => {
    await withEngine(cmd, async ({ engine, json }) => {
      const result = await engine.disableSkill(skill, o.reason, lifecycleOptions(o));
      printResult(json, result, () => `${result.skill_id}: disabled (${result.root_name})`);
    });
  });
}
