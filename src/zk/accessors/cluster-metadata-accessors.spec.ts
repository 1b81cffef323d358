import { EmbeddedMetadataStore } from '../embedded-metadata-store';
import { BadVersionError, NodeExistsError } from '../metadata-store.errors';
import { BrokerRegistry } from './broker-registry';
import { ConsumerGroupMetadata } from './consumer-group-metadata';
import { ControllerMetadata } from './controller-metadata';
import { PartitionStateStore } from './partition-state';
import { TopicMetadata } from './topic-metadata';

describe('cluster metadata accessors', () => {
  let store: EmbeddedMetadataStore;
  beforeEach(async () => {
    store = await EmbeddedMetadataStore.open();
  });
  afterEach(() => store.close());

  it('registers brokers as ephemeral nodes in Kafka’s JSON and lists live ids', async () => {
    const brokers = new BrokerRegistry(store);
    await brokers.register({ brokerId: 2, host: 'h2', port: 9093, rack: 'r1' }, 1700000000000);
    await brokers.register({ brokerId: 10, host: 'h10', port: 9094 });
    expect(await brokers.ids()).toEqual([2, 10]);
    expect(await store.get('/brokers/ids/2')).toEqual({
      version: 0,
      value: {
        version: 5,
        host: 'h2',
        port: 9093,
        endpoints: ['PLAINTEXT://h2:9093'],
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
        jmx_port: -1,
        timestamp: '1700000000000',
        rack: 'r1',
        features: {},
      },
    });
    expect((await store.exists('/brokers/ids/2'))?.ephemeral).toBe(true);
    await expect(brokers.register({ brokerId: 2, host: 'x', port: 1 })).rejects.toBeInstanceOf(NodeExistsError);
    expect(await brokers.get(2)).toMatchObject({ brokerId: 2, host: 'h2', port: 9093, rack: 'r1', timestamp: 1700000000000 });
    await brokers.deregister(2);
    await brokers.deregister(2);
    expect(await brokers.ids()).toEqual([10]);
  });

  it('stores topic assignments as TopicZNode v3 and fences updates by version', async () => {
    const topics = new TopicMetadata(store);
    const assignment = { partitions: new Map([[1, [1, 0]], [0, [0, 1]]]), topicId: 'AAAAAAAAAAAAAAAAAAAAAA', configs: { 'retention.ms': '1000' } };
    await topics.create('orders', assignment);
    expect((await store.get('/brokers/topics/orders'))?.value).toEqual({
      version: 3,
      partitions: { '0': [0, 1], '1': [1, 0] },
      adding_replicas: {},
      removing_replicas: {},
      topic_id: 'AAAAAAAAAAAAAAAAAAAAAA',
      configs: { 'retention.ms': '1000' },
    });
    const read = await topics.get('orders');
    expect(read?.assignment.partitions.get(1)).toEqual([1, 0]);
    expect(await topics.update('orders', { ...assignment, configs: {} }, read!.version)).toBe(1);
    await expect(topics.update('orders', assignment, 0)).rejects.toBeInstanceOf(BadVersionError);
    expect(await topics.list()).toEqual(['orders']);

    const states = new PartitionStateStore(store);
    await states.create('orders', 0, { leader: 0, isr: [0, 1], leaderEpoch: 0, controllerEpoch: 1 });
    expect((await store.get('/brokers/topics/orders/partitions/0/state'))?.value).toEqual({
      version: 1,
      leader: 0,
      leader_epoch: 0,
      controller_epoch: 1,
      isr: [0, 1],
    });
    expect(await states.update('orders', 0, { leader: 1, isr: [1], leaderEpoch: 1, controllerEpoch: 1 }, 0)).toBe(1);
    await expect(states.update('orders', 0, { leader: 0, isr: [0], leaderEpoch: 1, controllerEpoch: 1 }, 0)).rejects.toBeInstanceOf(BadVersionError);

    await topics.delete('orders');
    expect(await topics.get('orders')).toBeNull();
    expect(await states.get('orders', 0)).toBeNull();
  });

  it('elects one controller and bumps the controller epoch with a version check', async () => {
    const controller = new ControllerMetadata(store);
    expect(await controller.tryElect(1, 1700000000000)).toBe(true);
    expect(await controller.tryElect(2)).toBe(false);
    expect((await store.get('/controller'))?.value).toEqual({ version: 1, brokerid: 1, timestamp: '1700000000000' });
    expect(await controller.controllerId()).toBe(1);

    expect(await controller.incrementEpoch(await controller.epoch())).toBe(1);
    const seen = await controller.epoch();
    expect(await controller.incrementEpoch(seen)).toBe(2);
    await expect(controller.incrementEpoch(seen)).rejects.toBeInstanceOf(BadVersionError);
    expect((await store.get('/controller_epoch'))?.value).toBe(2);

    await controller.resign(2);
    expect(await controller.controllerId()).toBe(1);
    await controller.resign(1);
    expect(await controller.controllerId()).toBeNull();
  });

  it('keeps classic consumer-group registrations, owners and offsets with metadata', async () => {
    const groups = new ConsumerGroupMetadata(store);
    await groups.registerConsumer('g', 'c1', { subscription: { orders: 1 }, clientId: 'app', host: '/127.0.0.1' });
    expect(await groups.consumers('g')).toEqual(['c1']);
    expect(await groups.claimPartition('g', 'orders', 0, 'c1')).toBe(true);
    expect(await groups.claimPartition('g', 'orders', 0, 'c1')).toBe(true);
    expect(await groups.claimPartition('g', 'orders', 0, 'c2')).toBe(false);
    await groups.releasePartition('g', 'orders', 0, 'c2');
    expect(await groups.owner('g', 'orders', 0)).toBe('c1');
    await groups.releasePartition('g', 'orders', 0, 'c1');
    expect(await groups.owner('g', 'orders', 0)).toBeNull();

    await groups.commitOffset('g', 'orders', 0, { offset: 42, metadata: 'm' }, 1700000000000);
    await groups.commitOffset('g', 'orders', 0, { offset: 43, metadata: '' }, 1700000000001);
    expect((await store.get('/consumers/g/offsets/orders/0'))?.value).toEqual({ offset: 43, metadata: '', commit_timestamp: 1700000000001 });
    // A bare number, as classic Kafka wrote it, still reads.
    await store.create('/consumers/g/offsets/orders/1', 7);
    expect(await groups.fetchOffset('g', 'orders', 1)).toEqual({ offset: 7, metadata: '', commitTimestamp: -1 });
    const all = await groups.fetchAllOffsets('g');
    expect([...all.get('orders')!.keys()].sort()).toEqual([0, 1]);
    await groups.deleteGroup('g');
    expect(await groups.fetchOffset('g', 'orders', 0)).toBeNull();
  });
});
