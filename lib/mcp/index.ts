// The MCP server of luaskills (see docs/mcp.md).
export {
  createMcpServer,
  listTools,
  listHelpResources,
  ENTRY_META_KEY,
  RESOURCE_NOT_FOUND,
  type McpServerOptions,
  type McpHostResultOptions,
} from './server.js';
export {
  toCallToolResult,
  toErrorResult,
  errorCodeOf,
  splitUtf8,
  RESULT_META_KEY,
  ERROR_META_KEY,
  type McpResultMeta,
  type ToolResultOptions,
} from './tool-result.js';
export { HELP_URI_TEMPLATE, helpUri, parseHelpUri } from './help-uri.js';
export {
  listHelpPrompts,
  getHelpPrompt,
  helpPromptName,
  parseHelpPromptName,
  HELP_PROMPT_META_KEY,
} from './help-prompts.js';
export { renderHelpFlow, HelpRenderError, type HelpRenderErrorCode, type RenderedHelp } from './help-render.js';
export { serveStdio, serveHttp, type McpStdioOptions, type McpStdioHandle, type McpHttpOptions, type McpHttpHandle } from './transports.js';
export { runMcp, standardSkillRoots, type RunMcpOptions, type McpRun } from './main.js';
