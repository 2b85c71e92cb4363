// The seed's RuntimeSessionManager: SIDs, generations, TTLs, tombstones, identity checks and the
// lease limit. It owns one LeaseVm per active lease and frees it when the lease leaves the active
// set. JS runs it on one thread, so the seed's per-session try_lock becomes a `busy` flag that is
// set while an eval runs: every place the seed would fail to take the lock sees it set.
import type { LeaseClock } from './clock.js';
import { LeaseError, terminalError, terminalMessage, type LeaseTerminalCode } from './errors.js';
import type { LeaseEvalInput, LeaseVm } from './lease-vm.js';
import type { LeasePathContext } from './paths.js';
import {
  compareStatusPayloads,
  type LeaseClosePayload,
  type LeaseCreatePayload,
  type LeaseEvalPayload,
  type LeaseListPayload,
  type LeaseStatusPayload,
} from './payloads.js';
import { clampTtl, type LeaseProfile } from './profile.js';

/** Active leases per manager (one manager per engine), both profiles together. */
export const MAX_ACTIVE_LEASES = 8;
/** How long a closed, expired or replaced lease keeps answering with its terminal code. */
export const TOMBSTONE_TTL_MS = 3_600_000;

interface Session {
  readonly sid: string;
  readonly leaseId: string;
  readonly generation: number;
  readonly profile: LeaseProfile;
  readonly ttlSec: number | null;
  expiresAtMono: number | null;
  expiresAtUnixMs: number | null;
  readonly paths: LeasePathContext;
  readonly vm: LeaseVm;
  /** Set when the lease is retired; a session can outlive its entry only inside a running eval. */
  terminal: LeaseTerminalCode | null;
  closed: boolean;
  busy: boolean;
}

interface Entry {
  readonly session: Session;
  /** What list shows: the status at create or after the last eval, never recomputed. */
  snapshot: LeaseStatusPayload;
}

interface Tombstone {
  readonly sid: string;
  readonly leaseId: string;
  readonly generation: number;
  readonly profile: LeaseProfile;
  readonly code: LeaseTerminalCode;
  readonly retiredAtMono: number;
}

/** Who the host believes a lease is: both fields optional, checked when given. */
export interface LeaseIdentity {
  sid?: string | undefined;
  generation?: number | undefined;
}

function busyError(leaseId: string): LeaseError {
  return new LeaseError('lease_busy', `runtime session lease \`${leaseId}\` is busy`);
}

function checkIdentity(leaseId: string, sid: string, generation: number, expected: LeaseIdentity): void {
  if (expected.sid !== undefined && sid !== expected.sid) {
    throw new LeaseError(
      'lease_sid_mismatch',
      `runtime session lease \`${leaseId}\` belongs to sid \`${sid}\`, not \`${expected.sid}\``,
    );
  }
  if (expected.generation !== undefined && generation !== expected.generation) {
    throw new LeaseError(
      'lease_generation_mismatch',
      `runtime session lease \`${leaseId}\` generation mismatch: expected ${expected.generation}, actual ${generation}`,
    );
  }
}

function checkProfile(leaseId: string, actual: LeaseProfile, expected: LeaseProfile | undefined): void {
  if (expected !== undefined && actual !== expected) {
    throw new LeaseError(
      'lease_profile_mismatch',
      `runtime session lease \`${leaseId}\` belongs to profile \`${actual}\`, not \`${expected}\``,
    );
  }
}

/** Persistent lease sessions of one engine. */
export class RuntimeLeaseManager {
  readonly #clock: LeaseClock;
  readonly #leases = new Map<string, Entry>();
  readonly #sidIndex = new Map<string, string>();
  readonly #tombstones = new Map<string, Tombstone>();
  readonly #generations = new Map<string, number>();
  #sequence = 0;

  constructor(clock: LeaseClock) {
    this.#clock = clock;
  }

  /** Active leases right now (expired ones count until the next operation prunes them). */
  get activeCount(): number {
    return this.#leases.size;
  }

  /**
   * Registers a new lease for `sid` with its VM. The manager owns `vm` from here on: if the
   * lease is refused, the VM is closed before the error is thrown.
   */
  insert(
    profile: LeaseProfile,
    sid: string,
    ttlSec: number | null,
    replace: boolean,
    paths: LeasePathContext,
    vm: LeaseVm,
  ): LeaseCreatePayload {
    try {
      return this.#insert(profile, sid, ttlSec, replace, paths, vm);
    } catch (err) {
      vm.close();
      throw err;
    }
  }

  /** The status of one lease. Does not refresh its TTL. */
  status(leaseId: string, identity: LeaseIdentity, profile: LeaseProfile | undefined): LeaseStatusPayload {
    const session = this.#get(leaseId, identity, profile);
    const inactive = this.#inactiveError(session);
    if (inactive) throw inactive;
    return this.#statusPayload(session);
  }

  /** Snapshots of the active leases, optionally of one SID, sorted by sid, generation, lease id. */
  list(sid: string | undefined, profile: LeaseProfile | undefined): LeaseListPayload {
    this.#prune();
    const leases: LeaseStatusPayload[] = [];
    for (const entry of this.#leases.values()) {
      if (sid !== undefined && entry.snapshot.sid !== sid) continue;
      if (profile !== undefined && entry.snapshot.profile !== profile) continue;
      leases.push({ ...entry.snapshot });
    }
    leases.sort(compareStatusPayloads);
    return { ok: true, leases };
  }

  /** Closes one lease: its VM is freed and a `lease_closed` tombstone answers for it. */
  close(leaseId: string, identity: LeaseIdentity, profile: LeaseProfile | undefined): LeaseClosePayload {
    this.#prune();
    const entry = this.#leases.get(leaseId);
    if (entry === undefined) throw this.#retiredOrMissing(leaseId, identity, profile);
    const session = entry.session;
    if (session.busy) throw busyError(leaseId);
    checkIdentity(leaseId, session.sid, session.generation, identity);
    checkProfile(leaseId, session.profile, profile);
    session.terminal = 'lease_closed';
    session.closed = true;
    const payload: LeaseClosePayload = { ...this.#statusPayload(session), ok: true };
    this.#leases.delete(leaseId);
    if (this.#sidIndex.get(session.sid) === leaseId) this.#sidIndex.delete(session.sid);
    this.#tombstones.set(leaseId, {
      sid: session.sid,
      leaseId,
      generation: session.generation,
      profile: session.profile,
      code: 'lease_closed',
      retiredAtMono: this.#clock.monotonicMs(),
    });
    session.vm.close();
    return payload;
  }

  /**
   * Runs `input` in the lease's VM. The TTL slides before the eval and again after a success;
   * a second eval while one runs fails at once with `lease_busy`. Rejects with a LeaseError
   * (`eval_failed` when Lua failed).
   */
  async eval(
    leaseId: string,
    identity: LeaseIdentity,
    profile: LeaseProfile | undefined,
    input: LeaseEvalInput,
  ): Promise<LeaseEvalPayload> {
    const session = this.#get(leaseId, identity, profile);
    const inactive = this.#inactiveError(session);
    if (inactive) throw inactive;
    if (session.ttlSec !== null) this.#refresh(session);
    session.busy = true;
    let outcome;
    try {
      outcome = await session.vm.eval(input);
    } finally {
      session.busy = false;
    }
    if (outcome.ok) this.#refresh(session);
    const entry = this.#leases.get(leaseId);
    if (entry !== undefined) entry.snapshot = this.#statusPayload(session);
    if (!outcome.ok) throw new LeaseError('eval_failed', outcome.message);
    return {
      ok: true,
      sid: session.sid,
      lease_id: session.leaseId,
      generation: session.generation,
      profile: session.profile,
      lifetime: session.ttlSec === null ? 'infinite' : 'finite',
      cwd: session.paths.cwd,
      system_lua_lib: session.paths.systemLuaLib,
      expires_at_unix_ms: session.expiresAtUnixMs,
      result: outcome.value,
    };
  }

  /**
   * Frees every VM (running evals end as failures) and forgets all leases. For engine close;
   * the manager is empty but usable afterwards.
   */
  closeAll(): void {
    for (const entry of this.#leases.values()) {
      entry.session.terminal = 'lease_closed';
      entry.session.closed = true;
      entry.session.vm.close();
    }
    this.#leases.clear();
    this.#sidIndex.clear();
    this.#tombstones.clear();
  }

  #insert(
    profile: LeaseProfile,
    sid: string,
    ttlSec: number | null,
    replace: boolean,
    paths: LeasePathContext,
    vm: LeaseVm,
  ): LeaseCreatePayload {
    this.#prune();
    const existingId = this.#sidIndex.get(sid);
    if (existingId !== undefined) {
      const existing = this.#leases.get(existingId);
      if (existing === undefined) {
        this.#sidIndex.delete(sid);
      } else if (existing.session.busy) {
        if (replace) {
          throw new LeaseError('lease_busy', `runtime session SID \`${sid}\` cannot replace busy lease \`${existingId}\``);
        }
        throw new LeaseError('lease_exists', `runtime session SID \`${sid}\` already has lease \`${existingId}\``);
      } else {
        const inactive = this.#inactiveCode(existing.session);
        if (inactive !== null) {
          this.#retire(existingId, inactive);
        } else if (!replace) {
          throw new LeaseError('lease_exists', `runtime session SID \`${sid}\` already has lease \`${existingId}\``);
        } else {
          this.#retire(existingId, 'lease_replaced');
        }
      }
    }
    if (this.#leases.size >= MAX_ACTIVE_LEASES) {
      throw new LeaseError('lease_limit_exceeded', 'runtime session lease limit exceeded');
    }
    this.#sequence += 1;
    const generation = (this.#generations.get(sid) ?? 0) + 1;
    this.#generations.set(sid, generation);
    const leaseId = `rt_${Math.floor(this.#clock.unixMs())}_${this.#sequence}`;
    const session: Session = {
      sid,
      leaseId,
      generation,
      profile,
      ttlSec: ttlSec === null ? null : clampTtl(ttlSec),
      expiresAtMono: null,
      expiresAtUnixMs: null,
      paths,
      vm,
      terminal: null,
      closed: false,
      busy: false,
    };
    this.#refresh(session);
    const snapshot = this.#statusPayload(session);
    this.#leases.set(leaseId, { session, snapshot });
    this.#sidIndex.set(sid, leaseId);
    return {
      ok: true,
      sid,
      lease_id: leaseId,
      generation,
      profile,
      lifetime: snapshot.lifetime,
      cwd: snapshot.cwd,
      workspace_root: snapshot.workspace_root,
      system_lua_lib: snapshot.system_lua_lib,
      ttl_sec: snapshot.ttl_sec,
      expires_at_unix_ms: snapshot.expires_at_unix_ms,
    };
  }

  // The seed's `get`: prune, then the active lease (busy, identity, profile) or its tombstone.
  #get(leaseId: string, identity: LeaseIdentity, profile: LeaseProfile | undefined): Session {
    this.#prune();
    const entry = this.#leases.get(leaseId);
    if (entry === undefined) throw this.#retiredOrMissing(leaseId, identity, profile);
    if (entry.session.busy) throw busyError(leaseId);
    checkIdentity(leaseId, entry.session.sid, entry.session.generation, identity);
    checkProfile(leaseId, entry.session.profile, profile);
    return entry.session;
  }

  // A lease that is not active answers with its tombstone's code once its identity matches.
  #retiredOrMissing(leaseId: string, identity: LeaseIdentity, profile: LeaseProfile | undefined): LeaseError {
    const tombstone = this.#tombstones.get(leaseId);
    if (tombstone === undefined) {
      return new LeaseError('lease_not_found', `runtime session lease \`${leaseId}\` was not found`);
    }
    checkIdentity(leaseId, tombstone.sid, tombstone.generation, identity);
    checkProfile(leaseId, tombstone.profile, profile);
    return terminalError(tombstone.code, leaseId, tombstone.sid, tombstone.generation);
  }

  // Lazy pruning, run by every operation: expired idle leases retire, old tombstones go.
  #prune(): void {
    const now = this.#clock.monotonicMs();
    for (const [leaseId, entry] of this.#leases) {
      const s = entry.session;
      if (!s.busy && s.expiresAtMono !== null && this.#isExpired(s)) this.#retire(leaseId, 'lease_expired');
    }
    for (const [leaseId, tombstone] of this.#tombstones) {
      if (!(now - tombstone.retiredAtMono < TOMBSTONE_TTL_MS)) this.#tombstones.delete(leaseId);
    }
  }

  // Moves an active lease to the tombstones and frees its VM.
  #retire(leaseId: string, code: LeaseTerminalCode): void {
    const entry = this.#leases.get(leaseId);
    if (entry === undefined) return;
    entry.session.terminal = code;
    this.#leases.delete(leaseId);
    const { snapshot } = entry;
    if (this.#sidIndex.get(snapshot.sid) === leaseId) this.#sidIndex.delete(snapshot.sid);
    this.#tombstones.set(leaseId, {
      sid: snapshot.sid,
      leaseId: snapshot.lease_id,
      generation: snapshot.generation,
      profile: snapshot.profile,
      code,
      retiredAtMono: this.#clock.monotonicMs(),
    });
    entry.session.vm.close();
  }

  #inactiveCode(session: Session): LeaseTerminalCode | null {
    if (session.terminal !== null) return session.terminal;
    if (session.closed) return 'lease_closed';
    if (this.#isExpired(session)) return 'lease_expired';
    return null;
  }

  // A retired session names its sid and generation; a merely closed or expired one does not.
  #inactiveError(session: Session): LeaseError | null {
    if (session.terminal !== null) {
      return terminalError(session.terminal, session.leaseId, session.sid, session.generation);
    }
    if (session.closed) return new LeaseError('lease_closed', terminalMessage('lease_closed', session.leaseId));
    if (this.#isExpired(session)) return new LeaseError('lease_expired', terminalMessage('lease_expired', session.leaseId));
    return null;
  }

  #isExpired(session: Session): boolean {
    return session.expiresAtMono !== null && this.#clock.monotonicMs() >= session.expiresAtMono;
  }

  #refresh(session: Session): void {
    if (session.ttlSec === null) {
      session.expiresAtMono = null;
      session.expiresAtUnixMs = null;
      return;
    }
    const ttlMs = session.ttlSec * 1000;
    session.expiresAtMono = this.#clock.monotonicMs() + ttlMs;
    session.expiresAtUnixMs = Math.floor(this.#clock.unixMs()) + ttlMs;
  }

  #statusPayload(session: Session): LeaseStatusPayload {
    const expired = this.#isExpired(session);
    return {
      ok: session.terminal === null && !session.closed && !expired,
      sid: session.sid,
      lease_id: session.leaseId,
      generation: session.generation,
      profile: session.profile,
      lifetime: session.ttlSec === null ? 'infinite' : 'finite',
      cwd: session.paths.cwd,
      workspace_root: session.paths.workspaceRoot,
      system_lua_lib: session.paths.systemLuaLib,
      ttl_sec: session.ttlSec,
      expires_at_unix_ms: session.expiresAtUnixMs,
      closed: session.closed,
      expired,
    };
  }
}
