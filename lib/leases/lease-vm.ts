import type { LuaValue } from '../vm/lua-vm.js';

/** The invocation context of one eval, as it is set on `vulcan.context`. */
export interface LeaseInvocationContext {
  /** `vulcan.context.request`: the request context fields that were set, plus `client_capabilities`. */
  request: Record<string, unknown>;
  client_info?: Record<string, unknown>;
  client_capabilities: Record<string, unknown>;
  client_budget: Record<string, unknown>;
  tool_config: Record<string, unknown>;
  host_result: { enabled: boolean; allowed_kinds: unknown[]; max_payload_bytes?: number };
}

/** One eval as the manager hands it to a lease VM. */
export interface LeaseEvalInput {
  code: string;
  args: unknown;
  timeoutMs: number;
  context: LeaseInvocationContext;
}

/** How an eval ended: its first result, or the seed's `eval_failed` message. */
export type LeaseEvalOutcome = { ok: true; value: LuaValue } | { ok: false; message: string };

/**
 * The VM behind one lease. The manager only needs these two operations, so its bookkeeping can
 * be tested with a stand-in; {@link LuaLeaseVm} is the real one.
 */
export interface LeaseVm {
  /** Runs one eval off the JS thread. Never rejects: failures come back as `ok: false`. */
  eval(input: LeaseEvalInput): Promise<LeaseEvalOutcome>;
  /** Frees the VM; a running eval ends as a failure. Idempotent. */
  close(): void;
}
