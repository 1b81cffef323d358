import { ALL_APIS, ApiKey, ErrorCode, highestVersion, lowestVersion } from '../../protocol';
import { KafkaCluster } from '../cluster/kafka-cluster';
import { KafkaClientError } from '../errors';
import { FakeBroker, apiVersionsBody, type FakeRequest } from '../network/fake-broker.test-helpers';
import { retryPolicy } from '../retry';
import { coordinatorIsBroker, offsetCommitAnswer } from './fake-coordinator.test-helpers';
import { CommitFailedError, OffsetCommits, RebalanceInProgressError } from './offset-commits';

const GROUP = 'g';
const TOPIC = 'orders';
const MEMBER = { generationId: 3, memberId: 'm-1', groupInstanceId: 'host-1' };

/** A coordinator whose OffsetCommit answers `commitCodes` in order (then NONE) and whose OffsetFetch knows `committed`. */
class Coordinator {
  commitCodes: number[] = [];
  /** Committed offset per partition of TOPIC; a partition not listed has nothing committed. */
  committed = new Map<number, number>();
  /** Highest OffsetFetch version offered in ApiVersions. */
  maxOffsetFetchVersion: number | null = null;
  broker!: FakeBroker;

  async start(): Promise<void> {
    this.broker = await FakeBroker.start((request) => this.answer(request));
  }

  private answer(request: FakeRequest): unknown {
    const body = request.body;
    switch (request.apiKey) {
      case ApiKey.ApiVersions:
        return this.maxOffsetFetchVersion === null
          ? undefined
          : apiVersionsBody(
              ALL_APIS.map((api) => ({
                apiKey: api.apiKey,
                minVersion: lowestVersion(api.validVersions),
                maxVersion: api.apiKey === ApiKey.OffsetFetch ? this.maxOffsetFetchVersion! : highestVersion(api.validVersions),
              })),
            );
      case ApiKey.FindCoordinator:
        return coordinatorIsBroker(request, this.broker);
      case ApiKey.OffsetCommit:
        return offsetCommitAnswer(request, this.commitCodes.shift() ?? 0);
      case ApiKey.OffsetFetch: {
        const asked: Array<{ name: string; partitionIndexes: number[] }> = request.version >= 8 ? body.groups[0].topics : body.topics;
        const topics = asked.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: this.committed.get(partitionIndex) ?? -1,
            committedLeaderEpoch: this.committed.has(partitionIndex) ? 2 : -1,
            metadata: this.committed.has(partitionIndex) ? 'meta' : '',
            errorCode: 0,
          })),
        }));
        return request.version >= 8 ? { groups: [{ groupId: GROUP, topics, errorCode: 0 }] } : { topics, errorCode: 0 };
      }
      default:
        return undefined;
    }
  }
}

describe('OffsetCommits', () => {
  let coordinator: Coordinator;
  let cluster: KafkaCluster;
  let closed: AbortController;
  let commits: OffsetCommits;

  beforeEach(async () => {
    coordinator = new Coordinator();
    await coordinator.start();
    cluster = new KafkaCluster({ bootstrapServers: [coordinator.broker.address], retry: { backoffMs: 5, maxBackoffMs: 20 } });
    closed = new AbortController();
    commits = new OffsetCommits(cluster, { groupId: GROUP, retry: retryPolicy({ backoffMs: 5, maxBackoffMs: 20 }) }, closed.signal);
  });

  afterEach(async () => {
    closed.abort();
    cluster.close();
    await coordinator.broker.close();
  });

  it('commits as the member it is given, with metadata and leader epoch per partition', async () => {
    await commits.commit([{ topic: TOPIC, partition: 1, offset: 7, metadata: 'x', leaderEpoch: 4 }, { topic: TOPIC, partition: 2, offset: 9 }], MEMBER, Date.now() + 500, true);
    expect(coordinator.broker.requestsOf(ApiKey.OffsetCommit)[0].body).toMatchObject({
      groupId: GROUP,
      generationIdOrMemberEpoch: 3,
      memberId: 'm-1',
      groupInstanceId: 'host-1',
      topics: [
        {
          name: TOPIC,
          partitions: [
            { partitionIndex: 1, committedOffset: 7, committedMetadata: 'x', committedLeaderEpoch: 4 },
            { partitionIndex: 2, committedOffset: 9, committedMetadata: '', committedLeaderEpoch: -1 },
          ],
        },
      ],
    });
  });

  it('retries a moved coordinator until the deadline, but only once without retry', async () => {
    coordinator.commitCodes = [ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS];
    await commits.commit([{ topic: TOPIC, partition: 0, offset: 1 }], MEMBER, Date.now() + 2000, true);
    expect(coordinator.broker.requestsOf(ApiKey.OffsetCommit)).toHaveLength(3);
    // NOT_COORDINATOR made it look the coordinator up again.
    expect(coordinator.broker.requestsOf(ApiKey.FindCoordinator)).toHaveLength(2);

    coordinator.commitCodes = [ErrorCode.NOT_COORDINATOR];
    const err = await commits.commit([{ topic: TOPIC, partition: 0, offset: 2 }], MEMBER, Date.now() + 2000, false).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCode.NOT_COORDINATOR, retriable: true });
    expect(coordinator.broker.requestsOf(ApiKey.OffsetCommit)).toHaveLength(4);
  });

  it('turns answers about the member into the errors GroupMembership acts on', async () => {
    const failure = async (code: number): Promise<unknown> => {
      coordinator.commitCodes = [code];
      return commits.commit([{ topic: TOPIC, partition: 0, offset: 1 }], MEMBER, Date.now() + 500, true).catch((e) => e);
    };
    expect(await failure(ErrorCode.REBALANCE_IN_PROGRESS)).toBeInstanceOf(RebalanceInProgressError);
    expect(await failure(ErrorCode.ILLEGAL_GENERATION)).toMatchObject({ constructor: CommitFailedError, code: ErrorCode.ILLEGAL_GENERATION });
    expect(await failure(ErrorCode.UNKNOWN_MEMBER_ID)).toMatchObject({ constructor: CommitFailedError, code: ErrorCode.UNKNOWN_MEMBER_ID });
    const fenced = await failure(ErrorCode.FENCED_INSTANCE_ID);
    expect(fenced).toBeInstanceOf(KafkaClientError);
    expect(fenced).toMatchObject({ code: ErrorCode.FENCED_INSTANCE_ID, retriable: false, message: expect.stringContaining(`committing ${TOPIC}-0`) });
    // Each failed on the first answer: none of them is retried.
    expect(coordinator.broker.requestsOf(ApiKey.OffsetCommit)).toHaveLength(4);
  });

  it.each([9, 7])('reads committed offsets in the order asked, null where nothing is committed (OffsetFetch v%i)', async (version) => {
    coordinator.maxOffsetFetchVersion = version;
    coordinator.committed.set(2, 40);
    const asked = [2, 0].map((partition) => ({ topic: TOPIC, partition }));
    await expect(commits.fetchCommitted(asked, Date.now() + 500)).resolves.toEqual([
      { topic: TOPIC, partition: 2, offset: 40, metadata: 'meta', leaderEpoch: 2 },
      { topic: TOPIC, partition: 0, offset: null, metadata: null, leaderEpoch: null },
    ]);
    expect(coordinator.broker.requestsOf(ApiKey.OffsetFetch)[0].version).toBe(version);
  });

  it('sends nothing once the consumer is closed', async () => {
    closed.abort();
    await expect(commits.commit([{ topic: TOPIC, partition: 0, offset: 1 }], MEMBER, Date.now() + 500, true)).rejects.toMatchObject({ name: 'ClientClosedError' });
    await expect(commits.fetchCommitted([{ topic: TOPIC, partition: 0 }], Date.now() + 500)).rejects.toMatchObject({ name: 'ClientClosedError' });
    expect(coordinator.broker.requestsOf(ApiKey.FindCoordinator)).toHaveLength(0);
  });
});
