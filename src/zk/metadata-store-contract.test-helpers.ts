// The behaviour both MetadataStore implementations must share, as one Jest suite. Run by
// embedded-metadata-store.spec.ts (unit project) and test/zk/zookeeper-metadata-store.test.ts
// (integration project, against the real ZooKeeper of the global setup), so any difference
// between the embedded tree and ZooKeeper shows up as a failing test on one side.
import type { ChildrenWatchEvent, DataWatchEvent, MetadataStore, SessionEvent } from './metadata-store';
import {
  BadArgumentsError,
  BadVersionError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  StoreClosedError,
} from './metadata-store.errors';

export interface MetadataStoreHarness {
  /** A client on this test's tree; several may be open at once when concurrentClients. */
  open(): Promise<MetadataStore>;
  /** ZooKeeper: two sessions can run side by side. Embedded: one process, one client. */
  readonly concurrentClients: boolean;
  dispose(): Promise<void>;
}

/** Collects events and hands them out in order, waiting (with a deadline) when none is queued. */
export class EventQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;

  readonly push = (item: T): void => {
    this.items.push(item);
    this.waiter?.();
  };

  async next(timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.items.shift()!;
  }

  /** Waits for the first event matching `accept`, dropping the ones before it. */
  async until(accept: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.next(Math.max(1, deadline - Date.now()));
      if (accept(item)) return item;
    }
  }

  get pending(): readonly T[] {
    return this.items;
  }
}

export async function pollUntil<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function describeMetadataStoreContract(name: string, makeHarness: () => Promise<MetadataStoreHarness>): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let harness: MetadataStoreHarness;
    let store: MetadataStore;
    const opened: MetadataStore[] = [];
    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      harness = await makeHarness();
      store = await open();
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await harness.dispose();
    });

    describe('create and get', () => {
      it('stores JSON values and reads them back with version 0', async () => {
        const value = { host: 'h', port: 9092, endpoints: ['PLAINTEXT://h:9092'], nested: { a: [1, null, true] } };
        expect(await store.create('/node', value)).toBe('/node');
        expect(await store.get('/node')).toEqual({ value, version: 0 });
        await store.create('/number', 7);
        expect(await store.get('/number')).toEqual({ value: 7, version: 0 });
        await store.create('/nothing', null);
        expect(await store.get('/nothing')).toEqual({ value: null, version: 0 });
      });

      it('returns null for a missing node', async () => {
        expect(await store.get('/missing')).toBeNull();
      });

      it('refuses a node whose parent is missing, unless createParents', async () => {
        await expect(store.create('/a/b/c', 1)).rejects.toBeInstanceOf(NoNodeError);
        expect(await store.create('/a/b/c', 1, { createParents: true })).toBe('/a/b/c');
        expect(await store.get('/a/b')).toEqual({ value: null, version: 0 });
        expect(await store.get('/a/b/c')).toEqual({ value: 1, version: 0 });
        // Existing ancestors are fine too.
        expect(await store.create('/a/b/d', 2, { createParents: true })).toBe('/a/b/d');
      });

      it('fails with NodeExists (code -110) when the node exists', async () => {
        await store.create('/dup', 1);
        const err = await store.create('/dup', 2).catch((e) => e);
        expect(err).toBeInstanceOf(NodeExistsError);
        expect(err.code).toBe(-110);
        expect(await store.get('/dup')).toEqual({ value: 1, version: 0 });
      });

      it('names sequential nodes with a 10-digit suffix in creation order', async () => {
        await store.create('/queue', null);
        const a = await store.create('/queue/item-', 'a', { mode: 'sequential' });
        const b = await store.create('/queue/item-', 'b', { mode: 'sequential' });
        const c = await store.create('/queue/item-', 'c', { mode: 'ephemeral_sequential' });
        expect([a, b, c]).toEqual(['/queue/item-0000000000', '/queue/item-0000000001', '/queue/item-0000000002']);
        expect(await store.children('/queue')).toEqual(['item-0000000000', 'item-0000000001', 'item-0000000002']);
        // After a delete the counter never goes back, so names never repeat. (How far it
        // moves is ZooKeeper's business: it counts from the parent's cversion as seen by the
        // leader's request pipeline, which may or may not include the delete yet.)
        await store.delete(b);
        const d = await store.create('/queue/item-', 'd', { mode: 'sequential' });
        expect(d > c).toBe(true);
        expect(d).toMatch(/^\/queue\/item-\d{10}$/);
      });

      it('refuses children under an ephemeral node', async () => {
        await store.create('/eph', 1, { mode: 'ephemeral' });
        await expect(store.create('/eph/child', 1)).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
      });

      it('rejects malformed paths and non-JSON values before doing anything', async () => {
        for (const bad of ['relative', '/trailing/', '/double//slash', '/dot/.', '/dots/..']) {
          await expect(store.create(bad, 1)).rejects.toBeInstanceOf(BadArgumentsError);
        }
        await expect(store.create('/undefined', undefined as never)).rejects.toBeInstanceOf(BadArgumentsError);
        await expect(store.delete('/')).rejects.toBeInstanceOf(BadArgumentsError);
        expect(await store.children('/')).not.toContain('relative');
      });
    });

    describe('set and versions', () => {
      it('increments the version on every set and checks the expected version', async () => {
        await store.create('/v', 'a');
        expect(await store.set('/v', 'b')).toBe(1);
        expect(await store.set('/v', 'c', 1)).toBe(2);
        const err = await store.set('/v', 'stale', 1).catch((e) => e);
        expect(err).toBeInstanceOf(BadVersionError);
        expect(err.code).toBe(-103);
        expect(await store.get('/v')).toEqual({ value: 'c', version: 2 });
      });

      it('fails with NoNode when setting a missing node', async () => {
        await expect(store.set('/nope', 1)).rejects.toBeInstanceOf(NoNodeError);
      });

      it('reports versions and child counts through exists()', async () => {
        expect(await store.exists('/s')).toBeNull();
        await store.create('/s', 1);
        await store.create('/s/x', 1);
        await store.create('/s/e', 1, { mode: 'ephemeral' });
        await store.set('/s', 2);
        expect(await store.exists('/s')).toEqual({ version: 1, cversion: 2, numChildren: 2, ephemeral: false });
        expect((await store.exists('/s/e'))?.ephemeral).toBe(true);
      });
    });

    describe('delete and children', () => {
      it('lists children sorted and fails with NoNode for a missing parent', async () => {
        await store.create('/p', null);
        for (const c of ['b', 'a', 'c']) await store.create(`/p/${c}`, c);
        expect(await store.children('/p')).toEqual(['a', 'b', 'c']);
        expect(await store.children('/p/a')).toEqual([]);
        await expect(store.children('/none')).rejects.toBeInstanceOf(NoNodeError);
      });

      it('deletes with an expected version, and refuses a stale one', async () => {
        await store.create('/d', 1);
        await store.set('/d', 2);
        await expect(store.delete('/d', 0)).rejects.toBeInstanceOf(BadVersionError);
        await store.delete('/d', 1);
        expect(await store.exists('/d')).toBeNull();
        await expect(store.delete('/d')).rejects.toBeInstanceOf(NoNodeError);
      });

      it('refuses to delete a node with children unless recursive', async () => {
        await store.create('/t/x/y', 1, { createParents: true });
        await store.create('/t/z', 1);
        const err = await store.delete('/t').catch((e) => e);
        expect(err).toBeInstanceOf(NotEmptyError);
        expect(err.code).toBe(-111);
        await store.delete('/t', undefined, { recursive: true });
        expect(await store.exists('/t')).toBeNull();
        expect(await store.exists('/t/x/y')).toBeNull();
      });

      it('checks the version of the top node before a recursive delete touches anything', async () => {
        await store.create('/r/child', 1, { createParents: true });
        await expect(store.delete('/r', 5, { recursive: true })).rejects.toBeInstanceOf(BadVersionError);
        expect(await store.exists('/r/child')).not.toBeNull();
      });
    });

    describe('watches', () => {
      it('delivers every data change, creation and deletion until unsubscribed', async () => {
        const events = new EventQueue<DataWatchEvent>();
        const sub = await store.watchData('/w', events.push);
        expect(sub.initial).toBeNull();

        await store.create('/w', 'v0');
        expect(await events.next()).toEqual({ path: '/w', node: { value: 'v0', version: 0 } });
        for (let i = 1; i <= 3; i++) {
          await store.set('/w', `v${i}`);
          expect(await events.next()).toEqual({ path: '/w', node: { value: `v${i}`, version: i } });
        }
        await store.delete('/w');
        expect(await events.next()).toEqual({ path: '/w', node: null });
        await store.create('/w', 'again');
        expect(await events.next()).toEqual({ path: '/w', node: { value: 'again', version: 0 } });

        sub.unsubscribe();
        // A later change on another watched node is delivered after any for /w would be.
        const marker = new EventQueue<DataWatchEvent>();
        await store.watchData('/marker', marker.push);
        await store.set('/w', 'unseen');
        await store.create('/marker', 1);
        await marker.next();
        expect(events.pending).toEqual([]);
      });

      it('gives the current value to a new data watch', async () => {
        await store.create('/cur', { a: 1 });
        await store.set('/cur', { a: 2 });
        const sub = await store.watchData('/cur', () => undefined);
        expect(sub.initial).toEqual({ value: { a: 2 }, version: 1 });
        sub.unsubscribe();
      });

      it('delivers every change of a node’s children until unsubscribed', async () => {
        await store.create('/kids', null);
        const events = new EventQueue<ChildrenWatchEvent>();
        const sub = await store.watchChildren('/kids', events.push);
        expect(sub.initial).toEqual([]);

        await store.create('/kids/b', 1);
        expect(await events.next()).toEqual({ path: '/kids', children: ['b'] });
        await store.create('/kids/a', 1, { mode: 'ephemeral' });
        expect(await events.next()).toEqual({ path: '/kids', children: ['a', 'b'] });
        await store.set('/kids/a', 2); // data changes of children are not child events
        await store.delete('/kids/b');
        expect(await events.next()).toEqual({ path: '/kids', children: ['a'] });
        await store.delete('/kids', undefined, { recursive: true });
        expect(await events.until((e) => e.children === null)).toEqual({ path: '/kids', children: null });
        await store.create('/kids', null);
        expect(await events.next()).toEqual({ path: '/kids', children: [] });

        sub.unsubscribe();
        const marker = new EventQueue<DataWatchEvent>();
        await store.watchData('/marker', marker.push);
        await store.create('/kids/c', 1);
        await store.create('/marker', 1);
        await marker.next();
        expect(events.pending).toEqual([]);
      });

      it('watches children of a node that does not exist yet', async () => {
        const events = new EventQueue<ChildrenWatchEvent>();
        const sub = await store.watchChildren('/later', events.push);
        expect(sub.initial).toBeNull();
        await store.create('/later/x', 1, { createParents: true });
        expect(await events.until((e) => e.children !== null && e.children.length === 1)).toEqual({ path: '/later', children: ['x'] });
        sub.unsubscribe();
      });
    });

    describe('sessions', () => {
      it('removes ephemeral nodes when the session closes and keeps persistent ones', async () => {
        await store.create('/brokers/ids/1', { host: 'a' }, { mode: 'ephemeral', createParents: true });
        await store.create('/keep', 1);
        if (harness.concurrentClients) {
          const other = await open();
          expect(await other.get('/brokers/ids/1')).toEqual({ value: { host: 'a' }, version: 0 });
          const events = new EventQueue<ChildrenWatchEvent>();
          await other.watchChildren('/brokers/ids', events.push);
          await store.close();
          expect(await events.until((e) => e.children?.length === 0)).toEqual({ path: '/brokers/ids', children: [] });
          expect(await other.get('/brokers/ids/1')).toBeNull();
          expect(await other.get('/keep')).toEqual({ value: 1, version: 0 });
        } else {
          await store.close();
          const reopened = await open();
          expect(await reopened.get('/brokers/ids/1')).toBeNull();
          expect(await reopened.children('/brokers/ids')).toEqual([]);
          expect(await reopened.get('/keep')).toEqual({ value: 1, version: 0 });
        }
      });

      it('rejects calls after close with StoreClosed, and close is idempotent', async () => {
        const listener = jest.fn<void, [SessionEvent]>();
        store.onSessionEvent(listener);
        await store.close();
        await store.close();
        await expect(store.get('/x')).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.create('/x', 1)).rejects.toBeInstanceOf(StoreClosedError);
        expect(listener.mock.calls.filter(([e]) => e.type === 'expired')).toEqual([]);
      });
    });
  });
}
