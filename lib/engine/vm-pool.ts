// A pool of Lua VMs for skill calls: at most `maxSize` VMs, at least `minSize` kept warm, idle
// ones closed after `idleTtlSec`. Acquisition never blocks the JS thread: when every VM is busy
// and the pool is full, callers wait in FIFO order on a promise. Each pooled item carries its
// own state (the engine keeps compiled handlers there), created with the VM and dropped with it.

/** Pool sizes and idle lifetime. */
export interface VmPoolConfig {
  /** VMs kept even when idle. Default 1. */
  minSize: number;
  /** Most VMs alive at once. Default: the number of CPU cores, at least 2. */
  maxSize: number;
  /** Seconds an idle VM above `minSize` is kept. Default 300. */
  idleTtlSec: number;
}

/** What the pool needs to know about the things it pools. */
export interface Poolable {
  close(): void;
}

/** Counters for hosts and tests (STYLE: observable pools). */
export interface VmPoolStats {
  /** VMs alive, idle or in use. */
  size: number;
  idle: number;
  inUse: number;
  /** Acquisitions waiting for a VM. */
  queued: number;
  /** VMs created and closed since the pool was made. */
  created: number;
  closed: number;
}

/** Why an acquisition failed: the pool closed, or the caller's signal aborted. */
export class VmPoolError extends Error {
  override readonly name = 'VmPoolError';
  constructor(
    readonly code: 'pool_closed' | 'cancelled',
    message: string,
  ) {
    super(message);
  }
}

interface Idle<T> {
  item: T;
  since: number;
}

interface Waiter<T> {
  resolve(item: T): void;
  reject(err: Error): void;
  cleanup(): void;
}

/** The pool. Every item from {@link VmPool.acquire} goes back exactly once via {@link VmPool.release}. */
export class VmPool<T extends Poolable> {
  readonly config: VmPoolConfig;
  readonly #create: () => T;
  readonly #now: () => number;
  #idle: Idle<T>[] = [];
  #inUse = new Set<T>();
  #waiters: Waiter<T>[] = [];
  #created = 0;
  #closedCount = 0;
  #closed = false;
  #reaper: NodeJS.Timeout | undefined;

  /**
   * @param create makes one item (a VM with its state); may throw, which fails that acquisition.
   * @param now milliseconds on a monotonic clock; injectable for tests.
   */
  constructor(config: VmPoolConfig, create: () => T, now: () => number = () => performance.now()) {
    if (!(config.maxSize >= 1) || !(config.minSize >= 0) || config.minSize > config.maxSize) {
      throw new RangeError(`Invalid pool config: need 0 <= minSize <= maxSize and maxSize >= 1, got ${JSON.stringify(config)}`);
    }
    this.config = { ...config };
    this.#create = create;
    this.#now = now;
  }

  get stats(): VmPoolStats {
    return {
      size: this.#idle.length + this.#inUse.size,
      idle: this.#idle.length,
      inUse: this.#inUse.size,
      queued: this.#waiters.length,
      created: this.#created,
      closed: this.#closedCount,
    };
  }

  /** An idle item, a new one if the pool has room, or the next one released. */
  acquire(signal?: AbortSignal): Promise<T> {
    if (this.#closed) return Promise.reject(new VmPoolError('pool_closed', 'the VM pool is closed'));
    if (signal?.aborted) return Promise.reject(new VmPoolError('cancelled', 'cancelled while waiting for a VM'));
    const idle = this.#idle.pop(); // most recently used first: its caches are warm
    if (idle) {
      this.#inUse.add(idle.item);
      return Promise.resolve(idle.item);
    }
    if (this.#inUse.size < this.config.maxSize) {
      try {
        return Promise.resolve(this.#checkOut(this.#make()));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new VmPoolError('cancelled', 'cancelled while waiting for a VM'));
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Gives an item back. `discard` closes it instead (a VM in an unknown state, e.g. after a
   * failure that may have left half-built module state).
   */
  release(item: T, discard = false): void {
    if (!this.#inUse.delete(item)) return;
    if (this.#closed || discard) {
      this.#dispose(item);
      if (!this.#closed) this.#serveWaiter();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.cleanup();
      this.#inUse.add(item);
      waiter.resolve(item);
      return;
    }
    this.#idle.push({ item, since: this.#now() });
    this.#scheduleReap();
  }

  /** Creates items until `minSize` are alive (warm start). */
  prewarm(): void {
    while (!this.#closed && this.#idle.length + this.#inUse.size < this.config.minSize) {
      this.#idle.push({ item: this.#make(), since: this.#now() });
    }
  }

  /** Closes idle items above `minSize` that have been idle longer than `idleTtlSec`. */
  reap(): void {
    const cutoff = this.#now() - this.config.idleTtlSec * 1000;
    const keep: Idle<T>[] = [];
    let alive = this.#idle.length + this.#inUse.size;
    // Oldest first: the least recently used go.
    for (const idle of this.#idle) {
      if (idle.since <= cutoff && alive > this.config.minSize) {
        this.#dispose(idle.item);
        alive--;
      } else {
        keep.push(idle);
      }
    }
    this.#idle = keep;
  }

  /** Closes idle items now, in-use ones when released; waiting acquisitions fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reaper) clearTimeout(this.#reaper);
    for (const idle of this.#idle) this.#dispose(idle.item);
    this.#idle = [];
    for (const waiter of this.#waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(new VmPoolError('pool_closed', 'the VM pool is closed'));
    }
  }

  /** Items currently checked out (closed by their holders' release after close()). */
  get inUseItems(): ReadonlySet<T> {
    return this.#inUse;
  }

  #make(): T {
    const item = this.#create();
    this.#created++;
    return item;
  }

  #checkOut(item: T): T {
    this.#inUse.add(item);
    return item;
  }

  #dispose(item: T): void {
    this.#closedCount++;
    try {
      item.close();
    } catch {
      // Closing is best effort: a failing close must not break the pool's bookkeeping.
    }
  }

  // A discarded item freed a slot: the first waiter gets a new item.
  #serveWaiter(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    waiter.cleanup();
    try {
      waiter.resolve(this.#checkOut(this.#make()));
    } catch (err) {
      waiter.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #scheduleReap(): void {
    if (this.#reaper || this.#closed) return;
    this.#reaper = setTimeout(() => {
      this.#reaper = undefined;
      this.reap();
      if (this.#idle.length > this.config.minSize) this.#scheduleReap();
    }, Math.max(1000, this.config.idleTtlSec * 1000));
    this.#reaper.unref(); // an idle pool must not keep the process alive
  }
}
