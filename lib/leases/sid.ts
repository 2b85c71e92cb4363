import { LeaseRequestError } from './errors.js';

/** Longest SID accepted, in UTF-8 bytes. */
export const MAX_SID_BYTES = 128;

// Rust's `str::trim` removes Unicode White_Space; `String#trim` differs (it strips U+FEFF and
// keeps U+0085), so the seed's rule is spelled out.
const EDGE_WHITE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** Trims like Rust's `str::trim`. */
export function trimWhiteSpace(value: string): string {
  return value.replace(EDGE_WHITE_SPACE, '');
}

/** Trims a SID and checks it: not empty, at most 128 UTF-8 bytes, no NUL. */
export function normalizeSid(value: string): string {
  const sid = trimWhiteSpace(value);
  if (sid === '') throw new LeaseRequestError('runtime session sid must not be empty');
  if (Buffer.byteLength(sid, 'utf8') > MAX_SID_BYTES) {
    throw new LeaseRequestError('runtime session sid must not exceed 128 bytes');
  }
  if (sid.includes('\0')) throw new LeaseRequestError('runtime session sid must not contain NUL bytes');
  return sid;
}

/** Normalizes a SID that may be absent or null (eval, status, list and close requests). */
export function normalizeOptionalSid(value: string | null | undefined): string | undefined {
  return value === undefined || value === null ? undefined : normalizeSid(value);
}
