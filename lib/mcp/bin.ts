// The standalone launcher (the same server as `luaskills mcp`):
//   node dist/mcp/bin.js --runtime-root <dir> [--http <port>] [--host 127.0.0.1] [--authority system|delegated_tool]
// stdio by default; with --http, "luaskills mcp: listening on <url>" goes to stderr.
import { parseArgs } from 'node:util';

import { serveMcpUntilClosed, type RunMcpOptions } from './main.js';

/** The launcher's options from its arguments (throws a TypeError on a bad one). */
export function parseMcpArgs(argv: readonly string[]): RunMcpOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'runtime-root': { type: 'string' },
      http: { type: 'string' },
      host: { type: 'string' },
      authority: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const runtimeRoot = values['runtime-root'];
  if (!runtimeRoot) throw new TypeError('--runtime-root <dir> is required');
  const options: RunMcpOptions = { runtimeRoot };
  if (values.http !== undefined) {
    const port = Number(values.http);
    if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new TypeError(`--http: not a port: ${values.http}`);
    options.http = { port };
    if (values.host !== undefined) options.http.host = values.host;
  } else if (values.host !== undefined) {
    throw new TypeError('--host needs --http');
  }
  if (values.authority !== undefined) {
    if (values.authority !== 'system' && values.authority !== 'delegated_tool') {
      throw new TypeError(`--authority: expected system or delegated_tool, got ${values.authority}`);
    }
    options.server = { authority: values.authority };
  }
  return options;
}

/** Runs the launcher with `argv` until stdin ends (stdio) or SIGINT/SIGTERM. */
export async function main(argv: readonly string[]): Promise<void> {
  await serveMcpUntilClosed(parseMcpArgs(argv));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`luaskills mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
