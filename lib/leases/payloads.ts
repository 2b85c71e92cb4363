// Payload shapes of the lease surfaces, field for field as the seed builds them. The JSON text
// writes keys in byte order (the seed's serde_json maps are ordered that way), so the order in
// which these objects are built does not matter.
import type { LuaValue } from '../vm/lua-vm.js';
import type { LeaseErrorCode } from './errors.js';
import type { LeaseProfile } from './profile.js';

/** `finite` when the lease has a TTL, `infinite` otherwise. */
export type LeaseLifetime = 'finite' | 'infinite';

/** Fields every lease payload starts with. */
export interface LeaseIdentityFields {
  sid: string;
  lease_id: string;
  generation: number;
  profile: LeaseProfile;
  lifetime: LeaseLifetime;
}

/** Answer of a successful create. */
export interface LeaseCreatePayload extends LeaseIdentityFields {
  ok: true;
  cwd: string | null;
  workspace_root: string | null;
  system_lua_lib: string | null;
  ttl_sec: number | null;
  expires_at_unix_ms: number | null;
}

/** Answer of status, and each entry of list (a snapshot taken at create or after the last eval). */
export interface LeaseStatusPayload extends Omit<LeaseCreatePayload, 'ok'> {
  /** True while the lease is neither closed, expired nor retired. */
  ok: boolean;
  closed: boolean;
  expired: boolean;
}

/** Answer of a successful close: the status shape with `ok: true`, `closed: true`. */
export interface LeaseClosePayload extends LeaseStatusPayload {
  ok: true;
}

/** Answer of a successful eval; `result` is the first value the code returned. */
export interface LeaseEvalPayload extends LeaseIdentityFields {
  ok: true;
  cwd: string | null;
  system_lua_lib: string | null;
  expires_at_unix_ms: number | null;
  result: LuaValue;
}

/** Answer of list: the active leases of the profile, sorted by sid, generation, lease_id. */
export interface LeaseListPayload {
  ok: true;
  leases: LeaseStatusPayload[];
}

/** Every lease refusal and every failed eval. */
export interface LeaseErrorPayload {
  ok: false;
  error_code: LeaseErrorCode;
  message: string;
}

/** What a lease operation answers: its payload or an error payload. */
export type LeaseOutcome<T> = T | LeaseErrorPayload;

/** Byte-order comparison of two strings, as Rust compares `str`. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** List order: sid, then generation, then lease id. */
export function compareStatusPayloads(a: LeaseStatusPayload, b: LeaseStatusPayload): number {
  return compareBytes(a.sid, b.sid) || a.generation - b.generation || compareBytes(a.lease_id, b.lease_id);
}
