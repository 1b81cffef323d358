import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { newTopic, startMetadataNode, useMetadataDir } from '../metadata/metadata-node.test-helpers';
import { MAX_NEW_PARTITIONS_PER_REQUEST } from './topic-admin.service';

describe('TopicAdmin', () => {
  const temp = useMetadataDir();
  const start = async (options?: Parameters<typeof startMetadataNode>[1]) => temp.track(await startMetadataNode(temp.dir(), options));
  const T = { timeoutMs: 5_000 };

  describe('createTopics', () => {
    it('creates with broker defaults for -1 and answers once every partition has a leader', async () => {
      const node = await start({ config: { numPartitions: 4 } });
      const [r] = await node.topicAdmin.createTopics([newTopic('d', -1, -1)], T);
      expect(r).toMatchObject({ name: 'd', errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 4, replicationFactor: 1 });
      expect(node.cache.topic('d')!.partitions.every((p) => p.leader === 0)).toBe(true);
      expect(node.cache.topic('d')!.topicId).toBe(r.topicId);
    });

    it('validate_only checks everything and writes nothing', async () => {
      const node = await start();
      const [r] = await node.topicAdmin.createTopics([newTopic('v', 2, 1, { 'retention.ms': '5' })], { ...T, validateOnly: true });
      expect(r).toMatchObject({ errorCode: ErrorCode.NONE, topicId: ZERO_UUID, numPartitions: 2 });
      expect(await node.store.exists('/brokers/topics/v')).toBeNull();
      expect(await node.store.exists('/config/topics/v')).toBeNull();
      const [bad] = await node.topicAdmin.createTopics([newTopic('v', 0)], { ...T, validateOnly: true });
      expect(bad.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    });

    it.each([
      ['bad name', newTopic('a b'), ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
      ['zero partitions', newTopic('p', 0), ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
      ['negative partitions', newTopic('p', -2), ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
      ['more replicas than brokers', newTopic('r', 1, 2), ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor: 2 larger than available brokers: 1.'],
      ['zero replicas', newTopic('r', 1, 0), ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.'],
      ['an unknown config', newTopic('c', 1, 1, { 'no.such': '1' }), ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such'],
      ['a bad config value', newTopic('c', 1, 1, { 'retention.ms': 'soon' }), ErrorCode.INVALID_CONFIG, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      ['a config below its minimum', newTopic('c', 1, 1, { 'min.insync.replicas': '0' }), ErrorCode.INVALID_CONFIG, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
      ['a config outside its values', newTopic('c', 1, 1, { 'cleanup.policy': 'delete,shred' }), ErrorCode.INVALID_CONFIG, 'Invalid value delete,shred for configuration cleanup.policy: String must be one of: compact, delete'],
      ['a null config', newTopic('c', 1, 1, { 'retention.ms': null }), ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: retention.ms'],
    ])('refuses %s', async (_what, topic, errorCode, errorMessage) => {
      const node = await start();
      const [r] = await node.topicAdmin.createTopics([topic], T);
      expect(r).toMatchObject({ errorCode, errorMessage, topicId: ZERO_UUID });
      expect(await node.store.exists(`/brokers/topics/${topic.name}`)).toBeNull();
    });

    it('refuses an existing topic and one that collides on . and _', async () => {
      const node = await start();
      await node.topicAdmin.createTopics([newTopic('a.b')], T);
      const [exists, collides, fine] = await node.topicAdmin.createTopics([newTopic('a.b'), newTopic('a_b'), newTopic('a-b')], T);
      expect(exists).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 'a.b' already exists." });
      expect(collides).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: "Topic 'a_b' collides with existing topics: a.b" });
      expect(fine.errorCode).toBe(ErrorCode.NONE);
    });

    it('refuses a topic of more partitions than a request may create with POLICY_VIOLATION, writing nothing', async () => {
      const node = await start();
      const [r] = await node.topicAdmin.createTopics([newTopic('huge', 100_000_000)], T);
      expect(r).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION, topicId: ZERO_UUID, errorMessage: expect.stringMatching(/^Excessively large number of partitions per request/) });
      expect(await node.store.exists('/brokers/topics/huge')).toBeNull();
      const [fits] = await node.topicAdmin.createTopics([newTopic('fits', MAX_NEW_PARTITIONS_PER_REQUEST)], { ...T, validateOnly: true });
      expect(fits.errorCode).toBe(ErrorCode.NONE);
    });

    it('refuses every entry of a topic named twice in one request', async () => {
      const node = await start();
      const results = await node.topicAdmin.createTopics([newTopic('twice'), newTopic('twice'), newTopic('once')], T);
      expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    });

    it('honours explicit assignments and validates them', async () => {
      const node = await start();
      const assigned = (name: string, assignments: number[][], numPartitions = -1) => ({
        ...newTopic(name, numPartitions, -1),
        assignments: assignments.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
      });
      const [ok] = await node.topicAdmin.createTopics([assigned('x', [[0], [0]])], T);
      expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 2, replicationFactor: 1 });
      expect((await node.store.get('/brokers/topics/x'))?.value).toMatchObject({ partitions: { '0': [0], '1': [0] } });
      const results = await node.topicAdmin.createTopics([assigned('u', [[5]]), assigned('d', [[0, 0]]), assigned('both', [[0]], 1)], T);
      expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REQUEST]);
      const gap = { ...newTopic('gap', -1, -1), assignments: [{ partitionIndex: 1, brokerIds: [0] }] };
      expect((await node.topicAdmin.createTopics([gap], T))[0]).toMatchObject({
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: 'Partitions should be a consecutive 0-based integer sequence',
      });
    });

    it('answers REQUEST_TIMED_OUT when no partition gets a leader in time', async () => {
      const node = await start({ controller: false });
      const [r] = await node.topicAdmin.createTopics([newTopic('slow')], { timeoutMs: 50, anyBroker: true });
      expect(r.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
      // The topic itself was written; a controller would still give it leaders later.
      expect(await node.store.exists('/brokers/topics/slow')).not.toBeNull();
    });

    it('sends admin requests away from a broker that is not the controller', async () => {
      const node = await start({ config: { brokerId: 1 }, controller: false });
      await node.store.create('/controller', { version: 1, brokerid: 9, timestamp: '0' }, { mode: 'ephemeral' });
      await node.cache.waitFor(() => node.cache.controllerId() === 9, 5_000);
      const [r] = await node.topicAdmin.createTopics([newTopic('nc')], T);
      expect(r.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
      const [auto] = await node.topicAdmin.createTopics([newTopic('nc')], { timeoutMs: 0, anyBroker: true });
      expect(auto.errorCode).toBe(ErrorCode.NONE);
    });
  });

  describe('deleteTopics', () => {
    it('deletes by name and by id, answering once the topic left the metadata', async () => {
      const node = await start();
      const [a, b] = await node.topicAdmin.createTopics([newTopic('a'), newTopic('b', 2)], T);
      const results = await node.topicAdmin.deleteTopics([{ name: 'a', topicId: null }, { name: null, topicId: b.topicId }], T);
      expect(results).toEqual([
        { name: 'a', topicId: a.topicId, errorCode: ErrorCode.NONE, errorMessage: null },
        { name: 'b', topicId: b.topicId, errorCode: ErrorCode.NONE, errorMessage: null },
      ]);
      expect(node.cache.topic('a')).toBeUndefined();
      expect(await node.store.exists('/brokers/topics/b')).toBeNull();
      expect(await node.store.children('/admin/delete_topics')).toEqual([]);
    });

    it('answers UNKNOWN_TOPIC_OR_PARTITION and UNKNOWN_TOPIC_ID for topics that do not exist', async () => {
      const node = await start();
      const results = await node.topicAdmin.deleteTopics(
        [{ name: 'nope', topicId: null }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }, { name: 'a/b', topicId: null }],
        T,
      );
      expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      expect((await node.topicAdmin.createPartitions([{ name: '', count: 2, assignments: null }], T))[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('answers TOPIC_DELETION_DISABLED when delete.topic.enable is false', async () => {
      const node = await start({ config: { deleteTopicEnable: false } });
      await node.topicAdmin.createTopics([newTopic('stays')], T);
      const [r] = await node.topicAdmin.deleteTopics([{ name: 'stays', topicId: null }], T);
      expect(r.errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
      expect(node.cache.topic('stays')).toBeDefined();
    });

    it('a topic can be created again after deletion, with a new id', async () => {
      const node = await start();
      const [first] = await node.topicAdmin.createTopics([newTopic('again')], T);
      await node.topicAdmin.deleteTopics([{ name: 'again', topicId: null }], T);
      const [second] = await node.topicAdmin.createTopics([newTopic('again', 2)], T);
      expect(second.errorCode).toBe(ErrorCode.NONE);
      expect(second.topicId).not.toBe(first.topicId);
      expect(node.cache.topic('again')!.partitions).toHaveLength(2);
    });
  });

  describe('createPartitions', () => {
    it('grows a topic, automatically or by assignment, and answers once the new partitions lead', async () => {
      const node = await start();
      await node.topicAdmin.createTopics([newTopic('g', 1)], T);
      expect((await node.topicAdmin.createPartitions([{ name: 'g', count: 3, assignments: null }], T))[0].errorCode).toBe(ErrorCode.NONE);
      expect(node.cache.topic('g')!.partitions.map((p) => p.leader)).toEqual([0, 0, 0]);
      expect((await node.topicAdmin.createPartitions([{ name: 'g', count: 4, assignments: [[0]] }], T))[0].errorCode).toBe(ErrorCode.NONE);
      expect(node.cache.topic('g')!.partitions).toHaveLength(4);
    });

    it('validate_only leaves the topic as it was', async () => {
      const node = await start();
      await node.topicAdmin.createTopics([newTopic('vo', 1)], T);
      const [r] = await node.topicAdmin.createPartitions([{ name: 'vo', count: 5, assignments: null }], { ...T, validateOnly: true });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(node.cache.topic('vo')!.partitions).toHaveLength(1);
    });

    it('refuses more new partitions per request than the limit with POLICY_VIOLATION, before placing any, and stays up', async () => {
      const node = await start();
      await node.topicAdmin.createTopics([newTopic('big', 1)], T);
      const [huge] = await node.topicAdmin.createPartitions([{ name: 'big', count: 100_000_000, assignments: null }], T);
      expect(huge).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: expect.stringMatching(/^Excessively large number of partitions per request/) });
      expect(node.cache.topic('big')!.partitions).toHaveLength(1);
      // The limit is the request's: two topics sharing it get it in order.
      await node.topicAdmin.createTopics([newTopic('big2', 1)], T);
      const [first, second] = await node.topicAdmin.createPartitions(
        [
          { name: 'big', count: 1 + MAX_NEW_PARTITIONS_PER_REQUEST - 1, assignments: null },
          { name: 'big2', count: 3, assignments: null },
        ],
        { ...T, validateOnly: true },
      );
      expect(first.errorCode).toBe(ErrorCode.NONE);
      expect(second.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    });

    it('refuses shrinking, standing still, bad assignments and unknown topics', async () => {
      const node = await start();
      await node.topicAdmin.createTopics([newTopic('s', 2)], T);
      const results = await node.topicAdmin.createPartitions(
        [
          { name: 's', count: 1, assignments: null },
          { name: 'missing', count: 3, assignments: null },
        ],
        T,
      );
      expect(results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic currently has 2 partitions, which is higher than the requested 1.' });
      expect(results[1]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'missing' does not exist." });
      expect((await node.topicAdmin.createPartitions([{ name: 's', count: 2, assignments: null }], T))[0]).toMatchObject({
        errorCode: ErrorCode.INVALID_PARTITIONS,
        errorMessage: 'Topic already has 2 partitions.',
      });
      expect((await node.topicAdmin.createPartitions([{ name: 's', count: 4, assignments: [[0]] }], T))[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect((await node.topicAdmin.createPartitions([{ name: 's', count: 3, assignments: [[3]] }], T))[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    });
  });
});
