import { join } from 'node:path';
import type { ApiSpec, RequestOf, ResponseOf } from '../../protocol/codec/schema';
import { decodeResponse, encodeResponse } from '../../protocol/codec/message-codec';
import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode } from '../../protocol/errors/error-codes';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import type { KafkaServer } from '../kafka-server.service';
import { newTopic, startMetadataNode, useMetadataDir, type MetadataNode } from '../metadata/metadata-node.test-helpers';
import { MetadataHandler } from './03-metadata.handler';
import { CreateTopicsHandler } from './19-create-topics.handler';
import { DeleteTopicsHandler } from './20-delete-topics.handler';
import { DescribeConfigsHandler } from './32-describe-configs.handler';
import { CreatePartitionsHandler } from './37-create-partitions.handler';
import { DescribeClusterHandler } from './60-describe-cluster.handler';

const OMITTED = -2147483648;

function context(apiVersion: number, listenerName = 'PLAINTEXT'): RequestContext {
  return { apiVersion, correlationId: 7, clientId: 'spec', connection: { id: 1, listenerName, remoteAddress: '127.0.0.1', remotePort: 1 } };
}

/** Calls the handler, then encodes and decodes the response at that version, as a client would read it. */
async function call<A extends ApiSpec<any, any>>(handler: KafkaApiHandler<A>, version: number, request: Partial<RequestOf<A>>, listenerName?: string): Promise<ResponseOf<A>> {
  const response = (await handler.handle(request as RequestOf<A>, context(version, listenerName)))!;
  return decodeResponse(handler.api, version, encodeResponse(handler.api, version, 7, response)).body;
}

describe('metadata and topic-admin handlers', () => {
  const temp = useMetadataDir();
  let node: MetadataNode;
  let server: KafkaServer;

  beforeEach(async () => {
    node = temp.track(await startMetadataNode(temp.dir()));
    server = { advertisedListeners: node.advertised } as unknown as KafkaServer;
  });

  const metadata = () => new MetadataHandler(node.config, node.cache, node.topicAdmin, server);

  describe('Metadata', () => {
    it('lists the broker at the endpoint of the listener asked on, the cluster id and the controller', async () => {
      const r = await call(metadata(), 12, { topics: null });
      expect(r.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null }]);
      expect(r.clusterId).toBe(node.cache.clusterId());
      expect(r.controllerId).toBe(0);
      expect((await call(metadata(), 12, { topics: null }, 'INTERNAL')).brokers).toEqual([]);
    });

    it('lists every topic for null (v1+) or an empty list (v0), none for an empty list from v1', async () => {
      const [created] = await node.topicAdmin.createTopics([newTopic('m', 2)], { timeoutMs: 5_000 });
      const all = await call(metadata(), 12, { topics: null });
      expect(all.topics).toEqual([
        {
          errorCode: 0,
          name: 'm',
          topicId: created.topicId,
          isInternal: false,
          partitions: [0, 1].map((p) => ({ errorCode: 0, partitionIndex: p, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] })),
          topicAuthorizedOperations: OMITTED,
        },
      ]);
      expect((await call(metadata(), 0, { topics: [] })).topics.map((t) => t.name)).toEqual(['m']);
      expect((await call(metadata(), 1, { topics: [] })).topics).toEqual([]);
      for (let v = 0; v <= 12; v++) expect((await call(metadata(), v, { topics: null })).brokers).toHaveLength(1);
    });

    it('auto-creates an unknown topic answering LEADER_NOT_AVAILABLE, then serves it with leaders', async () => {
      const first = await call(metadata(), 4, { topics: [{ name: 'auto', topicId: ZERO_UUID }], allowAutoTopicCreation: true });
      expect(first.topics).toEqual([expect.objectContaining({ name: 'auto', errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitions: [] })]);
      await node.cache.waitFor(() => node.cache.topic('auto')?.partitions[0]?.leader === 0, 5_000);
      const second = await call(metadata(), 4, { topics: [{ name: 'auto', topicId: ZERO_UUID }], allowAutoTopicCreation: true });
      expect(second.topics[0]).toMatchObject({ errorCode: 0, partitions: [expect.objectContaining({ leaderId: 0 })] });
    });

    it('does not auto-create when the request (v4+) or the broker forbids it, nor invalid names', async () => {
      const refused = await call(metadata(), 4, { topics: [{ name: 'no', topicId: ZERO_UUID }, { name: 'bad name', topicId: ZERO_UUID }], allowAutoTopicCreation: false });
      expect(refused.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['no', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ]);
      const invalid = await call(metadata(), 9, { topics: [{ name: 'bad name', topicId: ZERO_UUID }], allowAutoTopicCreation: true });
      expect(invalid.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(node.cache.topic('no')).toBeUndefined();
      const closed = temp.track(await startMetadataNode(join(temp.dir(), 'other'), { config: { autoCreateTopicsEnable: false, brokerId: 3 } }));
      const handler = new MetadataHandler(closed.config, closed.cache, closed.topicAdmin, server);
      expect((await call(handler, 3, { topics: [{ name: 'x', topicId: ZERO_UUID }] })).topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('finds topics by id (v12) and answers UNKNOWN_TOPIC_ID for an unknown one', async () => {
      const [created] = await node.topicAdmin.createTopics([newTopic('byid')], { timeoutMs: 5_000 });
      const r = await call(metadata(), 12, { topics: [{ name: null, topicId: created.topicId }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }] });
      expect(r.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([
        ['byid', created.topicId, 0],
        [null, 'AAAAAAAAAAAAAAAAAAAAAQ', ErrorCode.UNKNOWN_TOPIC_ID],
      ]);
    });

    it('reports authorized operations only when asked', async () => {
      await node.topicAdmin.createTopics([newTopic('ops')], { timeoutMs: 5_000 });
      const r = await call(metadata(), 8, { topics: null, includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
      expect(r.topics[0].topicAuthorizedOperations).toBe(3576);
      expect(r.clusterAuthorizedOperations).not.toBe(OMITTED);
    });

    it('answers LEADER_NOT_AVAILABLE for partitions without a leader', async () => {
      await node.store.create('/brokers/topics/orphan', { version: 3, partitions: { '0': [5] }, topic_id: 'AAAAAAAAAAAAAAAAAAAAAg', adding_replicas: {}, removing_replicas: {} });
      await node.cache.waitFor(() => node.cache.partition('orphan', 0) !== undefined, 5_000);
      const r = await call(metadata(), 7, { topics: [{ name: 'orphan', topicId: ZERO_UUID }] });
      // Its only replica never lived, so the controller wrote no state (Kafka's NewPartition).
      expect(r.topics[0].partitions[0]).toEqual({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitionIndex: 0, leaderId: -1, leaderEpoch: -1, replicaNodes: [5], isrNodes: [], offlineReplicas: [5] });
      // Listing everything leaves out a topic none of whose partitions was elected yet (as one being created).
      expect((await call(metadata(), 7, { topics: null })).topics.map((t) => t.name)).not.toContain('orphan');
    });

    it('lists everything with only the elected partitions of each topic, as a broker learns them from the controller', async () => {
      const self = node.config.brokerId;
      // Partition 0 on this broker is elected; partition 1's only replica never lived (as a partition still being added).
      await node.store.create('/brokers/topics/growing', { version: 3, partitions: { '0': [self], '1': [5] }, topic_id: 'AAAAAAAAAAAAAAAAAAAAAw', adding_replicas: {}, removing_replicas: {} });
      await node.cache.waitFor(() => (node.cache.partition('growing', 0)?.leaderEpoch ?? -1) >= 0, 5_000);
      const listed = (await call(metadata(), 12, { topics: null })).topics.find((t) => t.name === 'growing');
      expect(listed?.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId])).toEqual([[0, ErrorCode.NONE, self]]);
      const named = await call(metadata(), 12, { topics: [{ name: 'growing', topicId: ZERO_UUID }] });
      expect(named.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([[0, ErrorCode.NONE], [1, ErrorCode.LEADER_NOT_AVAILABLE]]);
    });
  });

  it('CreateTopics v5+ returns partitions, replication factor and configs; v0 encodes without them', async () => {
    const handler = new CreateTopicsHandler(node.topicAdmin, node.configAdmin);
    const r = await call(handler, 7, { topics: [newTopic('c7', 2, 1, { 'retention.ms': '100' })], timeoutMs: 5_000, validateOnly: false });
    expect(r.topics[0]).toMatchObject({ name: 'c7', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
    expect(r.topics[0].topicId).toBe(node.cache.topic('c7')!.topicId);
    expect(r.topics[0].configs).toContainEqual({ name: 'retention.ms', value: '100', readOnly: false, configSource: 1, isSensitive: false });
    const v0 = await call(handler, 0, { topics: [newTopic('c0')], timeoutMs: 5_000 });
    expect(v0.topics).toEqual([expect.objectContaining({ name: 'c0', errorCode: 0 })]);
    const dup = await call(handler, 4, { topics: [newTopic('c7')], timeoutMs: 5_000, validateOnly: false });
    expect(dup.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'c7' already exists." });
  });

  it('DeleteTopics by name (v0-5) and by id (v6)', async () => {
    const handler = new DeleteTopicsHandler(node.topicAdmin);
    const [a, b] = await node.topicAdmin.createTopics([newTopic('da'), newTopic('db')], { timeoutMs: 5_000 });
    expect((await call(handler, 1, { topicNames: ['da', 'nope'], timeoutMs: 5_000 })).responses).toEqual([
      expect.objectContaining({ name: 'da', errorCode: 0 }),
      expect.objectContaining({ name: 'nope', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }),
    ]);
    expect(a.topicId).not.toBe(ZERO_UUID);
    const v6 = await call(handler, 6, { topics: [{ name: null, topicId: b.topicId }], timeoutMs: 5_000 });
    expect(v6.responses).toEqual([{ name: 'db', topicId: b.topicId, errorCode: 0, errorMessage: null }]);
  });

  it('DeleteTopics with deletion disabled: TOPIC_DELETION_DISABLED from v3, INVALID_REQUEST before', async () => {
    const closed = temp.track(await startMetadataNode(join(temp.dir(), 'other'), { config: { deleteTopicEnable: false, brokerId: 4 } }));
    const handler = new DeleteTopicsHandler(closed.topicAdmin);
    expect((await call(handler, 3, { topicNames: ['x'], timeoutMs: 100 })).responses[0].errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    expect((await call(handler, 2, { topicNames: ['x'], timeoutMs: 100 })).responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('CreatePartitions grows a topic', async () => {
    await node.topicAdmin.createTopics([newTopic('cp')], { timeoutMs: 5_000 });
    const r = await call(new CreatePartitionsHandler(node.topicAdmin), 3, { topics: [{ name: 'cp', count: 2, assignments: null }], timeoutMs: 5_000, validateOnly: false });
    expect(r.results).toEqual([{ name: 'cp', errorCode: 0, errorMessage: null }]);
  });

  it('DescribeConfigs v0 reports isDefault, v1+ the source and synonyms', async () => {
    await node.topicAdmin.createTopics([newTopic('dc', 1, 1, { 'retention.ms': '5' })], { timeoutMs: 5_000 });
    const handler = new DescribeConfigsHandler(node.configAdmin);
    const resources = [{ resourceType: 2, resourceName: 'dc', configurationKeys: ['retention.ms', 'segment.ms'] }];
    const v0 = await call(handler, 0, { resources });
    expect(v0.results[0].configs.map((c) => [c.name, c.value, c.isDefault])).toEqual([
      ['retention.ms', '5', false],
      ['segment.ms', '604800000', true],
    ]);
    const v4 = await call(handler, 4, { resources, includeSynonyms: true, includeDocumentation: true });
    expect(v4.results[0].configs[0]).toMatchObject({ name: 'retention.ms', configSource: 1, synonyms: [{ name: 'retention.ms', value: '5', source: 1 }, { name: 'log.retention.ms', value: '604800000', source: 5 }] });
    expect(v4.results[0].configs[0].documentation).toEqual(expect.any(String));
  });

  it('DescribeCluster lists brokers, controller and cluster id; endpoint type 2 is unsupported', async () => {
    const handler = new DescribeClusterHandler(node.cache, server);
    const r = await call(handler, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(r).toMatchObject({ errorCode: 0, endpointType: 1, clusterId: node.cache.clusterId(), controllerId: 0, brokers: [{ brokerId: 0, host: '127.0.0.1', port: 9092, rack: null }], clusterAuthorizedOperations: OMITTED });
    expect((await call(handler, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 })).errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});
