// Serving an engine's MCP server: over stdio (one client: the process that started us) or over
// Streamable HTTP on a loopback address (one SDK Server per session; no authentication, which is
// why only loopback hosts are accepted).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';

import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

import type { LuaSkillsEngine } from '../engine/engine.js';
import { createMcpServer, type McpServerOptions } from './server.js';

/** A running stdio server. */
export interface McpStdioHandle {
  server: Server;
  /** Resolves when the connection closed (stdin ended, or {@link close}). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link serveStdio}. */
export interface McpStdioOptions extends McpServerOptions {
  /** Default `process.stdin`. */
  stdin?: Readable;
  /** Default `process.stdout`. */
  stdout?: Writable;
}

/**
 * Serves `engine` over stdio. The connection closes when stdin ends; the engine stays open
 * (close it yourself, e.g. after `closed`).
 */
export async function serveStdio(engine: LuaSkillsEngine, options: McpStdioOptions = {}): Promise<McpStdioHandle> {
  const { stdin = process.stdin, stdout = process.stdout, ...serverOptions } = options;
  const server = createMcpServer(engine, { transportName: 'stdio', ...serverOptions });
  const transport = new StdioServerTransport(stdin, stdout);
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const previous = server.onclose;
  server.onclose = () => {
    previous?.();
    markClosed();
  };
  await server.connect(transport);
  const close = async (): Promise<void> => {
    await server.close();
    markClosed();
  };
  const onEnd = (): void => {
    void close();
  };
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  void closed.then(() => {
    stdin.off('end', onEnd);
    stdin.off('close', onEnd);
  });
  return { server, closed, close };
}

/** Options of {@link serveHttp}. */
export interface McpHttpOptions extends McpServerOptions {
  /** TCP port; 0 picks a free one (see the handle's `port`). */
  port: number;
  /** A loopback address: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string;
  /** The endpoint path (default `/mcp`). */
  path?: string;
}

/** A running Streamable HTTP server. */
export interface McpHttpHandle {
  /** The endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string;
  port: number;
  host: string;
  /** Open MCP sessions. */
  readonly sessionCount: number;
  /** Closes every session and the listening socket (the engine stays open). */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJsonError(res: http.ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Serves `engine` over Streamable HTTP (stateful sessions, SSE streams for notifications) on a
 * loopback address. Resolves once listening.
 */
export async function serveHttp(engine: LuaSkillsEngine, options: McpHttpOptions): Promise<McpHttpHandle> {
  const { port, host = '127.0.0.1', path: endpoint = '/mcp', ...serverOptions } = options;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new TypeError(`serveHttp: host must be a loopback address (127.0.0.1, ::1, localhost), got ${JSON.stringify(host)}`);
  }
  if (!(Number.isSafeInteger(port) && port >= 0 && port <= 65535)) throw new TypeError('serveHttp: port must be an integer 0..65535');
  const sessions = new Map<string, { server: Server; transport: StreamableHTTPServerTransport }>();
  let allowedHosts: string[] = [];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== endpoint) {
      res.writeHead(404).end();
      return;
    }
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        sendJsonError(res, 400, -32700, 'Parse error');
        return;
      }
    }
    const session = sessionId !== undefined ? sessions.get(sessionId) : undefined;
    if (session) {
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (sessionId !== undefined) {
      sendJsonError(res, 404, -32001, 'Session not found');
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      sendJsonError(res, 400, -32000, 'Bad Request: No valid session ID provided');
      return;
    }
    const server = createMcpServer(engine, { transportName: 'streamable_http', ...serverOptions });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const httpServer = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendJsonError(res, 500, -32603, `Internal server error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const actualPort = (httpServer.address() as AddressInfo).port;
  allowedHosts = [`127.0.0.1:${actualPort}`, `localhost:${actualPort}`, `[::1]:${actualPort}`];
  const urlHost = host === '::1' ? '[::1]' : host;

  return {
    url: `http://${urlHost}:${actualPort}${endpoint}`,
    port: actualPort,
    host,
    get sessionCount() {
      return sessions.size;
    },
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((s) => s.server.close()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
