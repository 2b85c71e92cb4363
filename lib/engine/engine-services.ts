// The VulcanServices of one engine (log sink, cache, config store, host directories) and the
// hooks through which they reach the engine's loaded skills: config declarations and business
// checks for the config store, the skill pool for vulcan.runtime.lua.exec; and the log lines of
// the dependency manager.
import { businessIssuesOf } from '../skills/config-validator.js';
import type { LuaLogRecord } from '../vulcan/log.js';
import { VulcanServices } from '../vulcan/services.js';
import { configLocationOf } from './engine-settings.js';
import type { ResolvedHostPaths } from './host-options.js';
import { parseLuaExecRequest, type LuaExecRequest } from './luaexec.js';
import type { LuaSkillsEngineOptions } from './options.js';
import type { SkillsRuntime } from './skills-runtime.js';

/**
 * The services of an engine with options `o`. Log records go to `o.logSink`, then `emitLog`; the
 * config store is located late, from `rootParents` (the loaded roots) when the host set no path.
 */
export function createEngineServices(
  o: LuaSkillsEngineOptions,
  hostPaths: ResolvedHostPaths,
  rootParents: () => readonly string[],
  emitLog: (record: LuaLogRecord) => void,
): VulcanServices {
  const servicesOptions: ConstructorParameters<typeof VulcanServices>[0] = {
    log: (record: LuaLogRecord) => {
      o.logSink?.(record);
      emitLog(record);
    },
    configLocation: () => configLocationOf(hostPaths, rootParents()),
    configStore: { watchDebounceMs: o.watchDebounceMs ?? 200 },
    tempDir: hostPaths.tempDir,
    resourcesDir: hostPaths.resourcesDir,
  };
  if (o.cache) servicesOptions.cache = o.cache;
  const services = new VulcanServices(servicesOptions);
  services.skillManagementEnabled = o.enableSkillManagementBridge === true;
  return services;
}

/** Points the config store and vulcan.runtime.lua.exec at whatever skill set `skills` holds. */
export function connectServicesToSkills(services: VulcanServices, skills: SkillsRuntime): void {
  services.config.packages = (skillId) => skills.set?.registry.getSkill(skillId);
  services.config.businessValidator = (skillId, values) => businessIssuesOf(skills.set?.registry.getSkill(skillId), values);
  services.config.loadedSkillIds = () => skills.set?.registry.skills.map((pkg) => pkg.skill_id) ?? [];
  services.luaExec = (input, caller) => {
    let request: LuaExecRequest;
    try {
      request = parseLuaExecRequest(input);
    } catch (err) {
      return Promise.reject(new Error(`luaexec input is invalid: ${(err as Error).message}`));
    }
    const trimmed = caller?.trim();
    if (trimmed) request.caller_tool_name = trimmed;
    else delete request.caller_tool_name;
    return skills.luaExec(request);
  };
}

/** Dependency-manager lines reach the log sink and 'log' event as `[LuaSkills:dependency] ...`. */
export function dependencyLogOf(services: VulcanServices): (level: 'info' | 'warn', message: string, skillId: string | null) => void {
  return (level, message, skillId) => {
    services.log({ level, label: level, message, line: `[LuaSkills:dependency] ${message}`, source: 'dependency', tool_name: null, skill_name: skillId });
  };
}
