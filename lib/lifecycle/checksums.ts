// SHA-256 helpers of managed installs: the sha256sum-format checksums file published next to a
// GitHub release asset (`<id>-v<version>-checksums.txt`), and streamed hashing of a file on disk.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import { LifecycleError } from './errors.js';

const SHA256 = /^[0-9a-fA-F]{64}$/;

/** True when `value` (trimmed) is 64 hex digits. */
export function isSha256(value: string): boolean {
  return SHA256.test(value.trim());
}

/**
 * Lower-cases and checks one SHA-256 value.
 * @throws {LifecycleError} `manifest_invalid` with `message` (upstream's text for manifests by default).
 */
export function normalizeSha256(value: string, message = 'source manifest archive.sha256 must be one valid SHA-256 value'): string {
  const normalized = value.trim().toLowerCase();
  if (!SHA256.test(normalized)) throw new LifecycleError('manifest_invalid', message);
  return normalized;
}

/**
 * Parses a sha256sum-format file (`<hex>  <name>` or `<hex> *<name>`, blank lines ignored) into
 * name → lower-case hex. A line with anything but one hash and one name is an error, as upstream.
 * @throws {LifecycleError} `source_unresolved` naming the line.
 */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const trimmed = (lines[index] ?? '').trim();
    if (trimmed === '') continue;
    const parts = trimmed.split(/\s+/);
    const lineNumber = index + 1;
    if (parts.length < 2) {
      throw new LifecycleError('source_unresolved', `Checksum manifest line ${lineNumber} must contain one SHA-256 value and one asset file name`);
    }
    if (parts.length > 2) {
      throw new LifecycleError('source_unresolved', `Checksum manifest line ${lineNumber} must contain exactly one SHA-256 value and one asset file name`);
    }
    const name = (parts[1] ?? '').replace(/^\*+/, '').trim();
    if (name === '') throw new LifecycleError('source_unresolved', `Checksum manifest line ${lineNumber} asset file name must not be empty`);
    // First entry wins, like upstream's scan which stops at the first match.
    if (!out.has(name)) out.set(name, parts[0] ?? '');
  }
  return out;
}

/**
 * The SHA-256 listed for `assetName` in a sha256sum-format file, lower-cased. Messages are
 * upstream's: `Checksum manifest does not contain an entry for '<name>'`,
 * `Checksum entry for '<name>' is not one valid SHA-256 value`.
 * @throws {LifecycleError} `source_unresolved`.
 */
export function checksumForAsset(text: string, assetName: string): string {
  const value = parseChecksums(text).get(assetName);
  if (value === undefined) {
    throw new LifecycleError('source_unresolved', `Checksum manifest does not contain an entry for '${assetName}'`);
  }
  if (!SHA256.test(value)) {
    throw new LifecycleError('source_unresolved', `Checksum entry for '${assetName}' is not one valid SHA-256 value`);
  }
  return value.toLowerCase();
}

/**
 * SHA-256 (lower-case hex) of the file at `filePath`, read as a stream.
 * @throws {LifecycleError} `io_failed` when the file cannot be read, `cancelled` on `signal`.
 */
export async function sha256File(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(filePath, signal ? { signal } : {})) hash.update(chunk as Buffer);
  } catch (error) {
    if (signal?.aborted) throw new LifecycleError('cancelled', `hashing ${filePath} was cancelled`);
    throw new LifecycleError('io_failed', `Failed to read ${filePath}: ${(error as Error).message}`, { cause: error });
  }
  return hash.digest('hex');
}
