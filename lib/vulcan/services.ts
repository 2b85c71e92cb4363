// What the vulcan.* surfaces of an engine's VMs share: the log sink, the TTL cache, the skill
// config store and the host directories. One instance per engine (never process-wide), handed
// to every skill and lease VM through host functions (see host-functions.ts).
import { RuntimeCache, type RuntimeCacheConfig } from './cache.js';
import { SkillConfigError } from './config-errors.js';
import { SkillConfigStore, type SkillConfigLocation, type SkillConfigStoreOptions } from './config-store.js';
import type { EmbedHandler, HostToolHandler, LlmHandler } from './host-bridge.js';
import type { LuaLogRecord, LuaLogSink } from './log.js';
import type { SkillManagementHandler } from './skill-management.js';

export interface VulcanServicesOptions {
  /** Receives Lua log lines (print, vulcan.runtime.log). */
  log?: LuaLogSink;
  cache?: RuntimeCacheConfig;
  /** Where the skill config stores are; a function may derive it late (it throws when it cannot). */
  configLocation?: SkillConfigLocation | (() => SkillConfigLocation);
  /** Lock timeout and watcher debounce of the config store. */
  configStore?: SkillConfigStoreOptions;
  tempDir?: string | null;
  resourcesDir?: string | null;
}

export class VulcanServices {
  readonly cache: RuntimeCache;
  readonly config: SkillConfigStore;
  readonly tempDir: string | null;
  readonly resourcesDir: string | null;
  readonly #log: LuaLogSink | undefined;
  /** Answers vulcan.host.*; null: list → {}, has → false, call → host_tool_callback_missing. */
  hostTool: HostToolHandler | null = null;
  /** Answers vulcan.models.embed / llm; null: model_unavailable. */
  embed: EmbedHandler | null = null;
  llm: LlmHandler | null = null;
  /** Upstream `capabilities.enable_skill_management_bridge` (default false). */
  skillManagementEnabled = false;
  skillManagement: SkillManagementHandler | null = null;
  /** Names of the loaded skill roots (ROOT, PROJECT, USER …), for `skills.layers()`. */
  rootNames: readonly string[] = [];
  /** Runs vulcan.runtime.lua.exec (set by the engine): the Lua input and the calling tool. */
  luaExec: ((input: unknown, callerToolName: string | null) => Promise<string>) | null = null;

  constructor(options: VulcanServicesOptions = {}) {
    this.cache = new RuntimeCache(options.cache);
    const location = options.configLocation;
    this.config = new SkillConfigStore(
      typeof location === 'function'
        ? location
        : () => {
            if (location === undefined) {
              throw new SkillConfigError('config_path_unavailable', 'CONFIG_PATH_UNAVAILABLE: no skill config store: set skillConfigRoot or runtimeRoot');
            }
            return location;
          },
      options.configStore,
    );
    this.tempDir = options.tempDir ?? null;
    this.resourcesDir = options.resourcesDir ?? null;
    this.#log = options.log;
  }

  log(record: LuaLogRecord): void {
    try {
      this.#log?.(record);
    } catch {
      /* a failing sink must not fail the Lua code that logged */
    }
  }
}
