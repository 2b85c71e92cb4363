// The MCP server of an engine: the low-level SDK `Server` with our own handlers, so the entries'
// JSON schemas pass through as they are.
//
// - tools/list: every entry visible to the authority (canonical name, description, input schema);
// - tools/call: `engine.callSkill` with the request's abort signal, progress notifications while it
//   runs (when the client sent a progress token), the result mapped by tool-result.ts;
// - resources/list, resources/templates/list, resources/read: the help trees as
//   `luaskills://help/<skill_id>/<flow>` (Markdown; `.lua` help is rendered on read);
// - prompts/list, prompts/get, completion/complete: the same help as one prompt per skill,
//   `<skill_id>-help`, with an optional `flow` argument (help-prompts.ts);
// - `notifications/tools/list_changed`, `notifications/resources/list_changed` and
//   `notifications/prompts/list_changed` on every `registry-delta` of the engine.
import { createRequire } from 'node:module';

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import type { LuaSkillsEngine } from '../engine/engine.js';
import type { InvocationContext } from '../engine/skills-runtime.js';
import type { SkillAuthority } from '../skills/descriptors.js';
import { getHelpPrompt, helpPromptFlows, listHelpPrompts } from './help-prompts.js';
import { HelpRenderError, renderHelpFlow } from './help-render.js';
import { HELP_URI_TEMPLATE, helpUri, parseHelpUri } from './help-uri.js';
import { toCallToolResult, toErrorResult, type ToolResultOptions } from './tool-result.js';

const packageVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** MCP's "resource not found" error code. */
export const RESOURCE_NOT_FOUND = -32002;

/** What the host result bridge accepts when the server enables it for every call. */
export interface McpHostResultOptions {
  /** Kinds a skill may return (e.g. `['change_set']`). */
  allowedKinds: string[];
  /** Largest JSON payload in bytes (unset: no limit). */
  maxPayloadBytes?: number;
}

/** Options of {@link createMcpServer}. */
export interface McpServerOptions extends ToolResultOptions {
  /** Which entries and help the client sees (default `system`: all; `delegated_tool` hides ROOT). */
  authority?: SkillAuthority;
  /** `request_context.transport_name` of the calls (default `stdio`). */
  transportName?: string;
  /** Milliseconds between progress notifications of a call with a progress token (default 1000; 0: none). */
  progressIntervalMs?: number;
  /** Timeout of one skill call (default: the engine's `callTimeoutMs`). */
  callTimeoutMs?: number;
  /** Enables `host_result` for every call (default: off, skills get no host result bridge). */
  hostResult?: McpHostResultOptions | null;
  /** The server name announced to clients (default `luaskills`). */
  serverName?: string;
}

/** The `_meta` key of a tool with the entry's skill id and layer. */
export const ENTRY_META_KEY = 'luaskills/entry';

const INSTRUCTIONS =
  'Each tool is an entry of a Lua skill package. Skills with help expose it as resources ' +
  '(luaskills://help/<skill_id>/<flow>) and as prompts (<skill_id>-help, argument flow); ' +
  'read the "main" flow of a skill before using its tools.';

function checkOptions(options: McpServerOptions): void {
  const interval = options.progressIntervalMs;
  if (interval !== undefined && !(Number.isFinite(interval) && interval >= 0)) {
    throw new TypeError('createMcpServer: progressIntervalMs must be a number >= 0');
  }
  const max = options.maxContentBytes;
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= 4)) {
    throw new TypeError('createMcpServer: maxContentBytes must be an integer >= 4');
  }
  if (options.authority !== undefined && options.authority !== 'system' && options.authority !== 'delegated_tool') {
    throw new TypeError("createMcpServer: authority must be 'system' or 'delegated_tool'");
  }
}

/** The tools/list view of the engine's entries. */
export function listTools(engine: LuaSkillsEngine, authority: SkillAuthority = 'system'): Tool[] {
  return engine.listEntries(authority).map((entry) => {
    const schema = entry.input_schema as Tool['inputSchema'] | null | undefined;
    return {
      name: entry.canonical_name,
      description: entry.description,
      inputSchema: schema && typeof schema === 'object' ? schema : { type: 'object' },
      _meta: { [ENTRY_META_KEY]: { skill_id: entry.skill_id, local_name: entry.local_name, root_name: entry.root_name } },
    };
  });
}

/** The resources/list view of the engine's help trees: one resource per flow (`main` first). */
export function listHelpResources(engine: LuaSkillsEngine, authority: SkillAuthority = 'system'): Resource[] {
  const resources: Resource[] = [];
  for (const skill of engine.listSkillHelp(authority)) {
    for (const node of [skill.main, ...skill.flows]) {
      resources.push({
        uri: helpUri(skill.skill_id, node.flow_name),
        name: `${skill.skill_id}/${node.flow_name}`,
        title: `${skill.skill_name}: ${node.flow_name}`,
        description: node.description,
        mimeType: 'text/markdown',
        _meta: { 'luaskills/help': { skill_id: skill.skill_id, flow_name: node.flow_name, related_entries: node.related_entries } },
      });
    }
  }
  return resources;
}

/**
 * The MCP server of `engine` (not connected yet: `await server.connect(transport)`). It follows
 * the engine's registry: each `registry-delta` sends `tools/list_changed`,
 * `resources/list_changed` and `prompts/list_changed`; the subscription ends when the server closes.
 */
export function createMcpServer(engine: LuaSkillsEngine, options: McpServerOptions = {}): Server {
  checkOptions(options);
  const authority = options.authority ?? 'system';
  const interval = options.progressIntervalMs ?? 1000;
  const server = new Server(
    { name: options.serverName ?? 'luaskills', version: packageVersion },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true },
        prompts: { listChanged: true },
        completions: {},
      },
      instructions: INSTRUCTIONS,
    },
  );

  const contextOf = (requestId: string | number, sessionId: string | undefined): InvocationContext => {
    const client = server.getClientVersion();
    const request: Record<string, unknown> = {
      request_id: String(requestId),
      transport_name: options.transportName ?? 'stdio',
    };
    if (client) {
      request.client_name = client.name;
      request.client_info = { ...client };
    }
    if (sessionId !== undefined) request.session_id = sessionId;
    if (options.hostResult) {
      const bridge: Record<string, unknown> = { enabled: true, allowed_kinds: [...options.hostResult.allowedKinds] };
      if (options.hostResult.maxPayloadBytes !== undefined) bridge.max_payload_bytes = options.hostResult.maxPayloadBytes;
      request.client_capabilities = { host_result: bridge };
    }
    return { request_context: request, client_budget: {}, tool_config: {} };
  };

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools(engine, authority) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const args = request.params.arguments ?? {};
    const token = request.params._meta?.progressToken;
    let timer: NodeJS.Timeout | undefined;
    if (token !== undefined && interval > 0) {
      const started = Date.now();
      let ticks = 0;
      timer = setInterval(() => {
        ticks += 1;
        const seconds = (Date.now() - started) / 1000;
        extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: ticks, message: `${name}: running for ${seconds.toFixed(1)} s` },
          })
          .catch(() => {
            // The client went away; the call itself ends through the abort signal.
          });
      }, interval);
    }
    try {
      const callOptions: { signal: AbortSignal; timeoutMs?: number } = { signal: extra.signal };
      if (options.callTimeoutMs !== undefined) callOptions.timeoutMs = options.callTimeoutMs;
      if (!engine.isSkill(name, authority)) {
        return toErrorResult(Object.assign(new Error(`Unknown tool '${name}'`), { code: 'skill_not_found' }));
      }
      const result = await engine.callSkill(name, args, contextOf(extra.requestId, extra.sessionId), callOptions);
      return toCallToolResult(result, options);
    } catch (err) {
      return toErrorResult(err);
    } finally {
      if (timer !== undefined) clearInterval(timer);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: listHelpResources(engine, authority) }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: HELP_URI_TEMPLATE,
        name: 'skill-help',
        description: 'The help of a skill: flow "main" or one of its topics.',
        mimeType: 'text/markdown',
      },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const uri = request.params.uri;
    const parsed = parseHelpUri(uri);
    if (!parsed) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
    try {
      const help = await renderHelpFlow(engine, authority, parsed.skillId, parsed.flow, contextOf(extra.requestId, extra.sessionId));
      return { contents: [{ uri, mimeType: 'text/markdown', text: help.content }] };
    } catch (err) {
      if (err instanceof HelpRenderError && err.code === 'skill_not_found') {
        throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
      }
      if (err instanceof HelpRenderError && err.code === 'flow_not_found') throw new McpError(RESOURCE_NOT_FOUND, err.message, { uri });
      throw new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err), { uri });
    }
  });

  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: listHelpPrompts(engine, authority) }));

  server.setRequestHandler(GetPromptRequestSchema, (request, extra) =>
    getHelpPrompt(engine, authority, request.params.name, request.params.arguments, contextOf(extra.requestId, extra.sessionId)),
  );

  // Completion of a help prompt's `flow` argument; every other reference completes to nothing.
  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const { ref, argument } = request.params;
    const flows = ref.type === 'ref/prompt' && argument.name === 'flow' ? helpPromptFlows(engine, authority, ref.name) : [];
    const values = flows.filter((flow) => flow.startsWith(argument.value)).slice(0, 100);
    return { completion: { values, total: values.length, hasMore: false } };
  });

  const onDelta = (): void => {
    if (!server.transport) return;
    server.sendToolListChanged().catch(() => {});
    server.sendResourceListChanged().catch(() => {});
    server.sendPromptListChanged().catch(() => {});
  };
  engine.on('registry-delta', onDelta);
  const previousOnClose = server.onclose;
  server.onclose = () => {
    engine.off('registry-delta', onDelta);
    previousOnClose?.();
  };
  return server;
}
