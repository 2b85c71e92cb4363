// HTTP downloads of managed installs, on Node's global fetch: redirects followed, streamed to a
// temp file beside the target and renamed into place, SHA-256 computed on the way, a size cap,
// cancellation through an AbortSignal, and one retry when the transfer breaks (connection reset,
// body cut short). HTTP errors are never retried. A small download cache keyed like upstream
// (`skill-<id>-<version>`) lets a re-install reuse an archive whose SHA-256 still matches.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { sha256File } from './checksums.js';
import { LifecycleError } from './errors.js';

/** Default cap of one archive download. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;
/** Default cap of one text fetch (release metadata, checksums, manifests). */
export const DEFAULT_MAX_TEXT_BYTES = 4 * 1024 * 1024;

/** `progress` while bytes arrive; `cached` once when a cached file was reused instead. */
export type DownloadProgressStatus = 'progress' | 'cached';

/** Options shared by {@link downloadToFile}, {@link downloadToCache} and {@link fetchText}. */
export interface FetchOptions {
  /** The host's `allow_network_download`. `false` refuses before any connection (`network_disabled`). */
  allowNetwork: boolean;
  /** Cancels the transfer; the error is then `cancelled`. */
  signal?: AbortSignal;
  /** Most bytes accepted (announced or received). */
  maxBytes?: number;
  /** Extra attempts after a broken transfer (never after an HTTP error status). Default 1. */
  retries?: number;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /**
   * When set, the final URL after redirects must match one of these prefixes (upstream's
   * allow-list rule, see {@link urlMatchesPrefixes}); otherwise the download is `refused`.
   */
  allowedUrlPrefixes?: readonly string[];
}

/** Options of {@link downloadToFile}. */
export interface DownloadOptions extends FetchOptions {
  /** When set, a mismatch fails with `checksum_mismatch` and nothing is left at the target. */
  expectedSha256?: string;
  /** Called as bytes arrive (throttled to whole percents, or every MiB when the size is unknown). */
  onProgress?: (done: number, total: number | null, status: DownloadProgressStatus) => void;
}

/** What a download produced. */
export interface DownloadResult {
  /** Size of the file. */
  bytes: number;
  /** Its SHA-256, lower-case hex. */
  sha256: string;
  /** True when a cached file was reused and nothing was fetched. */
  cached: boolean;
}

/**
 * Upstream's allow-list rule: case-insensitive, trailing slashes ignored, and the URL must equal
 * a prefix or continue it with `/` (so `https://a.example` does not admit `https://a.example.evil`).
 */
export function urlMatchesPrefixes(url: string, prefixes: readonly string[]): boolean {
  const candidate = url.trim().replace(/\/+$/, '').toLowerCase();
  if (candidate === '') return false;
  return prefixes.some((entry) => {
    const prefix = entry.trim().replace(/\/+$/, '').toLowerCase();
    return prefix !== '' && (candidate === prefix || candidate.startsWith(`${prefix}/`));
  });
}

/** A failed attempt; `retryable` when the transfer broke rather than being answered. */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function cancelled(url: string): LifecycleError {
  return new LifecycleError('cancelled', `download of ${url} was cancelled`);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const base = error instanceof Error ? error.message : String(error);
  if (cause && typeof cause === 'object') return `${base} (${cause.code ?? cause.message ?? 'unknown cause'})`;
  return base;
}

function checkRequest(url: string, options: FetchOptions): void {
  if (!options.allowNetwork) throw new LifecycleError('network_disabled', 'network download is disabled by host policy');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LifecycleError('invalid_request', `Failed to download '${url}': not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LifecycleError('invalid_request', `Failed to download ${url}: only http and https URLs are supported`);
  }
}

/**
 * Runs `consume` on a successful response, retrying when the transfer breaks. `consume` throws
 * {@link AttemptFailure} for broken bodies and LifecycleError for final verdicts.
 */
async function withRetries<T>(url: string, options: FetchOptions, consume: (response: Response) => Promise<T>): Promise<T> {
  checkRequest(url, options);
  const attempts = 1 + Math.max(0, options.retries ?? 1);
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (options.signal?.aborted) throw cancelled(url);
    let response: Response;
    try {
      response = await fetch(url, {
        redirect: 'follow',
        headers: { 'accept-encoding': 'identity', 'user-agent': 'luaskills-node', ...options.headers },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw cancelled(url);
      last = describeCause(error);
      continue;
    }
    if (options.allowedUrlPrefixes && response.url !== '' && !urlMatchesPrefixes(response.url, options.allowedUrlPrefixes)) {
      await response.body?.cancel().catch(() => undefined);
      throw new LifecycleError('refused', `download of ${url} was redirected to ${response.url}, which is not allowed by host source policy`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new LifecycleError('download_failed', `Failed to download ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    const maxBytes = options.maxBytes;
    if (maxBytes !== undefined && Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new LifecycleError('download_failed', `Failed to download ${url}: the response exceeds the limit of ${maxBytes} bytes`);
    }
    try {
      return await consume(response);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled(url);
      if (error instanceof AttemptFailure && error.retryable) {
        last = error.message;
        continue;
      }
      throw error;
    }
  }
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  throw new LifecycleError('download_failed', `Failed to download ${url}: ${last} (after ${tries})`);
}

/** Streams a response body into `sink`, enforcing the cap and detecting a body cut short. */
async function readBody(
  url: string,
  response: Response,
  maxBytes: number,
  sink: (chunk: Uint8Array) => Promise<void> | void,
): Promise<number> {
  const encoded = (response.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  let done = 0;
  if (!response.body) return 0;
  try {
    for await (const chunk of response.body) {
      done += chunk.length;
      if (done > maxBytes) throw new LifecycleError('download_failed', `Failed to download ${url}: the response exceeds the limit of ${maxBytes} bytes`);
      await sink(chunk);
    }
  } catch (error) {
    if (error instanceof LifecycleError) throw error;
    throw new AttemptFailure(`the transfer broke after ${done} bytes: ${describeCause(error)}`, true);
  }
  if (!encoded && Number.isFinite(declared) && done !== declared) {
    throw new AttemptFailure(`the connection closed after ${done} of ${declared} bytes`, true);
  }
  return done;
}

/**
 * Downloads `url` to `destPath` (parent folders created). The body goes to a temp file beside the
 * target, hashed on the way, and is renamed over `destPath` only when complete and verified.
 *
 * @throws {LifecycleError} `network_disabled`, `invalid_request` (bad URL), `refused` (redirect
 * outside `allowedUrlPrefixes`), `download_failed` (HTTP status, size cap, transfer broken after
 * the retries), `checksum_mismatch`, `cancelled`, `io_failed`.
 */
export async function downloadToFile(url: string, destPath: string, options: DownloadOptions): Promise<DownloadResult> {
  const expected = options.expectedSha256?.trim().toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new LifecycleError('invalid_request', `Expected checksum for ${url} is not one valid SHA-256 value`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  try {
    await mkdir(path.dirname(destPath), { recursive: true });
  } catch (error) {
    throw new LifecycleError('io_failed', `Failed to create ${path.dirname(destPath)}: ${(error as Error).message}`);
  }
  const temp = `${destPath}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  try {
    const result = await withRetries(url, { ...options, maxBytes }, async (response) => {
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      const total = Number.isFinite(declared) ? declared : null;
      const hash = createHash('sha256');
      const handle = await open(temp, 'w');
      let done = 0;
      let lastReported = -1;
      try {
        options.onProgress?.(0, total, 'progress');
        const bytes = await readBody(url, response, maxBytes, async (chunk) => {
          hash.update(chunk);
          await handle.write(chunk);
          done += chunk.length;
          const mark = total ? Math.floor((done * 100) / total) : Math.floor(done / (1024 * 1024));
          if (mark !== lastReported) {
            lastReported = mark;
            options.onProgress?.(done, total, 'progress');
          }
        });
        return { bytes, sha256: hash.digest('hex') };
      } finally {
        await handle.close();
      }
    });
    if (expected !== undefined && result.sha256 !== expected) {
      throw new LifecycleError('checksum_mismatch', `Checksum mismatch for ${url}: expected ${expected}, got ${result.sha256}`);
    }
    await rename(temp, destPath);
    return { ...result, cached: false };
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof LifecycleError) throw error;
    throw new LifecycleError('io_failed', `Failed to write ${destPath}: ${(error as Error).message}`, { cause: error });
  }
}

/** Upstream's cache file extension rule: `.zip`, `.tar.gz`, a few known ones, else none. */
function cacheExtension(url: string): string {
  let pathname = url;
  try {
    pathname = new URL(url).pathname;
  } catch {
    // keep the raw text
  }
  const lower = pathname.toLowerCase();
  if (lower.endsWith('.tar.gz')) return '.tar.gz';
  const ext = path.posix.extname(lower);
  return ['.zip', '.txt', '.yaml', '.yml', '.json'].includes(ext) ? ext : '';
}

/** Options of {@link downloadToCache}. */
export interface CachedDownloadOptions extends DownloadOptions {
  /** The download cache folder (created when missing). */
  cacheDir: string;
  /** Stable key, e.g. `skill-<id>-<version>`; characters outside `[A-Za-z0-9._-]` become `-`. */
  cacheKey: string;
}

/**
 * Downloads `url` into `<cacheDir>/<cacheKey><ext>`, or reuses the file already there when
 * `expectedSha256` is given and matches (reported once as `cached` through `onProgress`). A
 * cached file that does not match is replaced. Without `expectedSha256` the file is always fetched.
 * Refusals and errors are those of {@link downloadToFile}; `allowNetwork: false` is refused even
 * on a cache hit, as upstream checks the policy first.
 */
export async function downloadToCache(url: string, options: CachedDownloadOptions): Promise<DownloadResult & { path: string }> {
  checkRequest(url, options);
  const key = options.cacheKey.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '');
  if (key === '') throw new LifecycleError('invalid_request', 'download cache key must not be empty');
  const target = path.join(options.cacheDir, `${key}${cacheExtension(url)}`);
  const expected = options.expectedSha256?.trim().toLowerCase();
  if (expected !== undefined) {
    let size: number | undefined;
    try {
      const info = await stat(target);
      size = info.isFile() ? info.size : undefined;
    } catch {
      size = undefined;
    }
    if (size !== undefined && (await sha256File(target, options.signal)) === expected) {
      options.onProgress?.(size, size, 'cached');
      return { path: target, bytes: size, sha256: expected, cached: true };
    }
  }
  const result = await downloadToFile(url, target, options);
  return { ...result, path: target };
}

/**
 * Fetches a small UTF-8 text resource (release metadata, checksums, source manifests) with the
 * same policy, redirects, cap (default {@link DEFAULT_MAX_TEXT_BYTES}) and retry as downloads.
 * @throws {LifecycleError} as {@link downloadToFile}; invalid UTF-8 is `download_failed`.
 */
export async function fetchText(url: string, options: FetchOptions): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_TEXT_BYTES;
  return withRetries(url, { ...options, maxBytes }, async (response) => {
    const chunks: Uint8Array[] = [];
    await readBody(url, response, maxBytes, (chunk) => {
      chunks.push(chunk);
    });
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new LifecycleError('download_failed', `Failed to read ${url}: the response is not valid UTF-8`);
    }
  });
}
