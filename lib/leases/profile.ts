import { LeaseRequestError } from './errors.js';

/**
 * `public`: finite leases any host may open. `system_lua_lib`: host-owned leases rooted in the
 * engine's system Lua library directory, infinite unless a TTL is asked for.
 */
export type LeaseProfile = 'public' | 'system_lua_lib';

/** TTL of a public lease created without `ttl_sec`. */
export const DEFAULT_PUBLIC_TTL_SEC = 600;
/** Bounds every finite TTL is clamped into. */
export const MIN_TTL_SEC = 1;
export const MAX_TTL_SEC = 3600;

/** Clamps a requested TTL into 1..3600 s. */
export function clampTtl(ttlSec: number): number {
  return Math.min(MAX_TTL_SEC, Math.max(MIN_TTL_SEC, ttlSec));
}

/**
 * The TTL a create request gets under `profile`; `null` means infinite.
 * public: absent → 600, 0 → error, else clamped. system_lua_lib: absent or 0 → infinite.
 */
export function resolveLeaseTtl(profile: LeaseProfile, requested: number | null | undefined): number | null {
  const absent = requested === undefined || requested === null;
  if (profile === 'public') {
    if (absent) return DEFAULT_PUBLIC_TTL_SEC;
    if (requested === 0) throw new LeaseRequestError('runtime lease ttl_sec must be greater than 0');
    return clampTtl(requested);
  }
  if (absent || requested === 0) return null;
  return clampTtl(requested);
}
