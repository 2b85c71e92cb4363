import { CodedError } from '../coded-error.js';

/**
 * Stable codes of a lease outcome that is not a success. They travel in `{ ok: false,
 * error_code, message }` payloads exactly as the seed names them; `lease_manager_poisoned` is
 * listed for hosts that match on the upstream set but never occurs here (no lock can be poisoned
 * in a single-threaded manager).
 */
export const LEASE_ERROR_CODES = [
  'lease_exists',
  'lease_busy',
  'lease_limit_exceeded',
  'lease_not_found',
  'lease_closed',
  'lease_expired',
  'lease_replaced',
  'lease_profile_mismatch',
  'lease_sid_mismatch',
  'lease_generation_mismatch',
  'lease_manager_poisoned',
  'eval_failed',
] as const;

export type LeaseErrorCode = (typeof LEASE_ERROR_CODES)[number];

/** The three codes a lease keeps after it leaves the active set. */
export type LeaseTerminalCode = 'lease_closed' | 'lease_expired' | 'lease_replaced';

/**
 * A lease operation refused for a reason the host is expected to recover from (busy, gone,
 * wrong identity...). The surfaces turn it into an `{ ok: false, error_code, message }` payload.
 */
export class LeaseError extends CodedError<LeaseErrorCode> {
  override readonly name = 'LeaseError';
}

/**
 * A request the seed rejects outright (bad JSON, wrong field type, empty SID, `ttl_sec: 0`,
 * `timeout_ms: 0`, a NUL in a path...). Thrown or rejected, never turned into a payload.
 */
export class LeaseRequestError extends TypeError {
  override readonly name = 'LeaseRequestError';
  readonly code = 'invalid_lease_request' as const;
}

/** Message of a terminal code, without the `(sid …, generation N)` suffix. */
export function terminalMessage(code: LeaseTerminalCode, leaseId: string): string {
  switch (code) {
    case 'lease_closed':
      return `runtime session lease \`${leaseId}\` is closed`;
    case 'lease_expired':
      return `runtime session lease \`${leaseId}\` is expired`;
    case 'lease_replaced':
      return `runtime session lease \`${leaseId}\` was replaced`;
  }
}

/** The error a retired lease answers with, naming the SID and generation it had. */
export function terminalError(code: LeaseTerminalCode, leaseId: string, sid: string, generation: number): LeaseError {
  return new LeaseError(code, `${terminalMessage(code, leaseId)} (sid \`${sid}\`, generation ${generation})`);
}
