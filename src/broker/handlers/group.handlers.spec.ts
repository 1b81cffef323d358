import { Logger } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { BrokerConfig } from '../../config/broker.config';
import { ConsumerRegistryPublisher } from '../../coordinator/consumer-registry-publisher';
import type { CoordinatorCluster, CoordinatorClusterChange } from '../../coordinator/coordinator-cluster';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { GroupStateStore } from '../../coordinator/group-state-store';
import { OffsetStore } from '../../coordinator/offset-store';
import { decodeResponse, encodeRequest } from '../../protocol/codec/message-codec';
import type { ApiSpec, RequestOf, ResponseOf } from '../../protocol/codec/schema';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '../../protocol/consumer-protocol';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { DeleteGroupsApi } from '../../protocol/schemas/delete-groups.schema';
import { DescribeGroupsApi } from '../../protocol/schemas/describe-groups.schema';
import { HeartbeatApi } from '../../protocol/schemas/heartbeat.schema';
import { JoinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/schemas/join-group.schema';
import { LeaveGroupApi } from '../../protocol/schemas/leave-group.schema';
import { ListGroupsApi } from '../../protocol/schemas/list-groups.schema';
import { OffsetCommitApi, type OffsetCommitRequest } from '../../protocol/schemas/offset-commit.schema';
import { OffsetDeleteApi } from '../../protocol/schemas/offset-delete.schema';
import { OffsetFetchApi, type OffsetFetchRequest } from '../../protocol/schemas/offset-fetch.schema';
import { SyncGroupApi, type SyncGroupRequest } from '../../protocol/schemas/sync-group.schema';
import { EmbeddedMetadataStore } from '../../zk/embedded-metadata-store';
import { ApiRegistry } from '../api/api-registry';
import { RequestRouter } from '../api/request-router';
import { OffsetCommitHandler } from './08-offset-commit.handler';
import { OffsetFetchHandler } from './09-offset-fetch.handler';
import { JoinGroupHandler } from './11-join-group.handler';
import { HeartbeatHandler } from './12-heartbeat.handler';
import { LeaveGroupHandler } from './13-leave-group.handler';
import { SyncGroupHandler } from './14-sync-group.handler';
import { DescribeGroupsHandler } from './15-describe-groups.handler';
import { ListGroupsHandler } from './16-list-groups.handler';
import { DeleteGroupsHandler } from './42-delete-groups.handler';
import { OffsetDeleteHandler } from './47-offset-delete.handler';

/** Every group local except those named foreign; orders has 6 partitions, audit 2. */
class FakeCluster implements CoordinatorCluster {
  readonly foreign = new Set<string>();
  private readonly partitions = new Map([
    ['orders', 6],
    ['audit', 2],
  ]);

  isLocalCoordinator(groupId: string): boolean {
    return !this.foreign.has(groupId);
  }

  partitionCount(topic: string): number {
    return this.partitions.get(topic) ?? 0;
  }

  onChange(_listener: (change: CoordinatorClusterChange) => void): () => void {
    return () => undefined;
  }
}

const connection = { id: 1, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 50000 };
const ORDERS = encodeSubscription({ topics: ['orders'] });

function joinRequest(groupId: string, extra: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: ORDERS }],
    reason: null,
    ...extra,
  };
}

function syncRequest(groupId: string, join: JoinGroupResponse, extra: Partial<SyncGroupRequest> = {}): SyncGroupRequest {
  return { groupId, generationId: join.generationId, memberId: join.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [], ...extra };
}

function commitRequest(groupId: string, generation: number, memberId: string, offsets: Array<[string, number, number]>): OffsetCommitRequest {
  const topics = [...new Set(offsets.map(([t]) => t))].map((name) => ({
    name,
    partitions: offsets
      .filter(([t]) => t === name)
      .map(([, partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: `at-${committedOffset}` })),
  }));
  return { groupId, generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null, retentionTimeMs: -1, topics };
}

function fetchRequest(groupId: string, topics: OffsetFetchRequest['topics']): OffsetFetchRequest {
  return { groupId, topics, groups: [], requireStable: false };
}

describe('group handlers over the wire', () => {
  let store: EmbeddedMetadataStore;
  let cluster: FakeCluster;
  let publisher: ConsumerRegistryPublisher;
  let coordinator: GroupCoordinator;
  let router: RequestRouter;
  let correlationId = 0;

  /** Encodes the request at `version`, serves it through the router, decodes the response. */
  async function call<A extends ApiSpec<any, any>>(api: A, version: number, body: RequestOf<A>): Promise<ResponseOf<A>> {
    const id = ++correlationId;
    const chunks = await router.dispatch(encodeRequest(api, version, { correlationId: id, clientId: 'wire-test' }, body), connection);
    const response = decodeResponse(api, version, Buffer.concat(chunks!));
    expect(response.correlationId).toBe(id);
    return response.body;
  }

  /** JoinGroup v5 as a v4+ client does it: a dynamic member told MEMBER_ID_REQUIRED rejoins with the id it was given. */
  async function join(groupId: string, extra: Partial<JoinGroupRequest> = {}): Promise<JoinGroupResponse> {
    const first = await call(JoinGroupApi, 5, joinRequest(groupId, extra));
    if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) return first;
    return call(JoinGroupApi, 5, joinRequest(groupId, { ...extra, memberId: first.memberId }));
  }

  /** A one-member Stable group over JoinGroup v5 and SyncGroup v3, its member owning every orders partition. */
  async function stableGroup(groupId: string, extra: Partial<JoinGroupRequest> = {}): Promise<JoinGroupResponse> {
    const joined = await join(groupId, extra);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const assignment = encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [0, 1, 2, 3, 4, 5] }] });
    const synced = await call(SyncGroupApi, 3, syncRequest(groupId, joined, { groupInstanceId: extra.groupInstanceId ?? null, assignments: [{ memberId: joined.memberId, assignment }] }));
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    return joined;
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    store = await EmbeddedMetadataStore.open();
    cluster = new FakeCluster();
    publisher = new ConsumerRegistryPublisher(store);
    const config = Object.assign(new BrokerConfig(), { groupInitialRebalanceDelayMs: 0 });
    coordinator = new GroupCoordinator(config, cluster, new OffsetStore(store), publisher, new GroupStateStore(store));
    coordinator.onModuleInit();
    const registry = new ApiRegistry({} as DiscoveryService);
    const handlers = [
      new OffsetCommitHandler(coordinator),
      new OffsetFetchHandler(coordinator),
      new JoinGroupHandler(coordinator),
      new HeartbeatHandler(coordinator),
      new LeaveGroupHandler(coordinator),
      new SyncGroupHandler(coordinator),
      new DescribeGroupsHandler(coordinator),
      new ListGroupsHandler(coordinator),
      new DeleteGroupsHandler(coordinator),
      new OffsetDeleteHandler(coordinator),
    ];
    for (const handler of handlers) registry.register(handler.api.apiKey, handler);
    router = new RequestRouter(registry);
  });

  afterEach(async () => {
    coordinator.onModuleDestroy();
    await publisher.settled();
    await store.close();
  });

  it('JoinGroup v0-v3 admits a new member at once; it leads and gets the member list', async () => {
    for (const version of [0, 1, 2, 3]) {
      const groupId = `g${version}`;
      const joined = await call(JoinGroupApi, version, joinRequest(groupId));
      expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range', leader: joined.memberId });
      expect(joined.memberId).toMatch(/^wire-test-/);
      expect(joined.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, metadata: ORDERS }]);
      expect(await coordinator.describeGroup(groupId)).toMatchObject({ state: 'CompletingRebalance' });
    }
  });

  it('JoinGroup v4+ first answers MEMBER_ID_REQUIRED with an id, then admits the member rejoining with it', async () => {
    for (const version of [4, 6, 7, 9]) {
      const groupId = `g${version}`;
      const first = await call(JoinGroupApi, version, joinRequest(groupId));
      expect(first).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, generationId: -1, members: [] });
      expect(first.memberId).toMatch(/^wire-test-/);
      const again = await call(JoinGroupApi, version, joinRequest(groupId, { memberId: first.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, memberId: first.memberId, leader: first.memberId, protocolName: 'range' });
      // The protocol type is in the response from v7 on.
      expect(again.protocolType).toBe(version >= 7 ? 'consumer' : null);
    }
  });

  it('JoinGroup refuses bad session timeouts and foreign protocols with Kafka error codes', async () => {
    expect((await call(JoinGroupApi, 5, joinRequest('g', { sessionTimeoutMs: 10 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    await stableGroup('g');
    const other = await call(JoinGroupApi, 5, joinRequest('g', { protocols: [{ name: 'cooperative-sticky', metadata: ORDERS }] }));
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await call(JoinGroupApi, 5, joinRequest('', {}))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    cluster.foreign.add('elsewhere');
    expect((await call(JoinGroupApi, 9, joinRequest('elsewhere'))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('a second member makes Heartbeat answer REBALANCE_IN_PROGRESS; both rejoin, and SyncGroup hands each its share', async () => {
    const a = await stableGroup('g');
    for (const version of [0, 4]) {
      expect((await call(HeartbeatApi, version, { groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.NONE);
    }
    const bJoin = join('g');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await call(HeartbeatApi, 4, { groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = await call(JoinGroupApi, 5, joinRequest('g', { memberId: a.memberId }));
    const b = await bJoin;
    expect(aJoin).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a.memberId });
    expect(aJoin.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(b.members).toEqual([]);

    const forA = encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [0, 1, 2] }] });
    const forB = encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [3, 4, 5] }] });
    const bSync = call(SyncGroupApi, 0, syncRequest('g', b));
    const aSync = await call(SyncGroupApi, 5, syncRequest('g', aJoin, { assignments: [{ memberId: a.memberId, assignment: forA }, { memberId: b.memberId, assignment: forB }] }));
    expect(aSync).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range' });
    expect(decodeAssignment(aSync.assignment).assignedPartitions).toEqual([{ topic: 'orders', partitions: [0, 1, 2] }]);
    expect((await bSync).assignment).toEqual(forB);
    // Generation 1 is over.
    expect((await call(HeartbeatApi, 1, { groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('SyncGroup v5 must name the protocol (KIP-559); without it, INCONSISTENT_GROUP_PROTOCOL', async () => {
    const joined = await join('g');
    const unnamed = await call(SyncGroupApi, 5, syncRequest('g', joined, { protocolType: null, protocolName: null }));
    expect(unnamed.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrong = await call(SyncGroupApi, 5, syncRequest('g', joined, { protocolName: 'roundrobin' }));
    expect(wrong.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('LeaveGroup v0-v2 removes the one member named and answers with its outcome as the error', async () => {
    for (const version of [0, 1, 2]) {
      const groupId = `g${version}`;
      const a = await stableGroup(groupId);
      const left = await call(LeaveGroupApi, version, { groupId, memberId: a.memberId, members: [] });
      expect(left).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, members: [] });
      const again = await call(LeaveGroupApi, version, { groupId, memberId: a.memberId, members: [] });
      expect(again.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await call(HeartbeatApi, 2, { groupId, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  });

  it('LeaveGroup v3+ removes a batch, static members by instance id, with one result per member', async () => {
    for (const version of [3, 5]) {
      const groupId = `g${version}`;
      const a = await stableGroup(groupId, { groupInstanceId: 'i-a' });
      const left = await call(LeaveGroupApi, version, {
        groupId,
        memberId: '',
        members: [
          { memberId: '', groupInstanceId: 'i-a', reason: 'shutting down' },
          { memberId: 'stranger', groupInstanceId: null, reason: null },
        ],
      });
      expect(left.errorCode).toBe(ErrorCode.NONE);
      expect(left.members).toEqual([
        { memberId: '', groupInstanceId: 'i-a', errorCode: ErrorCode.NONE },
        { memberId: 'stranger', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ]);
      expect((await call(HeartbeatApi, 4, { groupId, generationId: a.generationId, memberId: a.memberId, groupInstanceId: 'i-a' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    // A group nobody knows: no top-level error, every member unknown.
    const unknown = await call(LeaveGroupApi, 4, { groupId: 'nobody', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
    expect(unknown).toMatchObject({ errorCode: ErrorCode.NONE, members: [{ memberId: 'm', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] });
    cluster.foreign.add('elsewhere');
    const foreign = await call(LeaveGroupApi, 3, { groupId: 'elsewhere', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
    expect(foreign).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, members: [] });
  });

  it('OffsetCommit v2/v8 from a member, then OffsetFetch v1 (per-partition), v2-v7 (top-level error) and v8 (several groups)', async () => {
    const a = await stableGroup('g');
    const committed = await call(OffsetCommitApi, 2, commitRequest('g', a.generationId, a.memberId, [['orders', 0, 10], ['orders', 9, 1]]));
    expect(committed.topics).toEqual([{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }, { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] }]);
    const flexible = await call(OffsetCommitApi, 8, commitRequest('g', a.generationId, a.memberId, [['orders', 1, 11], ['audit', 0, 5]]));
    expect(flexible.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const stale = await call(OffsetCommitApi, 8, commitRequest('g', a.generationId + 1, a.memberId, [['orders', 1, 12]]));
    expect(stale.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const wanted = [{ name: 'orders', partitionIndexes: [0, 1, 2] }];
    const v1 = await call(OffsetFetchApi, 1, fetchRequest('g', wanted));
    expect(v1.topics[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: 'at-10', errorCode: ErrorCode.NONE },
      { partitionIndex: 1, committedOffset: 11, committedLeaderEpoch: -1, metadata: 'at-11', errorCode: ErrorCode.NONE },
      { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
    ]);
    for (const version of [2, 5, 7]) {
      const all = await call(OffsetFetchApi, version, fetchRequest('g', null));
      expect(all.errorCode).toBe(ErrorCode.NONE);
      expect(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]).sort()).toEqual([
        ['audit', [[0, 5]]],
        [
          'orders',
          [
            [0, 10],
            [1, 11],
          ],
        ],
      ]);
    }

    // A group another broker coordinates: v1 has no top-level error, so every partition carries it.
    cluster.foreign.add('elsewhere');
    const v1Foreign = await call(OffsetFetchApi, 1, fetchRequest('elsewhere', wanted));
    expect(v1Foreign.topics[0].partitions.map((p) => [p.committedOffset, p.errorCode])).toEqual([
      [-1, ErrorCode.NOT_COORDINATOR],
      [-1, ErrorCode.NOT_COORDINATOR],
      [-1, ErrorCode.NOT_COORDINATOR],
    ]);
    for (const version of [2, 3, 7]) {
      const foreign = await call(OffsetFetchApi, version, fetchRequest('elsewhere', wanted));
      expect(foreign).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, topics: [] });
    }

    const v8 = await call(OffsetFetchApi, 8, {
      groupId: '',
      topics: [],
      requireStable: true,
      groups: [
        { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 'orders', partitionIndexes: [1] }] },
        { groupId: 'elsewhere', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'g', memberId: null, memberEpoch: -1, topics: null },
      ],
    });
    expect(v8.groups.map((g) => [g.groupId, g.errorCode])).toEqual([
      ['g', ErrorCode.NONE],
      ['elsewhere', ErrorCode.NOT_COORDINATOR],
      ['g', ErrorCode.NONE],
    ]);
    expect(v8.groups[0].topics).toEqual([{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 11, committedLeaderEpoch: -1, metadata: 'at-11', errorCode: ErrorCode.NONE }] }]);
    expect(v8.groups[2].topics.map((t) => t.name).sort()).toEqual(['audit', 'orders']);
  });

  it('OffsetFetch v0 reports a partition without a committed offset as UNKNOWN_TOPIC_OR_PARTITION, as the ZooKeeper-era API did', async () => {
    await call(OffsetCommitApi, 0, commitRequest('g', -1, '', [['orders', 0, 3]]));
    const v0 = await call(OffsetFetchApi, 0, fetchRequest('g', [{ name: 'orders', partitionIndexes: [0, 1] }]));
    expect(v0.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])).toEqual([
      [0, 3, ErrorCode.NONE],
      [1, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it('ListGroups: v0 lists every group, v4 filters by state, v5 by type (only classic groups exist)', async () => {
    await stableGroup('stable');
    await join('joining');
    await call(OffsetCommitApi, 8, commitRequest('idle', -1, '', [['orders', 0, 1]]));
    const ids = (groups: { groupId: string }[]) => groups.map((g) => g.groupId).sort();
    const v0 = await call(ListGroupsApi, 0, { statesFilter: [], typesFilter: [] });
    expect(v0.errorCode).toBe(ErrorCode.NONE);
    expect(ids(v0.groups)).toEqual(['idle', 'joining', 'stable']);
    expect(v0.groups.every((g) => g.protocolType === 'consumer')).toBe(true);
    const v4 = await call(ListGroupsApi, 4, { statesFilter: ['Stable', 'Empty'], typesFilter: [] });
    expect(v4.groups.map((g) => [g.groupId, g.groupState]).sort()).toEqual([
      ['idle', 'Empty'],
      ['stable', 'Stable'],
    ]);
    expect(ids((await call(ListGroupsApi, 4, { statesFilter: ['completingrebalance'], typesFilter: [] })).groups)).toEqual(['joining']);
    const classic = await call(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Classic'] });
    expect(classic.groups.map((g) => g.groupType)).toEqual(['classic', 'classic', 'classic']);
    expect((await call(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups).toEqual([]);
  });

  it('DescribeGroups: a Stable group with members, metadata and assignment; an unknown group is Dead without error', async () => {
    const a = await stableGroup('g');
    for (const version of [0, 3, 5]) {
      const described = await call(DescribeGroupsApi, version, { groups: ['g', 'nobody'], includeAuthorizedOperations: true });
      const [g, nobody] = described.groups;
      expect(g).toMatchObject({ errorCode: ErrorCode.NONE, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
      expect(g.members).toEqual([
        {
          memberId: a.memberId,
          groupInstanceId: null,
          clientId: 'wire-test',
          clientHost: '/127.0.0.1',
          memberMetadata: ORDERS,
          memberAssignment: encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [0, 1, 2, 3, 4, 5] }] }),
        },
      ]);
      expect(nobody).toMatchObject({ errorCode: ErrorCode.NONE, groupId: 'nobody', groupState: 'Dead', protocolType: '', protocolData: '', members: [] });
      if (version >= 3) expect(g.authorizedOperations).toBeGreaterThan(0);
    }
  });

  it('DeleteGroups answers per group: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, and deletes an idle group with its offsets', async () => {
    await stableGroup('busy');
    await call(OffsetCommitApi, 8, commitRequest('idle', -1, '', [['orders', 0, 1]]));
    const deleted = await call(DeleteGroupsApi, 2, { groupsNames: ['busy', 'nobody', 'idle'] });
    expect(deleted.results).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: 'idle', errorCode: ErrorCode.NONE },
    ]);
    expect(await store.exists('/consumers/idle')).toBeNull();
    const v0 = await call(DeleteGroupsApi, 0, { groupsNames: ['idle'] });
    expect(v0.results).toEqual([{ groupId: 'idle', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });

  it('OffsetDelete keeps offsets of topics the group subscribes to (GROUP_SUBSCRIBED_TO_TOPIC) and deletes the rest', async () => {
    const a = await stableGroup('g');
    await call(OffsetCommitApi, 8, commitRequest('g', a.generationId, a.memberId, [['orders', 0, 1], ['audit', 0, 2]]));
    const response = await call(OffsetDeleteApi, 0, {
      groupId: 'g',
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0 }] },
        { name: 'audit', partitions: [{ partitionIndex: 0 }, { partitionIndex: 7 }] },
      ],
    });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics).toEqual([
      { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      {
        name: 'audit',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE },
          { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ],
      },
    ]);
    expect(await store.exists('/consumers/g/offsets/audit/0')).toBeNull();
    expect((await store.get('/consumers/g/offsets/orders/0'))?.value).toMatchObject({ offset: 1 });
    const unknown = await call(OffsetDeleteApi, 0, { groupId: 'nobody', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] });
    expect(unknown).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] });
  });
});
