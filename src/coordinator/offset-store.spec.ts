import type { JsonValue, MetadataStore } from '../zk/metadata-store';
import { EmbeddedMetadataStore } from '../zk/embedded-metadata-store';
import { OffsetStore, type OffsetCommitEntry } from './offset-store';

interface OffsetWrite {
  path: string;
  offset: number;
}

/**
 * The embedded store with its offset writes observed and steerable: every write under
 * /offsets/ is recorded, counted while in flight, can be held until released, and can
 * be made to fail. A write is one `set` call: the accessor's upsert always starts there.
 */
class ObservedStore {
  readonly writes: OffsetWrite[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failWhen: ((write: OffsetWrite) => boolean) | null = null;
  failChildrenOnce = false;
  private held: Promise<void> | null = null;
  private releaseHeld: (() => void) | null = null;
  readonly store: MetadataStore;

  constructor(readonly inner: EmbeddedMetadataStore) {
    this.store = new Proxy(inner, {
      get: (target, prop) => {
        if (prop === 'set') return (path: string, value: JsonValue, version?: number) => this.set(path, value, version);
        if (prop === 'children') return (path: string) => this.children(path);
        const member = Reflect.get(target, prop, target) as unknown;
        return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
      },
    });
  }

  hold(): void {
    this.held = new Promise((resolve) => (this.releaseHeld = resolve));
  }

  release(): void {
    this.releaseHeld?.();
    this.held = null;
    this.releaseHeld = null;
  }

  offsetsWritten(path: string): number[] {
    return this.writes.filter((w) => w.path === path).map((w) => w.offset);
  }

  private async set(path: string, value: JsonValue, version?: number): Promise<number> {
    if (!path.includes('/offsets/')) return this.inner.set(path, value, version);
    const write = { path, offset: (value as { offset: number }).offset };
    this.writes.push(write);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.held) await this.held;
      if (this.failWhen?.(write)) throw new Error(`injected failure writing ${path}`);
      return await this.inner.set(path, value, version);
    } finally {
      this.inFlight--;
    }
  }

  private async children(path: string): Promise<string[]> {
    if (this.failChildrenOnce && path.endsWith('/offsets')) {
      this.failChildrenOnce = false;
      throw new Error('injected failure listing offsets');
    }
    return this.inner.children(path);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets pending promise chains run until `done` holds; bounded so a bug fails instead of hanging. */
async function settleUntil(done: () => boolean, rounds = 100): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await settle();
}

const entry = (partition: number, offset: number, metadata = '', topic = 'orders'): OffsetCommitEntry => ({ topic, partition, offset, metadata });
const P0 = '/consumers/g/offsets/orders/0';

describe('OffsetStore', () => {
  let inner: EmbeddedMetadataStore;
  let observed: ObservedStore;
  let offsets: OffsetStore;

  beforeEach(async () => {
    inner = await EmbeddedMetadataStore.open();
    observed = new ObservedStore(inner);
    offsets = new OffsetStore(observed.store);
  });

  afterEach(async () => {
    observed.release();
    await inner.close();
  });

  it('folds commits to one partition that arrive during a write into one next write, the last value winning', async () => {
    observed.hold();
    const commits = Array.from({ length: 50 }, (_, i) => offsets.commit('g', [entry(0, i + 1, `m${i + 1}`)], 1000 + i));
    await settleUntil(() => observed.inFlight === 1);
    await settle();
    // The first commit is being written; the other 49 wait behind it rather than queueing 49 writes.
    expect(observed.offsetsWritten(P0)).toEqual([1]);
    observed.release();
    const results = await Promise.all(commits);
    expect(results).toEqual(commits.map(() => [null]));
    expect(observed.offsetsWritten(P0)).toEqual([1, 50]);
    expect((await inner.get(P0))?.value).toEqual({ offset: 50, metadata: 'm50', commit_timestamp: 1049 });
    expect(await offsets.fetch('g', 'orders', 0)).toEqual({ offset: 50, metadata: 'm50', commitTimestamp: 1049 });
  });

  it('keeps per-partition order: a commit issued after another never ends up beneath it', async () => {
    for (let round = 0; round < 5; round++) {
      const burst = Array.from({ length: 7 }, (_, i) => offsets.commit('g', [entry(0, round * 10 + i)]));
      await Promise.all(burst);
      expect((await offsets.fetch('g', 'orders', 0))?.offset).toBe(round * 10 + 6);
    }
    const written = observed.offsetsWritten(P0);
    expect(written).toEqual([...written].sort((a, b) => a - b));
    expect(written.length).toBeLessThan(5 * 7);
  });

  it('writes commits to many partitions at the same time instead of one after another', async () => {
    observed.hold();
    const oneRequest = offsets.commit('g', Array.from({ length: 20 }, (_, p) => entry(p, 100 + p)));
    const otherGroup = offsets.commit('h', [entry(0, 1), entry(1, 1, '', 'audit')]);
    await settleUntil(() => observed.inFlight === 22);
    expect(observed.inFlight).toBe(22);
    observed.release();
    expect(await oneRequest).toEqual(Array(20).fill(null));
    expect(await otherGroup).toEqual([null, null]);
    expect(observed.maxInFlight).toBe(22);
    expect((await inner.get('/consumers/g/offsets/orders/19'))?.value).toMatchObject({ offset: 119 });
    expect((await inner.get('/consumers/h/offsets/audit/1'))?.value).toMatchObject({ offset: 1 });
  });

  it('resolves a failed write with its error and leaves the cache at the last durable value', async () => {
    expect(await offsets.commit('g', [entry(0, 5)])).toEqual([null]);
    observed.failWhen = (w) => w.path === P0;
    const [failed, ok] = await offsets.commit('g', [entry(0, 6), entry(1, 7)]);
    expect(failed).toBeInstanceOf(Error);
    expect(failed?.message).toMatch(/injected failure/);
    expect(ok).toBeNull();
    expect((await offsets.fetch('g', 'orders', 0))?.offset).toBe(5);
    expect((await offsets.fetch('g', 'orders', 1))?.offset).toBe(7);
    expect((await inner.get(P0))?.value).toMatchObject({ offset: 5 });
    // The partition's writer is not stuck after a failure.
    observed.failWhen = null;
    expect(await offsets.commit('g', [entry(0, 8)])).toEqual([null]);
    expect((await offsets.fetch('g', 'orders', 0))?.offset).toBe(8);
  });

  it('fails only the commits of the write that failed; those folded into the next write succeed', async () => {
    observed.failWhen = (w) => w.offset === 10;
    observed.hold();
    const first = offsets.commit('g', [entry(0, 10)]);
    await settleUntil(() => observed.inFlight === 1);
    const folded = [offsets.commit('g', [entry(0, 11)]), offsets.commit('g', [entry(0, 12)])];
    await settle();
    observed.release();
    const [firstResult] = await first;
    expect(firstResult).toBeInstanceOf(Error);
    expect(await Promise.all(folded)).toEqual([[null], [null]]);
    expect(observed.offsetsWritten(P0)).toEqual([10, 12]);
    expect((await offsets.fetch('g', 'orders', 0))?.offset).toBe(12);
  });

  it('reads offsets from the store again after unload, and a new instance (a restart) reads what was committed', async () => {
    expect(await offsets.commit('g', [entry(0, 1, 'mine')], 111)).toEqual([null]);
    // Another coordinator writes the group's offset meanwhile.
    await inner.set(P0, { offset: 99, metadata: 'theirs', commit_timestamp: 222 });
    expect(await offsets.fetch('g', 'orders', 0)).toEqual({ offset: 1, metadata: 'mine', commitTimestamp: 111 });
    offsets.unload('g');
    expect(await offsets.fetch('g', 'orders', 0)).toEqual({ offset: 99, metadata: 'theirs', commitTimestamp: 222 });
    const restarted = new OffsetStore(observed.store);
    expect(await restarted.fetch('g', 'orders', 0)).toEqual({ offset: 99, metadata: 'theirs', commitTimestamp: 222 });
    expect(await restarted.fetch('g', 'orders', 1)).toBeUndefined();
  });

  it('does not cache a failed load: the next request reads the store again', async () => {
    await inner.create(P0, { offset: 3, metadata: '', commit_timestamp: 1 }, { createParents: true });
    observed.failChildrenOnce = true;
    await expect(offsets.fetch('g', 'orders', 0)).rejects.toThrow(/injected failure/);
    expect((await offsets.fetch('g', 'orders', 0))?.offset).toBe(3);
  });

  it('deletes single offsets, whole topics and whole groups from the store and the cache', async () => {
    await offsets.commit('g', [entry(0, 1), entry(1, 2), entry(0, 3, '', 'audit')]);
    await offsets.deleteOffsets('g', [{ topic: 'orders', partition: 1 }]);
    expect(await offsets.fetch('g', 'orders', 1)).toBeUndefined();
    expect(await inner.exists('/consumers/g/offsets/orders/1')).toBeNull();
    await offsets.deleteTopic('g', 'audit');
    expect(await offsets.fetch('g', 'audit', 0)).toBeUndefined();
    expect(await inner.exists('/consumers/g/offsets/audit')).toBeNull();
    expect(offsets.hasOffsets(await offsets.offsetsOf('g'))).toBe(true);
    expect(await offsets.storedGroups()).toEqual(['g']);
    await offsets.deleteGroup('g');
    expect(await inner.exists('/consumers/g')).toBeNull();
    expect(offsets.hasOffsets(await offsets.offsetsOf('g'))).toBe(false);
    expect(await offsets.storedGroups()).toEqual([]);
  });
});
