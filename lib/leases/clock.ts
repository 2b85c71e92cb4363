/**
 * The two clocks a lease manager reads. Expiry is decided on the monotonic one (wall-clock jumps
 * must not expire or revive leases); `expires_at_unix_ms` and lease ids use the wall clock.
 * Tests inject their own to cover 600 s TTLs and 3600 s tombstones without sleeping.
 */
export interface LeaseClock {
  /** Milliseconds on a clock that never goes back; only differences matter. */
  monotonicMs(): number;
  /** Milliseconds since the Unix epoch. */
  unixMs(): number;
}

/** `performance.now()` and `Date.now()`. */
export const systemClock: LeaseClock = {
  monotonicMs: () => performance.now(),
  unixMs: () => Date.now(),
};
