import { EmbeddedMetadataStore } from '../embedded-metadata-store';
import { BadVersionError, NodeExistsError } from '../metadata-store.errors';
import { ConsumerGroupMetadata, type StoredGroup } from './consumer-group-metadata';

describe('ConsumerGroupMetadata', () => {
  let store: EmbeddedMetadataStore;
  beforeEach(async () => {
    store = await EmbeddedMetadataStore.open();
  });
  afterEach(() => store.close());

  it('keeps classic consumer-group registrations, owners and offsets with metadata', async () => {
    const groups = new ConsumerGroupMetadata(store);
    await groups.putConsumer('g', 'c1', { subscription: { orders: 1 }, clientId: 'app', host: '/127.0.0.1' });
    await groups.putConsumer('g', 'c1', { subscription: { orders: 1, audit: 1 }, clientId: 'app', host: '/127.0.0.1' });
    expect(await groups.consumers('g')).toEqual(['c1']);
    expect(await groups.consumerRegistration('g', 'c1')).toEqual({ subscription: { orders: 1, audit: 1 }, clientId: 'app', host: '/127.0.0.1' });
    expect((await store.get('/consumers/g/ids/c1'))?.value).toMatchObject({ version: 1, pattern: 'static', client_id: 'app' });
    await groups.setOwner('g', 'orders', 0, 'c1');
    await groups.setOwner('g', 'orders', 0, 'c2');
    await groups.setOwner('g', 'orders', 3, 'c1');
    expect(await groups.owner('g', 'orders', 0)).toBe('c2');
    expect(await groups.ownedPartitions('g')).toEqual(new Map([['orders', [0, 3]]]));
    await groups.removeOwner('g', 'orders', 0);
    await groups.removeOwner('g', 'orders', 0);
    expect(await groups.owner('g', 'orders', 0)).toBeNull();
    await groups.removeConsumer('g', 'c1');
    expect(await groups.consumers('g')).toEqual([]);
    expect(await groups.groups()).toEqual(['g']);

    await groups.commitOffset('g', 'orders', 0, { offset: 42, metadata: 'm' }, 1700000000000);
    await groups.commitOffset('g', 'orders', 0, { offset: 43, metadata: '' }, 1700000000001);
    expect((await store.get('/consumers/g/offsets/orders/0'))?.value).toEqual({ offset: 43, metadata: '', commit_timestamp: 1700000000001 });
    // A bare number, as classic Kafka wrote it, still reads.
    await store.create('/consumers/g/offsets/orders/1', 7);
    expect(await groups.fetchOffset('g', 'orders', 1)).toEqual({ offset: 7, metadata: '', commitTimestamp: -1 });
    const all = await groups.fetchAllOffsets('g');
    expect([...all.get('orders')!.keys()].sort()).toEqual([0, 1]);
    await groups.deleteOffset('g', 'orders', 1);
    expect(await groups.fetchOffset('g', 'orders', 1)).toBeNull();
    await groups.deleteGroup('g');
    expect(await groups.fetchOffset('g', 'orders', 0)).toBeNull();
  });

  it('writes the generation node only over the version expected, and reads back what it wrote', async () => {
    const groups = new ConsumerGroupMetadata(store);
    const state: StoredGroup = {
      protocolType: 'consumer',
      generation: 4,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1700000000000,
      subscribedPartitions: { orders: 3 },
      members: [
        { memberId: 'm1', groupInstanceId: null, clientId: 'app', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 300000, sessionTimeoutMs: 45000, subscription: Buffer.from([0, 1, 2]), assignment: Buffer.from([9]) },
      ],
    };
    expect(await groups.readGeneration('g')).toBeNull();
    expect(await groups.writeGeneration('g', state, null)).toBe(0);
    await expect(groups.writeGeneration('g', state, null)).rejects.toBeInstanceOf(NodeExistsError);
    const read = (await groups.readGeneration('g'))!;
    expect(read).toMatchObject({ group: state, version: 0 });
    expect((read.raw as { members: { subscription: string }[] }).members[0].subscription).toBe('AAEC');
    expect(await groups.claimGeneration('g', read)).toBe(1);
    // Whoever wrote version 0 can no longer write.
    await expect(groups.writeGeneration('g', { ...state, generation: 5 }, 0)).rejects.toBeInstanceOf(BadVersionError);
    expect(await groups.writeGeneration('g', { ...state, generation: 5, members: [] }, 1)).toBe(2);
    expect((await groups.readGeneration('g'))!.group).toMatchObject({ generation: 5, members: [] });
  });

  it('reads a generation node of an unknown format as nothing to resume, keeping its version', async () => {
    const groups = new ConsumerGroupMetadata(store);
    await store.create('/consumers/g/generation', { version: 2, generation: 'x' }, { createParents: true });
    expect(await groups.readGeneration('g')).toEqual({ group: null, raw: { version: 2, generation: 'x' }, version: 0 });
  });
});
