/**
 * A fetch waiting for data (Kafka's DelayedFetch): it watches some partitions, says
 * whether enough has arrived, and is completed exactly once — when ready, when one of
 * its partitions changed role or went away (forced), or at maxWaitMs.
 */
export interface DelayedFetch {
  /** Partition keys (`topic-partition`) whose changes may complete it. */
  readonly keys: readonly string[];
  readonly maxWaitMs: number;
  /** True once enough bytes arrived (cheap: no log reads). */
  ready(): boolean;
  /** Reads and answers; called once. */
  complete(): void;
}

interface Parked {
  readonly op: DelayedFetch;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

/**
 * Parked fetches by partition (Kafka's purgatory, reduced to what a single event loop
 * needs). Appends report the partitions whose high watermark moved; the checks run
 * once per event-loop turn for all partitions touched in it (setImmediate), so a burst
 * of appends costs one check per waiting fetch, and the produce path never pays for
 * re-reading the log on a consumer's behalf. Nothing polls: a parked fetch wakes on an
 * append, a forced check, or its own timer.
 */
export class DelayedFetchPurgatory {
  private readonly watchers = new Map<string, Set<Parked>>();
  private readonly dirty = new Map<string, boolean>();
  private scheduled = false;
  private closed = false;

  /** Fetches currently waiting. */
  get size(): number {
    const all = new Set<Parked>();
    for (const set of this.watchers.values()) for (const p of set) all.add(p);
    return all.size;
  }

  park(op: DelayedFetch): void {
    const parked: Parked = { op, timer: undefined, done: false };
    if (this.closed) {
      this.finish(parked);
      return;
    }
    for (const key of op.keys) {
      let set = this.watchers.get(key);
      if (!set) this.watchers.set(key, (set = new Set()));
      set.add(parked);
    }
    parked.timer = setTimeout(() => this.finish(parked), Math.max(0, op.maxWaitMs));
  }

  /**
   * The partition's readable data changed (high watermark moved); with `force`, its
   * leadership, log start or existence changed, which completes every fetch on it.
   */
  partitionChanged(key: string, force = false): void {
    if (!this.watchers.has(key)) return;
    this.dirty.set(key, force || (this.dirty.get(key) ?? false));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.checkDirty());
  }

  private checkDirty(): void {
    this.scheduled = false;
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const [key, force] of dirty) {
      const set = this.watchers.get(key);
      if (!set) continue;
      for (const parked of [...set]) {
        if (parked.done) continue;
        if (force || parked.op.ready()) this.finish(parked);
      }
    }
  }

  private finish(parked: Parked): void {
    if (parked.done) return;
    parked.done = true;
    if (parked.timer) clearTimeout(parked.timer);
    for (const key of parked.op.keys) {
      const set = this.watchers.get(key);
      if (!set) continue;
      set.delete(parked);
      if (set.size === 0) this.watchers.delete(key);
    }
    parked.op.complete();
  }

  /** Shutdown: every parked fetch answers now with what there is. */
  close(): void {
    this.closed = true;
    const all = new Set<Parked>();
    for (const set of this.watchers.values()) for (const p of set) all.add(p);
    for (const parked of all) this.finish(parked);
  }
}
