import { ApiKey, ErrorCode } from '../../protocol';
import { decodeSubscription, encodeAssignment } from '../../protocol/consumer-protocol';
import { KafkaCluster } from '../cluster/kafka-cluster';
import { topicPartitionKey, type TopicPartition } from '../listener/types';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.test-helpers';
import { retryPolicy } from '../retry';
import { resolveAssignors } from './assignors/assignor-registry';
import { groupByTopic } from './assignors/group-assignment';
import { coordinatorIsBroker, offsetCommitAnswer, oneBrokerMetadata } from './fake-coordinator.test-helpers';
import { PollSignal } from './fetcher';
import { GroupMembership, type GroupMembershipSettings, type MembershipHost } from './group-membership';
import { CommitFailedError, RebalanceInProgressError } from './offset-commits';

const GROUP = 'g';
const TOPIC = 'orders';
const ALL = [0, 1, 2, 3].map((partition) => ({ topic: TOPIC, partition }));

/** The consumer's side, reduced to a list of what happened and an assignment. */
class FakeHost implements MembershipHost {
  owned: TopicPartition[] = [];
  readonly events: string[] = [];
  subscribedTopics = () => [TOPIC];
  ownedPartitions = () => this.owned;
  isGroupManaged = () => true;
  beforeRebalance = async () => void this.events.push('commit');
  partitionsRevoked = async (partitions: readonly TopicPartition[]) => {
    this.events.push(`revoked ${list(partitions)}`);
    this.owned = this.owned.filter((tp) => !partitions.some((p) => topicPartitionKey(p) === topicPartitionKey(tp)));
  };
  partitionsLost = async (partitions: readonly TopicPartition[]) => {
    this.events.push(`lost ${list(partitions)}`);
    this.owned = [];
  };
  partitionsAssigned = async (added: readonly TopicPartition[], assignment: readonly TopicPartition[]) => {
    this.owned = [...assignment];
    this.events.push(`assigned ${list(added)}`);
  };
}

function list(partitions: readonly TopicPartition[]): string {
  return `[${partitions.map((p) => p.partition).join(',')}]`;
}

/**
 * A coordinator whose answers the spec scripts: `joinCodes` and `heartbeatCode` are
 * consumed/used in order; the leader is this member unless `leader` says otherwise, and a
 * follower's SyncGroup answers `followerAssignment`.
 */
class Coordinator {
  joinCodes: number[] = [];
  heartbeatCode = 0;
  commitCode = 0;
  /** JoinGroup requests go unanswered, as while the coordinator waits for other members. */
  holdJoins = false;
  generation = 0;
  leader: string | null = null;
  followerAssignment: TopicPartition[] = [];
  broker!: FakeBroker;

  async start(): Promise<void> {
    this.broker = await FakeBroker.start((request) => this.answer(request));
  }

  requests(api: ApiKey): FakeRequest[] {
    return this.broker.requestsOf(api);
  }

  private answer(request: FakeRequest): unknown {
    const body = request.body;
    switch (request.apiKey) {
      case ApiKey.Metadata:
        return oneBrokerMetadata(request, this.broker, ALL.length);
      case ApiKey.FindCoordinator:
        return coordinatorIsBroker(request, this.broker);
      case ApiKey.JoinGroup: {
        if (this.holdJoins) return undefined;
        const code = this.joinCodes.shift() ?? 0;
        if (code === ErrorCode.MEMBER_ID_REQUIRED) return { errorCode: code, memberId: 'm-1', generationId: -1, protocolName: null, leader: '', members: [] };
        if (code !== 0) return { errorCode: code, memberId: body.memberId, generationId: -1, protocolName: null, leader: '', members: [] };
        this.generation++;
        const memberId = body.memberId || 'm-1';
        const leader = this.leader ?? memberId;
        return {
          errorCode: 0,
          generationId: this.generation,
          protocolType: 'consumer',
          protocolName: body.protocols[0].name,
          leader,
          memberId,
          members: leader === memberId ? [{ memberId, groupInstanceId: null, metadata: body.protocols[0].metadata }] : [],
        };
      }
      case ApiKey.SyncGroup: {
        const mine = body.assignments.find((a: { memberId: string }) => a.memberId === body.memberId);
        const assignment = mine ? mine.assignment : encodeAssignment({ assignedPartitions: groupByTopic(this.followerAssignment) });
        return { errorCode: 0, protocolType: 'consumer', protocolName: body.protocolName, assignment };
      }
      case ApiKey.Heartbeat:
        return { errorCode: this.heartbeatCode };
      case ApiKey.LeaveGroup:
        return { errorCode: 0, members: [{ memberId: body.memberId, groupInstanceId: null, errorCode: 0 }] };
      case ApiKey.OffsetCommit:
        return offsetCommitAnswer(request, this.commitCode);
      default:
        return undefined;
    }
  }
}

describe('GroupMembership', () => {
  let coordinator: Coordinator;
  let cluster: KafkaCluster;
  let host: FakeHost;
  let signal: PollSignal;
  const memberships: GroupMembership[] = [];

  beforeEach(async () => {
    coordinator = new Coordinator();
    await coordinator.start();
    cluster = new KafkaCluster({ bootstrapServers: [coordinator.broker.address], retry: { backoffMs: 5, maxBackoffMs: 20 } });
    host = new FakeHost();
    signal = new PollSignal();
  });

  afterEach(async () => {
    for (const m of memberships.splice(0)) await m.close(Date.now() + 500);
    cluster.close();
    await coordinator.broker.close();
  });

  function membership(settings: Partial<GroupMembershipSettings> = {}): GroupMembership {
    const m = new GroupMembership(
      cluster,
      {
        groupId: GROUP,
        groupInstanceId: null,
        sessionTimeoutMs: 1000,
        rebalanceTimeoutMs: 5000,
        heartbeatIntervalMs: 20,
        requestTimeoutMs: 1000,
        retry: retryPolicy({ backoffMs: 5, maxBackoffMs: 20 }),
        assignors: resolveAssignors('range'),
        rackId: null,
        ...settings,
      },
      host,
      signal,
    );
    memberships.push(m);
    return m;
  }

  /** Calls poll() as the consumer's loop does until it reports a stable member. */
  async function pollUntilStable(m: GroupMembership): Promise<void> {
    // Generous: it returns as soon as the member is stable, and a loaded CI machine must not fail it.
    const deadline = Date.now() + 10_000;
    while (!(await m.poll())) {
      if (Date.now() > deadline) throw new Error(`not stable within 10 s (state ${m.state})`);
      await signal.wait(50);
    }
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 2000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within 2 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('joins through MEMBER_ID_REQUIRED, assigns as the leader and applies the assignment inside poll()', async () => {
    coordinator.joinCodes = [ErrorCode.MEMBER_ID_REQUIRED];
    const m = membership();
    await pollUntilStable(m);
    const joins = coordinator.requests(ApiKey.JoinGroup);
    expect(joins.map((j) => j.body.memberId)).toEqual(['', 'm-1']);
    expect(joins[1].body).toMatchObject({ groupId: GROUP, sessionTimeoutMs: 1000, rebalanceTimeoutMs: 5000, protocolType: 'consumer' });
    expect(joins[1].body.protocols.map((p: { name: string }) => p.name)).toEqual(['range']);
    expect(decodeSubscription(joins[1].body.protocols[0].metadata).topics).toEqual([TOPIC]);
    expect(m.isLeader).toBe(true);
    expect(m.generation).toEqual({ generationId: 1, memberId: 'm-1', protocolName: 'range' });
    expect(host.events).toEqual(['assigned [0,1,2,3]']);
    await until(() => coordinator.requests(ApiKey.Heartbeat).length >= 2, 'two heartbeats');
    expect(coordinator.requests(ApiKey.Heartbeat)[0].body).toMatchObject({ groupId: GROUP, generationId: 1, memberId: 'm-1' });
  });

  it('looks the coordinator up again after NOT_COORDINATOR', async () => {
    coordinator.joinCodes = [ErrorCode.NOT_COORDINATOR];
    const m = membership();
    await pollUntilStable(m);
    expect(coordinator.requests(ApiKey.FindCoordinator).length).toBe(2);
    expect(coordinator.requests(ApiKey.JoinGroup).length).toBe(2);
  });

  it('eager: a heartbeat answering REBALANCE_IN_PROGRESS makes the next poll() commit, revoke everything and rejoin', async () => {
    const m = membership();
    await pollUntilStable(m);
    coordinator.heartbeatCode = ErrorCode.REBALANCE_IN_PROGRESS;
    await until(() => m.rejoinNeededOrPending(), 'a rejoin request');
    coordinator.heartbeatCode = 0;
    await pollUntilStable(m);
    expect(host.events).toEqual(['assigned [0,1,2,3]', 'commit', 'revoked [0,1,2,3]', 'assigned [0,1,2,3]']);
    expect(m.generation.generationId).toBe(2);
  });

  it('a heartbeat answering ILLEGAL_GENERATION loses the partitions at the next poll(), then rejoins under the same member id', async () => {
    const m = membership();
    await pollUntilStable(m);
    coordinator.heartbeatCode = ErrorCode.ILLEGAL_GENERATION;
    await until(() => m.state === 'UNJOINED', 'the generation to be reset');
    coordinator.heartbeatCode = 0;
    await pollUntilStable(m);
    expect(host.events).toEqual(['assigned [0,1,2,3]', 'lost [0,1,2,3]', 'assigned [0,1,2,3]']);
    expect(coordinator.requests(ApiKey.JoinGroup).at(-1)!.body.memberId).toBe(m.generation.memberId);
  });

  it('a static member fenced by a newer instance with its group.instance.id fails poll() for good', async () => {
    const m = membership({ groupInstanceId: 'host-1' });
    await pollUntilStable(m);
    coordinator.heartbeatCode = ErrorCode.FENCED_INSTANCE_ID;
    let error: unknown;
    await until(() => {
      m.poll().catch((err) => (error = err));
      return error !== undefined;
    }, 'poll() to fail');
    expect(error).toMatchObject({ code: ErrorCode.FENCED_INSTANCE_ID, retriable: false });
    await expect(m.poll()).rejects.toBe(error);
  });

  it('cooperative: revokes only what the new assignment takes away, then rejoins once more', async () => {
    coordinator.leader = 'someone-else';
    coordinator.followerAssignment = ALL;
    const m = membership({ assignors: resolveAssignors('cooperative-sticky') });
    expect(m.protocol).toBe('COOPERATIVE');
    await pollUntilStable(m);
    coordinator.followerAssignment = ALL.slice(0, 2);
    m.requestRejoin('test');
    await pollUntilStable(m);
    const joins = coordinator.requests(ApiKey.JoinGroup);
    // The member told the group what it owned, and gave up nothing before the assignment.
    expect(decodeSubscription(joins[1].body.protocols[0].metadata).ownedPartitions).toEqual([{ topic: TOPIC, partitions: [0, 1, 2, 3] }]);
    expect(host.events).toEqual(['assigned [0,1,2,3]', 'commit', 'revoked [2,3]', 'assigned []', 'commit', 'assigned []']);
    expect(joins).toHaveLength(3);
    expect(decodeSubscription(joins[2].body.protocols[0].metadata).ownedPartitions).toEqual([{ topic: TOPIC, partitions: [0, 1] }]);
  });

  it('leaves the group when the application does not poll within max.poll.interval.ms, and reports the partitions lost', async () => {
    const m = membership({ rebalanceTimeoutMs: 100 });
    // Inside poll() while joining, as the consumer is: a join slower than 100 ms on a loaded machine must not count as a poll timeout.
    m.pollStarted();
    await pollUntilStable(m);
    m.pollEnded();
    // The member resets once the LeaveGroup is answered, which may be after the coordinator has seen it.
    await until(() => m.state === 'UNJOINED', 'leaving the group');
    expect(coordinator.requests(ApiKey.LeaveGroup)).toHaveLength(1);
    expect(coordinator.requests(ApiKey.LeaveGroup)[0].body.members).toEqual([{ memberId: 'm-1', groupInstanceId: null, reason: expect.stringContaining('max.poll.interval.ms') }]);
    await expect(m.commitOffsets([{ topic: TOPIC, partition: 0, offset: 1 }], Date.now() + 500)).rejects.toBeInstanceOf(CommitFailedError);
    m.pollStarted();
    await pollUntilStable(m);
    expect(host.events).toEqual(['assigned [0,1,2,3]', 'lost [0,1,2,3]', 'assigned [0,1,2,3]']);
  });

  it('commits with the generation; UNKNOWN_MEMBER_ID fails the commit and resets the member, and commits while rejoining are refused', async () => {
    const m = membership();
    await pollUntilStable(m);
    await m.commitOffsets([{ topic: TOPIC, partition: 1, offset: 7, metadata: 'x' }], Date.now() + 500);
    expect(coordinator.requests(ApiKey.OffsetCommit)[0].body).toMatchObject({
      groupId: GROUP,
      generationIdOrMemberEpoch: 1,
      memberId: 'm-1',
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1, committedOffset: 7, committedMetadata: 'x' }] }],
    });
    coordinator.commitCode = ErrorCode.UNKNOWN_MEMBER_ID;
    await expect(m.commitOffsets([{ topic: TOPIC, partition: 1, offset: 8 }], Date.now() + 500)).rejects.toBeInstanceOf(CommitFailedError);
    expect(m.generation.memberId).toBe('');
    coordinator.commitCode = 0;
    await pollUntilStable(m);
    // Until JoinGroup goes out the generation still holds: onPartitionsRevoked may commit.
    m.requestRejoin('test');
    await expect(m.commitOffsets([{ topic: TOPIC, partition: 1, offset: 9 }], Date.now() + 500)).resolves.toBeUndefined();
    coordinator.holdJoins = true;
    await m.poll();
    await until(() => m.state === 'PREPARING_REBALANCE', 'JoinGroup to be sent');
    await expect(m.commitOffsets([{ topic: TOPIC, partition: 1, offset: 9 }], Date.now() + 500)).rejects.toBeInstanceOf(RebalanceInProgressError);
  });

  it('a commit answered REBALANCE_IN_PROGRESS asks for a rejoin; one answered FENCED_INSTANCE_ID fails poll() for good', async () => {
    const m = membership({ groupInstanceId: 'host-1' });
    await pollUntilStable(m);
    coordinator.commitCode = ErrorCode.REBALANCE_IN_PROGRESS;
    await expect(m.commitOffsets([{ topic: TOPIC, partition: 0, offset: 1 }], Date.now() + 500)).rejects.toBeInstanceOf(RebalanceInProgressError);
    expect(m.rejoinNeededOrPending()).toBe(true);
    coordinator.commitCode = 0;
    await pollUntilStable(m);
    expect(m.generation.generationId).toBe(2);

    coordinator.commitCode = ErrorCode.FENCED_INSTANCE_ID;
    const fenced = await m.commitOffsets([{ topic: TOPIC, partition: 0, offset: 2 }], Date.now() + 500).catch((err) => err);
    expect(fenced).toMatchObject({ code: ErrorCode.FENCED_INSTANCE_ID, retriable: false });
    await expect(m.poll()).rejects.toBe(fenced);
  });

  it('on close, revokes and sends LeaveGroup for a dynamic member only', async () => {
    const dynamic = membership();
    await pollUntilStable(dynamic);
    await dynamic.close(Date.now() + 500);
    expect(host.events.at(-1)).toBe('revoked [0,1,2,3]');
    expect(coordinator.requests(ApiKey.LeaveGroup)).toHaveLength(1);

    host = new FakeHost();
    const staticMember = membership({ groupInstanceId: 'host-1' });
    await pollUntilStable(staticMember);
    await staticMember.close(Date.now() + 500);
    expect(host.events.at(-1)).toBe('revoked [0,1,2,3]');
    expect(coordinator.requests(ApiKey.LeaveGroup)).toHaveLength(1);
    expect(coordinator.requests(ApiKey.JoinGroup).at(-1)!.body.groupInstanceId).toBe('host-1');
  });
});
