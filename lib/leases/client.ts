// The lease surfaces of one profile: the typed API (`engine.leases.create({...})`) and the JSON
// text API (`engine.createRuntimeLeaseJson('{...}')`) share one implementation, so they cannot
// drift. Lease outcomes are values (`{ ok: false, error_code, message }`); bad requests throw.
import { invocationContext } from './context.js';
import { LeaseError, LeaseRequestError } from './errors.js';
import { toJsonText } from './json-text.js';
import type { LeaseVm } from './lease-vm.js';
import type { RuntimeLeaseManager } from './manager.js';
import { resolveLeasePathContext, type LeasePathContext } from './paths.js';
import type {
  LeaseClosePayload,
  LeaseCreatePayload,
  LeaseErrorPayload,
  LeaseEvalPayload,
  LeaseListPayload,
  LeaseOutcome,
  LeaseStatusPayload,
} from './payloads.js';
import { resolveLeaseTtl, type LeaseProfile } from './profile.js';
import {
  compileLeaseRequest,
  parseLeaseJson,
  RuntimeLeaseCreateRequestSchema,
  RuntimeLeaseEvalRequestSchema,
  RuntimeLeaseIdentityRequestSchema,
  RuntimeLeaseListRequestSchema,
  type LeaseRequestKind,
  type RuntimeLeaseCreateRequest,
  type RuntimeLeaseEvalRequest,
  type RuntimeLeaseIdentityRequest,
  type RuntimeLeaseListRequest,
} from './schemas.js';
import { normalizeOptionalSid, normalizeSid } from './sid.js';
import { MAX_TIMEOUT_MS } from '../vm/options.js';

/** Default and bounds of an eval's `timeout_ms`. */
export const DEFAULT_EVAL_TIMEOUT_MS = 60_000;
// Larger u64 values run with LuaVm's longest timeout.
const MAX_EVAL_TIMEOUT_MS = MAX_TIMEOUT_MS;

/** What the lease surfaces need from the engine that owns them. */
export interface LeaseHost {
  readonly leaseManager: RuntimeLeaseManager;
  /** Where `system_lua_lib` leases live (created on demand). */
  readonly systemLuaLibDir: string;
  /** A fresh VM for a lease, already configured for `paths`. */
  createLeaseVm(paths: LeasePathContext): LeaseVm;
  /** Throws when the engine is closed. */
  assertOpen(): void;
  /** Lets engine close wait for work that is still running. */
  track<T>(work: Promise<T>): Promise<T>;
}

const checkCreate = compileLeaseRequest(RuntimeLeaseCreateRequestSchema);
const checkEval = compileLeaseRequest(RuntimeLeaseEvalRequestSchema);
const checkIdentity = compileLeaseRequest(RuntimeLeaseIdentityRequestSchema);
const checkList = compileLeaseRequest(RuntimeLeaseListRequestSchema);

function errorPayload(err: unknown): LeaseErrorPayload {
  if (err instanceof LeaseError) return { ok: false, error_code: err.code, message: err.message };
  throw err;
}

function typedPrefix(kind: LeaseRequestKind): string {
  return `Invalid runtime session ${kind} request`;
}

function jsonPrefix(kind: LeaseRequestKind): string {
  return `Invalid runtime session ${kind} JSON`;
}

/**
 * Runtime leases of one profile (`engine.leases` is `public`, `engine.systemLeases` is
 * `system_lua_lib`). Request and payload fields are the seed's snake_case JSON names.
 */
export class RuntimeLeaseClient {
  /** The profile every lease made or reached through this client must have. */
  readonly profile: LeaseProfile;
  readonly #host: LeaseHost;

  constructor(host: LeaseHost, profile: LeaseProfile) {
    this.#host = host;
    this.profile = profile;
  }

  /** Opens a lease with its own VM. Rejects with a LeaseRequestError for a bad request. */
  async create(request: RuntimeLeaseCreateRequest): Promise<LeaseOutcome<LeaseCreatePayload>> {
    const checked = checkCreate(request, typedPrefix('create'));
    return this.#host.track(this.#create(checked));
  }

  /** Runs code in a lease's VM; globals persist between evals. */
  async eval(request: RuntimeLeaseEvalRequest): Promise<LeaseOutcome<LeaseEvalPayload>> {
    const checked = checkEval(request, typedPrefix('eval'));
    return this.#host.track(this.#eval(checked));
  }

  /** The status of one lease (does not refresh its TTL). */
  status(request: RuntimeLeaseIdentityRequest): LeaseOutcome<LeaseStatusPayload> {
    return this.#status(checkIdentity(request, typedPrefix('status')));
  }

  /** The active leases of this profile, optionally of one SID. */
  list(request: RuntimeLeaseListRequest = {}): LeaseOutcome<LeaseListPayload> {
    return this.#list(checkList(request, typedPrefix('list')));
  }

  /** Closes one lease and frees its VM. */
  close(request: RuntimeLeaseIdentityRequest): LeaseOutcome<LeaseClosePayload> {
    return this.#close(checkIdentity(request, typedPrefix('close')));
  }

  /** {@link create} from and to JSON text. */
  async createJson(json: string): Promise<string> {
    const request = checkCreate(parseLeaseJson(json, 'create'), jsonPrefix('create'));
    return toJsonText(await this.#host.track(this.#create(request)));
  }

  /** {@link eval} from and to JSON text. */
  async evalJson(json: string): Promise<string> {
    const request = checkEval(parseLeaseJson(json, 'eval'), jsonPrefix('eval'));
    return toJsonText(await this.#host.track(this.#eval(request)));
  }

  /** {@link status} from and to JSON text. */
  statusJson(json: string): string {
    return toJsonText(this.#status(checkIdentity(parseLeaseJson(json, 'status'), jsonPrefix('status'))));
  }

  /** {@link list} from and to JSON text. */
  listJson(json: string): string {
    return toJsonText(this.#list(checkList(parseLeaseJson(json, 'list'), jsonPrefix('list'))));
  }

  /** {@link close} from and to JSON text. */
  closeJson(json: string): string {
    return toJsonText(this.#close(checkIdentity(parseLeaseJson(json, 'close'), jsonPrefix('close'))));
  }

  async #create(request: RuntimeLeaseCreateRequest): Promise<LeaseOutcome<LeaseCreatePayload>> {
    const host = this.#host;
    host.assertOpen();
    const sid = normalizeSid(request.sid);
    const ttlSec = resolveLeaseTtl(this.profile, request.ttl_sec);
    const paths = await resolveLeasePathContext(request, this.profile, host.systemLuaLibDir);
    // The engine may have closed while the system directory was being created.
    host.assertOpen();
    const vm = host.createLeaseVm(paths);
    try {
      return host.leaseManager.insert(this.profile, sid, ttlSec, request.replace ?? false, paths, vm);
    } catch (err) {
      return errorPayload(err);
    }
  }

  async #eval(request: RuntimeLeaseEvalRequest): Promise<LeaseOutcome<LeaseEvalPayload>> {
    this.#host.assertOpen();
    const sid = normalizeOptionalSid(request.sid);
    const timeoutMs = request.timeout_ms ?? DEFAULT_EVAL_TIMEOUT_MS;
    if (timeoutMs === 0) throw new LeaseRequestError('runtime session eval timeout_ms must be greater than 0');
    const identity = { sid, generation: request.generation ?? undefined };
    try {
      return await this.#host.leaseManager.eval(request.lease_id, identity, this.profile, {
        code: request.code,
        args: request.args === undefined ? {} : request.args,
        timeoutMs: Math.min(timeoutMs, MAX_EVAL_TIMEOUT_MS),
        context: invocationContext(request),
      });
    } catch (err) {
      return errorPayload(err);
    }
  }

  #status(request: RuntimeLeaseIdentityRequest): LeaseOutcome<LeaseStatusPayload> {
    this.#host.assertOpen();
    const identity = { sid: normalizeOptionalSid(request.sid), generation: request.generation ?? undefined };
    try {
      return this.#host.leaseManager.status(request.lease_id, identity, this.profile);
    } catch (err) {
      return errorPayload(err);
    }
  }

  #list(request: RuntimeLeaseListRequest): LeaseOutcome<LeaseListPayload> {
    this.#host.assertOpen();
    const sid = normalizeOptionalSid(request.sid);
    return this.#host.leaseManager.list(sid, this.profile);
  }

  #close(request: RuntimeLeaseIdentityRequest): LeaseOutcome<LeaseClosePayload> {
    this.#host.assertOpen();
    const identity = { sid: normalizeOptionalSid(request.sid), generation: request.generation ?? undefined };
    try {
      return this.#host.leaseManager.close(request.lease_id, identity, this.profile);
    } catch (err) {
      return errorPayload(err);
    }
  }
}
