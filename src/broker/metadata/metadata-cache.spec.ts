import { waitFor } from '../../../test/support/wait-for';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { EmbeddedMetadataStore } from '../../zk/embedded-metadata-store';
import { KafkaController } from '../controller/kafka-controller.service';
import type { MetadataChange } from './metadata-view';
import { brokerConfig, newTopic, quietStoreLogger, startMetadataNode, useMetadataDir } from './metadata-node.test-helpers';

describe('MetadataCache with the controller on one node (embedded store)', () => {
  const temp = useMetadataDir();

  it("writes Kafka's ZooKeeper tree exactly", async () => {
    const node = temp.track(await startMetadataNode(temp.dir()));
    const [created] = await node.topicAdmin.createTopics([newTopic('t', 2, 1, { 'retention.ms': '1000' })], { timeoutMs: 5_000 });
    expect(created.errorCode).toBe(ErrorCode.NONE);

    const read = async (path: string) => (await node.store.get(path))?.value;
    expect(await read('/brokers/ids/0')).toEqual({
      version: 5,
      host: '127.0.0.1',
      port: 9092,
      rack: null,
      endpoints: ['PLAINTEXT://127.0.0.1:9092'],
      listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
      jmx_port: -1,
      features: {},
      timestamp: expect.stringMatching(/^\d+$/),
    });
    expect((await node.store.exists('/brokers/ids/0'))?.ephemeral).toBe(true);
    expect(await read('/brokers/topics/t')).toEqual({
      version: 3,
      partitions: { '0': [0], '1': [0] },
      topic_id: created.topicId,
      adding_replicas: {},
      removing_replicas: {},
    });
    expect(created.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const p of [0, 1]) {
      expect(await read(`/brokers/topics/t/partitions/${p}/state`)).toEqual({ controller_epoch: 1, leader: 0, version: 1, leader_epoch: 0, isr: [0] });
    }
    expect(await read('/controller')).toEqual({ version: 1, brokerid: 0, timestamp: expect.stringMatching(/^\d+$/) });
    expect((await node.store.exists('/controller'))?.ephemeral).toBe(true);
    expect(await read('/controller_epoch')).toBe(1);
    expect(await read('/cluster/id')).toEqual({ version: '1', id: node.cache.clusterId() });
    expect(await read('/config/topics/t')).toEqual({ version: 1, config: { 'retention.ms': '1000' } });
  });

  it('shows brokers, controller, cluster id and topics with leaders, ISR and epochs', async () => {
    const node = temp.track(await startMetadataNode(temp.dir()));
    await node.topicAdmin.createTopics([newTopic('orders', 3)], { timeoutMs: 5_000 });
    expect(node.cache.liveBrokers()).toEqual([{ id: 0, host: '127.0.0.1', port: 9092, rack: null, endpoints: ['PLAINTEXT://127.0.0.1:9092'] }]);
    expect(node.cache.controllerId()).toBe(0);
    expect(node.cache.clusterId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const topic = node.cache.topic('orders')!;
    expect(topic.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.isr, p.replicas, p.offlineReplicas])).toEqual([
      [0, 0, 0, [0], [0], []],
      [1, 0, 0, [0], [0], []],
      [2, 0, 0, [0], [0], []],
    ]);
    expect(node.cache.topicById(topic.topicId)?.name).toBe('orders');
    expect(node.cache.partition('orders', 2)?.leader).toBe(0);
    expect(node.cache.partition('orders', 3)).toBeUndefined();
  });

  it('announces partition states, config changes and deletions to onChange listeners', async () => {
    const node = temp.track(await startMetadataNode(temp.dir()));
    const changes: MetadataChange[] = [];
    node.cache.onChange((c) => changes.push(c));
    const [created] = await node.topicAdmin.createTopics([newTopic('events', 2)], { timeoutMs: 5_000 });
    expect(changes.filter((c) => c.kind === 'partition').map((c) => c.kind === 'partition' && [c.partition.topic, c.partition.partition, c.partition.leader])).toEqual([
      ['events', 0, 0],
      ['events', 1, 0],
    ]);
    await node.configAdmin.alter([{ resourceType: 2, resourceName: 'events', configs: [{ name: 'segment.bytes', value: '1048576' }] }], false);
    expect(changes).toContainEqual({ kind: 'topic-config', topic: 'events', configs: { 'segment.bytes': '1048576' } });
    await node.topicAdmin.deleteTopics([{ name: 'events', topicId: null }], { timeoutMs: 5_000 });
    expect(changes).toContainEqual({ kind: 'topic-deleted', topic: 'events', topicId: created.topicId });
    expect(node.cache.topic('events')).toBeUndefined();
  });

  it('sees changes written by anyone to the store (the watches stay armed)', async () => {
    const node = temp.track(await startMetadataNode(temp.dir()));
    await node.topicAdmin.createTopics([newTopic('w', 1)], { timeoutMs: 5_000 });
    await node.store.set('/brokers/topics/w/partitions/0/state', { controller_epoch: 1, leader: 0, version: 1, leader_epoch: 4, isr: [0] });
    expect(await node.cache.waitFor(() => node.cache.partition('w', 0)?.leaderEpoch === 4, 5_000)).toBe(true);
    await node.store.create('/brokers/ids/7', { version: 5, host: 'h7', port: 1, rack: 'r1', endpoints: ['PLAINTEXT://h7:1'], timestamp: '0' }, { mode: 'ephemeral' });
    expect(await node.cache.waitFor(() => node.cache.broker(7)?.rack === 'r1', 5_000)).toBe(true);
    await node.store.delete('/brokers/ids/7');
    expect(await node.cache.waitFor(() => node.cache.broker(7) === undefined, 5_000)).toBe(true);
  });

  it('announces a topic deleted and created again under the same name as deleted, then serves the new one', async () => {
    const node = temp.track(await startMetadataNode(temp.dir()));
    const changes: MetadataChange[] = [];
    node.cache.onChange((c) => changes.push(c));
    const [first] = await node.topicAdmin.createTopics([newTopic('re', 1)], { timeoutMs: 5_000 });
    // Behind the controller's back, in one go: the topic list never shows the gap.
    await node.store.delete('/brokers/topics/re', undefined, { recursive: true });
    await node.store.create('/brokers/topics/re', { version: 3, partitions: { '0': [0], '1': [0] }, topic_id: 'AAAAAAAAAAAAAAAAAAAABQ', adding_replicas: {}, removing_replicas: {} });
    expect(await node.cache.waitFor(() => node.cache.topic('re')?.topicId === 'AAAAAAAAAAAAAAAAAAAABQ' && node.cache.topic('re')!.partitions.every((p) => p.leader === 0), 5_000)).toBe(true);
    expect(node.cache.topic('re')!.partitions).toHaveLength(2);
    expect(changes).toContainEqual({ kind: 'topic-deleted', topic: 're', topicId: first.topicId });
    expect(node.cache.topicById(first.topicId)).toBeUndefined();
  });

  it('comes back after a restart with the same topics, ids, partitions, configs and cluster id', async () => {
    const first = await startMetadataNode(temp.dir());
    const [created] = await first.topicAdmin.createTopics([newTopic('kept', 3, 1, { 'cleanup.policy': 'compact' })], { timeoutMs: 5_000 });
    const clusterId = first.cache.clusterId();
    await first.close();

    // The ephemerals went with the "session"; everything else is on disk.
    const reopened = await EmbeddedMetadataStore.open({ dataDir: temp.dir(), logger: quietStoreLogger });
    expect(await reopened.exists('/brokers/ids/0')).toBeNull();
    expect(await reopened.exists('/controller')).toBeNull();
    await reopened.close();

    const second = temp.track(await startMetadataNode(temp.dir()));
    const topic = second.cache.topic('kept')!;
    expect(topic.topicId).toBe(created.topicId);
    expect(topic.partitions).toHaveLength(3);
    expect(topic.partitions.every((p) => p.leader === 0 && p.isr.length === 1)).toBe(true);
    expect(topic.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(second.cache.clusterId()).toBe(clusterId);
    expect(second.controller.controllerEpoch).toBe(2);
    expect(second.cache.controllerId()).toBe(0);
  });

  it('elects exactly one controller among brokers sharing a store; another takes over when it leaves', async () => {
    const store = await EmbeddedMetadataStore.open({ logger: quietStoreLogger });
    const controllers = [0, 1, 2].map((id) => new KafkaController(brokerConfig({ brokerId: id }), store));
    await Promise.all(controllers.map((c) => c.startup()));
    expect(controllers.filter((c) => c.isActive)).toHaveLength(1);
    const winner = controllers.find((c) => c.isActive)!;
    await winner.beforeApplicationShutdown();
    await waitFor(() => controllers.filter((c) => c !== winner && c.isActive).length === 1, { what: 'a new controller' });
    expect(controllers.find((c) => c !== winner && c.isActive)!.controllerEpoch).toBe(2);
    for (const c of controllers) await c.beforeApplicationShutdown();
    await store.close();
  });
});
