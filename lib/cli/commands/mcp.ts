// `luaskills mcp`: serves the runtime root's skills over MCP (lib/mcp/): stdio by default,
// Streamable HTTP on a loopback port with --http; --watch reloads skills when their folders
// change and tells clients (tools, resources and prompts list_changed).
import type { Command } from 'commander';

import { serveMcpUntilClosed, type RunMcpOptions } from '../../mcp/main.js';
import { parsePositiveInt } from '../input.js';
import { usageError } from '../output.js';
import { networkAllowedByEnv, resolveRuntimeRoot } from '../runtime.js';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve the skills over MCP: stdio, or Streamable HTTP on a loopback port with --http')
    .option('--http <port>', 'serve Streamable HTTP on this port (0: any free port) instead of stdio')
    .option('--host <host>', 'loopback address to listen on with --http (default 127.0.0.1)')
    .option('--authority <authority>', 'system (default) or delegated_tool: which skills are tools')
    .option('--watch', 'reload skills when their folders change (clients get tools/prompts/resources list_changed)')
    .option('--allow-network', 'let skill dependencies download (also LUASKILLS_ALLOW_NETWORK=1)')
    .action(async (o: { http?: string; host?: string; authority?: string; watch?: boolean; allowNetwork?: boolean }, cmd: Command) => {
      const runtimeRoot = resolveRuntimeRoot((cmd.optsWithGlobals() as { runtimeRoot?: string }).runtimeRoot);
      const options: RunMcpOptions = {
        runtimeRoot,
        engine: { watch: o.watch === true, allowNetworkDownload: o.allowNetwork === true || networkAllowedByEnv() },
      };
      if (o.http !== undefined) {
        const port = o.http === '0' ? 0 : parsePositiveInt(o.http, '--http');
        options.http = { port };
        if (o.host !== undefined) options.http.host = o.host;
      } else if (o.host !== undefined) {
        throw usageError('--host needs --http');
      }
      if (o.authority !== undefined) {
        if (o.authority !== 'system' && o.authority !== 'delegated_tool') throw usageError(`--authority: expected system or delegated_tool, got ${o.authority}`);
        options.server = { authority: o.authority };
      }
      await serveMcpUntilClosed(options);
    });
}
