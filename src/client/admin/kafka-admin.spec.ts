import { ApiKey, ErrorCode, ZERO_UUID } from '../../protocol';
import { coordinatorIsBroker, offsetCommitAnswer } from '../consumer/fake-coordinator.test-helpers';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.test-helpers';
import { KafkaAdmin, KafkaAdminError } from './kafka-admin';

// The retry rules of KafkaAdmin against scripted brokers: what a real broker rarely does
// on cue (a controller that moves, a coordinator that is not one yet, a member that
// joins between the state check and the commit).
describe('KafkaAdmin retries', () => {
  const brokers: FakeBroker[] = [];
  let controllerId = 0;
  let admin: KafkaAdmin;
  /** Topic name → each partition's leader, as Metadata answers them. */
  let leaders: Record<string, number[]> = {};

  function metadataAnswer() {
    const topics = Object.entries(leaders).map(([name, ls]) => ({
      errorCode: 0,
      name,
      topicId: ZERO_UUID,
      isInternal: false,
      partitions: ls.map((leaderId, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId, leaderEpoch: 1, replicaNodes: [leaderId], isrNodes: [leaderId], offlineReplicas: [] })),
    }));
    return { brokers: brokers.map((b, i) => ({ nodeId: i, host: '127.0.0.1', port: b.port, rack: null })), clusterId: 'fake', controllerId, topics };
  }

  async function start(handlers: Array<(request: FakeRequest) => unknown>): Promise<void> {
    for (const handler of handlers) {
      brokers.push(await FakeBroker.start((request) => (request.apiKey === ApiKey.Metadata ? metadataAnswer() : handler(request))));
    }
    admin = new KafkaAdmin({ bootstrapServers: brokers[0].address, apiTimeoutMs: 1000, retry: { backoffMs: 5, maxBackoffMs: 20 } });
    await admin.connect();
  }

  const createAnswer = (request: FakeRequest, codes: Record<string, number>) => ({
    topics: request.body.topics.map((t: { name: string }) => ({ name: t.name, errorCode: codes[t.name] ?? ErrorCode.NONE, errorMessage: null })),
  });
  const topicsAsked = (broker: FakeBroker) => broker.requestsOf(ApiKey.CreateTopics).map((r) => r.body.topics.map((t: { name: string }) => t.name));

  beforeEach(() => {
    controllerId = 0;
    leaders = {};
  });

  afterEach(async () => {
    await admin?.close();
    for (const b of brokers.splice(0)) await b.close();
  });

  it('follows a moved controller and asks again only for the topics it did not create', async () => {
    await start([
      (request) => {
        if (request.apiKey !== ApiKey.CreateTopics) return undefined;
        controllerId = 1;
        return createAnswer(request, { b: ErrorCode.NOT_CONTROLLER });
      },
      (request) => (request.apiKey === ApiKey.CreateTopics ? createAnswer(request, {}) : undefined),
    ]);
    await admin.createTopics([{ name: 'a' }, { name: 'b' }]);
    expect(topicsAsked(brokers[0])).toEqual([['a', 'b']]);
    expect(topicsAsked(brokers[1])).toEqual([['b']]);
  });

  it('fails only the items whose answer is final, without asking again, and names each', async () => {
    await start([(request) => (request.apiKey === ApiKey.CreateTopics ? createAnswer(request, { a: ErrorCode.TOPIC_ALREADY_EXISTS, c: ErrorCode.INVALID_REPLICATION_FACTOR }) : undefined)]);
    const err = (await admin.createTopics([{ name: 'a' }, { name: 'b' }, { name: 'c' }]).catch((e: unknown) => e)) as KafkaAdminError;
    expect(err).toBeInstanceOf(KafkaAdminError);
    expect(err.code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(err.items.map((i) => [i.name, i.code])).toEqual([
      ['a', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['c', ErrorCode.INVALID_REPLICATION_FACTOR],
    ]);
    expect(err.message).toMatch(/^a: TOPIC_ALREADY_EXISTS .*; c: INVALID_REPLICATION_FACTOR/);
    expect(topicsAsked(brokers[0])).toHaveLength(1);
  });

  it('gives up on a retriable item error at the API timeout, with that error', async () => {
    await start([(request) => (request.apiKey === ApiKey.CreateTopics ? createAnswer(request, { a: ErrorCode.REQUEST_TIMED_OUT }) : undefined)]);
    const started = Date.now();
    const err = (await admin.createTopics([{ name: 'a' }]).catch((e: unknown) => e)) as KafkaAdminError;
    expect(err).toMatchObject({ code: ErrorCode.REQUEST_TIMED_OUT, items: [{ name: 'a', code: ErrorCode.REQUEST_TIMED_OUT, message: null }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(topicsAsked(brokers[0]).length).toBeGreaterThan(2);
  });

  it('looks the coordinator up again after NOT_COORDINATOR', async () => {
    let describes = 0;
    await start([
      (request) => {
        if (request.apiKey === ApiKey.FindCoordinator) return coordinatorIsBroker(request, brokers[0]);
        if (request.apiKey !== ApiKey.DescribeGroups) return undefined;
        const errorCode = ++describes === 1 ? ErrorCode.NOT_COORDINATOR : ErrorCode.NONE;
        return { groups: [{ errorCode, groupId: 'g', groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [] }] };
      },
    ]);
    expect(await admin.describeConsumerGroups(['g'])).toEqual([{ groupId: 'g', state: 'Empty', protocolType: 'consumer', protocol: '', coordinatorId: 0, members: [] }]);
    expect(brokers[0].requestsOf(ApiKey.FindCoordinator)).toHaveLength(2);
  });

  it('refuses an offset rewrite with NON_EMPTY_GROUP when a member joined after the state check', async () => {
    await start([
      (request) => {
        if (request.apiKey === ApiKey.FindCoordinator) return coordinatorIsBroker(request, brokers[0]);
        if (request.apiKey === ApiKey.DescribeGroups) return { groups: [{ errorCode: 0, groupId: 'g', groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [] }] };
        // What our coordinator answers an admin commit (generation -1, no member id) once the group has members.
        if (request.apiKey === ApiKey.OffsetCommit) return offsetCommitAnswer(request, ErrorCode.UNKNOWN_MEMBER_ID);
        return undefined;
      },
    ]);
    const err = await admin.alterConsumerGroupOffsets('g', [{ topic: 't', partition: 0, offset: 5 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaAdminError);
    expect(err).toMatchObject({ code: ErrorCode.NON_EMPTY_GROUP, message: expect.stringMatching(/only be changed while it is inactive/) });
    const [commit] = brokers[0].requestsOf(ApiKey.OffsetCommit);
    expect(commit.body).toMatchObject({ groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '' });
  });

  describe('listOffsets', () => {
    /** What each broker was asked: replica id, isolation level and every partition's timestamp. */
    const asked = (broker: FakeBroker) =>
      broker.requestsOf(ApiKey.ListOffsets).map((r) => ({
        replicaId: r.body.replicaId,
        isolationLevel: r.body.isolationLevel,
        partitions: r.body.topics.flatMap((t: { name: string; partitions: Array<{ partitionIndex: number; timestamp: number }> }) => t.partitions.map((p) => [t.name, p.partitionIndex, p.timestamp])),
      }));
    /** Answers every partition with `offsetOf` its timestamp and the request's replica id. */
    const listOffsetsAnswer = (offsetOf: (timestamp: number, replicaId: number) => number) => (request: FakeRequest) =>
      request.apiKey !== ApiKey.ListOffsets
        ? undefined
        : {
            topics: request.body.topics.map((t: { name: string; partitions: Array<{ partitionIndex: number; timestamp: number }> }) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [], timestamp: -1, offset: offsetOf(p.timestamp, request.body.replicaId), leaderEpoch: 1 })),
            })),
          };
    // A leader whose log runs ahead of its high watermark: 10 replicated, 12 written.
    const leaderAnswer = listOffsetsAnswer((timestamp, replicaId) => (timestamp === -2 ? 0 : replicaId === -2 ? 12 : 10));

    it("asks each partition's leader as a consumer (replica id -1) for 'earliest' and 'latest', reading uncommitted by default", async () => {
      leaders = { t: [0, 1] };
      await start([leaderAnswer, leaderAnswer]);
      const latest = await admin.listOffsets([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], 'latest');
      expect(latest.map((o) => [o.partition, o.offset])).toEqual([[0, 10], [1, 10]]);
      expect(asked(brokers[0])).toEqual([{ replicaId: -1, isolationLevel: 0, partitions: [['t', 0, -1]] }]);
      expect(asked(brokers[1])).toEqual([{ replicaId: -1, isolationLevel: 0, partitions: [['t', 1, -1]] }]);
      expect((await admin.listOffsets([{ topic: 't', partition: 1 }], 'earliest'))[0].offset).toBe(0);
    });

    it("'logEnd' asks the leader as a debugging client (replica id -2), which Kafka answers from the log end rather than the high watermark", async () => {
      leaders = { t: [0] };
      await start([leaderAnswer]);
      expect(await admin.listOffsets([{ topic: 't', partition: 0 }], 'logEnd')).toEqual([{ topic: 't', partition: 0, offset: 12, timestamp: -1, leaderEpoch: 1 }]);
      expect(asked(brokers[0])).toEqual([{ replicaId: -2, isolationLevel: 0, partitions: [['t', 0, -1]] }]);
    });

    it('sends isolationLevel read_committed as 1, and a timestamp as is', async () => {
      leaders = { t: [0] };
      await start([leaderAnswer]);
      await admin.listOffsets([{ topic: 't', partition: 0 }], { timestamp: 1_700_000_000_000 }, { isolationLevel: 'read_committed' });
      expect(asked(brokers[0])).toEqual([{ replicaId: -1, isolationLevel: 1, partitions: [['t', 0, 1_700_000_000_000]] }]);
    });

    it('fails naming a partition the topic does not have, without asking any broker', async () => {
      leaders = { t: [0] };
      await start([leaderAnswer]);
      const err = await admin.listOffsets([{ topic: 't', partition: 3 }], 'logEnd').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaAdminError);
      expect(err).toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, items: [{ name: 't-3', code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null }] });
      expect(asked(brokers[0])).toEqual([]);
    });
  });
});
