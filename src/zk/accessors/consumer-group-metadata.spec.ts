import { EmbeddedMetadataStore } from '../embedded-metadata-store';
import { ConsumerGroupMetadata } from './consumer-group-metadata';

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
});
