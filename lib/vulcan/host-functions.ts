// The host side of the vulcan surfaces that live in the engine (log, cache, config): host
// functions under the global `__luaskills_host`, which the skill prelude takes into locals and
// then removes, so skill code reaches them only through vulcan.*.
import type { SkillConfigValue } from '../skills/config-declaration.js';
import type { LuaVm } from '../vm/lua-vm.js';
import { registerDatabaseHostFunctions } from './database-host-functions.js';
import { callerOf, runHostTool, runModel, type HostToolRequest } from './host-bridge.js';
import { logRecord } from './log.js';
import { managementLayers, managementStatus, runManagement, type SkillManagementAction } from './skill-management.js';
import type { VulcanServices } from './services.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

// Config errors reach Lua as `vulcan.config.<op>: <message>`.
async function configCall<T>(op: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new Error(`vulcan.config.${op}: ${(err as Error).message}`);
  }
}

export function registerVulcanHostFunctions(vm: LuaVm, services: VulcanServices): void {
  registerDatabaseHostFunctions(vm, services);
  const fn = (name: string, f: (...args: never[]) => unknown): void => vm.registerHostFunction(`__luaskills_host.${name}`, f as never);

  fn('log', (label: string, message: string, source: string, tool: unknown, skill: unknown) => {
    const kind = source === 'print' || source === 'io' ? source : 'log';
    services.log(logRecord(label, message, kind, str(tool), str(skill)));
  });

  fn('cache_put', (scope: string, json: string, ttl: unknown) =>
    services.cache.put(scope, json, typeof ttl === 'number' ? ttl : undefined),
  );
  fn('cache_get', (scope: string, id: string) => services.cache.get(scope, id) ?? null);
  fn('cache_delete', (scope: string, id: string) => services.cache.delete(scope, id));

  // For a declared key: { value, type } so Lua can make a float a float; otherwise the string.
  fn('config_get', (skill: string, key: string) =>
    configCall('get', async () => {
      const result = await services.config.get(skill, key);
      if (result.value === undefined) return null;
      const item = services.config.declaredItems(skill)?.find((i) => i.key === key);
      return { value: result.value, type: item?.type ?? 'string' };
    }),
  );
  fn('config_set', (skill: string, keyOrValues: unknown, value: unknown, luaType: string) =>
    configCall('set', async () => {
      const declared = services.config.declaredItems(skill) !== null;
      if (typeof keyOrValues === 'string') {
        // 0.4.6 skills keep their string-only contract and its message.
        if (!declared && typeof value !== 'string') throw new Error(`value must be a string, got ${luaType}`);
        const result = await services.config.set(skill, keyOrValues, value as SkillConfigValue);
        return declared ? result.values : true;
      }
      const result = await services.config.set(skill, (keyOrValues ?? {}) as Record<string, SkillConfigValue>);
      return declared ? result.values : true;
    }),
  );
  fn('config_delete', (skill: string, key: string) =>
    configCall('delete', async () => (await services.config.delete(skill, key)).deleted),
  );
  fn('config_list', (skill: string) => configCall('list', () => services.config.values(skill)));
  fn('config_describe', (skill: string) => configCall('describe', () => services.config.describe(skill, { includeValues: true })));
  fn('config_status', (skill: string) => configCall('status', () => services.config.validate(skill)));

  fn('host_tool', (action: HostToolRequest['action'], name: unknown, args: unknown, caller: unknown) => {
    const request: HostToolRequest = { action, tool_name: typeof name === 'string' ? name : null, args: (args ?? {}) as HostToolRequest['args'] };
    return runHostTool(services.hostTool, request, callerOf(caller));
  });
  fn('lua_exec', (input: unknown, caller: unknown) => {
    if (!services.luaExec) throw new Error('vulcan.runtime.lua.exec is not available here');
    return services.luaExec(input, typeof caller === 'string' ? caller : null);
  });
  fn('skills_status', () => managementStatus(services.skillManagementEnabled, services.skillManagement !== null));
  fn('skills_layers', () => managementLayers(services.rootNames, services.skillManagementEnabled));
  fn('skills_manage', (action: SkillManagementAction, payload: string) =>
    runManagement(action, payload, services.skillManagementEnabled, services.skillManagement),
  );
  fn('model_caps', () => ({ embed: services.embed !== null, llm: services.llm !== null }));
  fn('model_call', (kind: 'embed' | 'llm', request: Record<string, unknown>) => {
    const handler = kind === 'embed' ? services.embed : services.llm;
    return runModel(kind, handler, { ...request, caller: callerOf(request.caller) });
  });
}
