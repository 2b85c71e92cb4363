// The standalone launcher until `luaskills mcp` exists:
//   node dist/mcp/bin.js --runtime-root <dir> [--http <port>] [--host 127.0.0.1] [--authority system|delegated_tool]
// stdio by default; with --http, "luaskills mcp: listening on <url>" goes to stderr.
import { parseArgs } from 'node:util';

import { runMcp, type RunMcpOptions } from './main.js';

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
  const run = await runMcp(parseMcpArgs(argv));
  if (run.url !== undefined) process.stderr.write(`luaskills mcp: listening on ${run.url}\n`);
  const stop = (): void => {
    void run.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await run.closed;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`luaskills mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
