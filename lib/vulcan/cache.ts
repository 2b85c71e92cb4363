// vulcan.cache: a per-engine TTL cache with upstream's limits (ids `tc-<unix_ms>-<seq>`,
// default and maximum TTL 1800 s, 1000 entries, oldest evicted first, expired entries purged
// lazily). Values are stored as the JSON text vulcan.json.encode made, so a value reads back
// exactly as upstream's serde round trip gives it.

/** Upstream's `cache_config` defaults. */
export const CACHE_DEFAULT_TTL_SEC = 1800;
export const CACHE_MAX_TTL_SEC = 1800;
export const CACHE_CAPACITY = 1000;

/** Limits of one engine's cache (upstream `cache_config`). */
export interface RuntimeCacheConfig {
  /** TTL when `put` gets none, in seconds (default 1800). */
  defaultTtlSec?: number;
  /** Upper bound of any TTL, in seconds (default 1800). */
  maxTtlSec?: number;
  /** Entries kept at most; the oldest go first (default 1000). */
  capacity?: number;
}

interface Entry {
  scope: string;
  json: string;
  expiresAt: number;
}

export class RuntimeCache {
  readonly #entries = new Map<string, Entry>(); // insertion order = age
  readonly #defaultTtlSec: number;
  readonly #maxTtlSec: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #seq = 0;

  constructor(config: RuntimeCacheConfig = {}, now: () => number = Date.now) {
    this.#maxTtlSec = Math.max(1, config.maxTtlSec ?? CACHE_MAX_TTL_SEC);
    this.#defaultTtlSec = Math.min(this.#maxTtlSec, Math.max(1, config.defaultTtlSec ?? CACHE_DEFAULT_TTL_SEC));
    this.#capacity = Math.max(1, config.capacity ?? CACHE_CAPACITY);
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Stores `json` for `scope`; returns the id. A TTL outside [1, max] is clamped. */
  put(scope: string, json: string, ttlSec?: number): string {
    const now = this.#now();
    this.#purge(now);
    const ttl = ttlSec === undefined || !Number.isFinite(ttlSec) ? this.#defaultTtlSec : Math.min(this.#maxTtlSec, Math.max(1, Math.trunc(ttlSec)));
    while (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    const id = `tc-${now}-${++this.#seq}`;
    this.#entries.set(id, { scope, json, expiresAt: now + ttl * 1000 });
    return id;
  }

  /** The JSON text stored under `id` for `scope`, or undefined (unknown, expired, other scope). */
  get(scope: string, id: string): string | undefined {
    const entry = this.#entries.get(id);
    if (!entry || entry.scope !== scope) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.json;
  }

  /** Removes `id` when `scope` owns it and it is live; true when something was removed. */
  delete(scope: string, id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry || entry.scope !== scope) return false;
    this.#entries.delete(id);
    return entry.expiresAt > this.#now();
  }

  clear(): void {
    this.#entries.clear();
  }

  #purge(now: number): void {
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }
}
