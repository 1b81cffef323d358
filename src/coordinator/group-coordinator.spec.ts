import { Logger } from '@nestjs/common';
import { BrokerConfig } from '../config/broker.config';
import { encodeAssignment, encodeSubscription } from '../protocol/consumer-protocol';
import { ErrorCode } from '../protocol/errors/error-codes';
import { EmbeddedMetadataStore } from '../zk/embedded-metadata-store';
import { GroupState, type GroupProtocol, type JoinOutcome, type SyncOutcome } from './consumer-group';
import { ConsumerRegistryPublisher } from './consumer-registry-publisher';
import type { CoordinatorCluster, CoordinatorClusterChange } from './coordinator-cluster';
import { GroupCoordinator, type JoinGroupParams } from './group-coordinator.service';
import { LOST_GROUP_RECHECK_MS } from './group-loading';
import { GroupStateStore } from './group-state-store';
import { OffsetStore } from './offset-store';

/** The cluster as the coordinator sees it, steered by the test. */
class FakeCluster implements CoordinatorCluster {
  local = true;
  readonly partitions = new Map<string, number>([
    ['orders', 6],
    ['audit', 2],
  ]);
  private readonly listeners = new Set<(change: CoordinatorClusterChange) => void>();

  isLocalCoordinator(): boolean {
    return this.local;
  }

  partitionCount(topic: string): number {
    return this.partitions.get(topic) ?? 0;
  }

  onChange(listener: (change: CoordinatorClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: CoordinatorClusterChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

interface Fixture {
  store: EmbeddedMetadataStore;
  config: BrokerConfig;
  cluster: FakeCluster;
  offsets: OffsetStore;
  publisher: ConsumerRegistryPublisher;
  states: GroupStateStore;
  coordinator: GroupCoordinator;
}

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;
const START = 1_700_000_000_000;

/** A coordinator over `store`, or over a new embedded store of its own. */
async function createFixture(overrides: Partial<BrokerConfig> = {}, shared?: EmbeddedMetadataStore): Promise<Fixture> {
  const store = shared ?? (await EmbeddedMetadataStore.open());
  const config = Object.assign(new BrokerConfig(), { groupInitialRebalanceDelayMs: 0 }, overrides);
  const cluster = new FakeCluster();
  const offsets = new OffsetStore(store);
  const publisher = new ConsumerRegistryPublisher(store);
  const states = new GroupStateStore(store);
  const coordinator = new GroupCoordinator(config, cluster, offsets, publisher, states);
  coordinator.onModuleInit();
  return { store, config, cluster, offsets, publisher, states, coordinator };
}

const subscribe = (topics: string[], userData?: string): Buffer =>
  encodeSubscription({ topics, userData: userData === undefined ? null : Buffer.from(userData) });
const assign = (topic: string, partitions: number[]): Buffer => encodeAssignment({ assignedPartitions: [{ topic, partitions }] });
const RANGE_ORDERS: GroupProtocol = { name: 'range', metadata: subscribe(['orders']) };

function joinParams(groupId: string, overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'app',
    clientHost: '/10.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [RANGE_ORDERS],
    requireKnownMemberId: false,
    supportsSkipAssignment: false,
    ...overrides,
  };
}

/** Lets store writes and other promise chains run; setImmediate is left real for this. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise whose outcome can be checked without awaiting it. */
interface Watched<T> {
  readonly done: boolean;
  readonly value: T | undefined;
  readonly promise: Promise<T>;
}

function watch<T>(value: Promise<T> | T): Watched<T> {
  const state = { done: false, value: undefined as T | undefined, promise: Promise.resolve(value) };
  void state.promise.then((v) => {
    state.done = true;
    state.value = v;
  });
  return state;
}

/**
 * Forms a group through the real join protocol with the initial delay off: the first
 * member gets generation 1 alone, the others join (which starts a rebalance) and the
 * first rejoins, so all of them land in one generation with the first as leader.
 */
async function formGroup(fx: Fixture, groupId: string, members: Partial<JoinGroupParams>[]): Promise<JoinOutcome[]> {
  const first = await fx.coordinator.join(joinParams(groupId, members[0]));
  expect(first.errorCode).toBe(ErrorCode.NONE);
  if (members.length === 1) return [first];
  const others = members.slice(1).map((m) => fx.coordinator.join(joinParams(groupId, m)));
  const rejoin = fx.coordinator.join(joinParams(groupId, { ...members[0], memberId: first.memberId }));
  const outcomes = await Promise.all([rejoin, ...others]);
  for (const o of outcomes) expect(o.errorCode).toBe(ErrorCode.NONE);
  return outcomes;
}

/** SyncGroup for every member, the leader handing in `assignments` (by member index). */
async function syncAll(fx: Fixture, groupId: string, joined: JoinOutcome[], assignments: Buffer[]): Promise<SyncOutcome[]> {
  const leaderIndex = joined.findIndex((j) => j.memberId === j.leader);
  const calls = joined.map((j, i) =>
    fx.coordinator.sync({
      groupId,
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: j.protocolName,
      assignments: i === leaderIndex ? joined.map((m, k) => ({ memberId: m.memberId, assignment: assignments[k] })) : [],
    }),
  );
  return Promise.all(calls);
}

async function stableGroup(fx: Fixture, groupId: string, members: Partial<JoinGroupParams>[], assignments?: Buffer[]): Promise<JoinOutcome[]> {
  const joined = await formGroup(fx, groupId, members);
  const synced = await syncAll(fx, groupId, joined, assignments ?? joined.map(() => Buffer.alloc(0)));
  for (const s of synced) expect(s.errorCode).toBe(ErrorCode.NONE);
  return joined;
}

/** At once for a loaded group (what most cases check), a promise while it loads. */
const heartbeat = (fx: Fixture, groupId: string, m: { memberId: string; generationId: number }, groupInstanceId: string | null = null): ErrorCode | Promise<ErrorCode> =>
  fx.coordinator.heartbeat(groupId, m.generationId, { memberId: m.memberId, groupInstanceId });

const stateOf = async (fx: Fixture, groupId: string): Promise<GroupState> => (await fx.coordinator.describeGroup(groupId)).state;

describe('GroupCoordinator', () => {
  let fx: Fixture;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'], now: START });
  });

  afterEach(async () => {
    fx.coordinator.onModuleDestroy();
    await fx.publisher.settled();
    await fx.store.close();
    jest.useRealTimers();
  });

  describe('joining', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('makes the first member leader: it alone gets every member with its metadata', async () => {
      const [a, b, c] = await formGroup(fx, 'g', [
        { clientId: 'a', protocols: [{ name: 'range', metadata: subscribe(['orders'], 'a') }] },
        { clientId: 'b', protocols: [{ name: 'range', metadata: subscribe(['orders'], 'b') }] },
        { clientId: 'c', protocols: [{ name: 'range', metadata: subscribe(['orders', 'audit'], 'c') }] },
      ]);
      expect(a.generationId).toBe(2);
      for (const o of [a, b, c]) expect(o).toMatchObject({ leader: a.memberId, generationId: a.generationId, protocolType: 'consumer', protocolName: 'range' });
      expect(new Set([a.memberId, b.memberId, c.memberId]).size).toBe(3);
      expect(a.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId, c.memberId].sort());
      expect(a.members.find((m) => m.memberId === c.memberId)!.metadata).toEqual(subscribe(['orders', 'audit'], 'c'));
      expect(b.members).toEqual([]);
      expect(c.members).toEqual([]);
      expect(await stateOf(fx, 'g')).toBe(GroupState.CompletingRebalance);
    });

    it('chooses a protocol every member supports, by each member voting for its most preferred one', async () => {
      const proto = (name: string, who: string): GroupProtocol => ({ name, metadata: subscribe(['orders'], `${name}-${who}`) });
      const [a, b, c] = await formGroup(fx, 'g', [
        { protocols: [proto('range', 'a'), proto('roundrobin', 'a')] },
        { protocols: [proto('roundrobin', 'b'), proto('range', 'b')] },
        // sticky is C's favourite, but not everyone supports it.
        { protocols: [proto('sticky', 'c'), proto('roundrobin', 'c'), proto('range', 'c')] },
      ]);
      expect([a.protocolName, b.protocolName, c.protocolName]).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
      // The leader gets each member's metadata for the chosen protocol.
      const metadata = new Map(a.members.map((m) => [m.memberId, m.metadata]));
      expect(metadata.get(b.memberId)).toEqual(subscribe(['orders'], 'roundrobin-b'));
      expect(metadata.get(c.memberId)).toEqual(subscribe(['orders'], 'roundrobin-c'));
    });

    it('refuses a member that shares no protocol, or another protocol type, with INCONSISTENT_GROUP_PROTOCOL and leaves the group alone', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      const noneShared = await fx.coordinator.join(joinParams('g', { protocols: [{ name: 'roundrobin', metadata: subscribe(['orders']) }] }));
      expect(noneShared).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId: '', generationId: -1 });
      const otherType = await fx.coordinator.join(joinParams('g', { protocolType: 'connect' }));
      expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const noProtocols = await fx.coordinator.join(joinParams('fresh', { protocols: [] }));
      expect(noProtocols.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
    });

    it('answers INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms, bounds included as valid', async () => {
      fx.coordinator.onModuleDestroy();
      await fx.store.close();
      fx = await createFixture({ groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 60_000 });
      const tooShort = await fx.coordinator.join(joinParams('g', { sessionTimeoutMs: 5999 }));
      const tooLong = await fx.coordinator.join(joinParams('g', { sessionTimeoutMs: 60_001 }));
      expect([tooShort.errorCode, tooLong.errorCode]).toEqual([ErrorCode.INVALID_SESSION_TIMEOUT, ErrorCode.INVALID_SESSION_TIMEOUT]);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Dead);
      const atMin = await fx.coordinator.join(joinParams('g', { sessionTimeoutMs: 6000 }));
      const atMax = await fx.coordinator.join(joinParams('h', { sessionTimeoutMs: 60_000 }));
      expect([atMin.errorCode, atMax.errorCode]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    });

    it('hands a new member an id with MEMBER_ID_REQUIRED (v4+), admits it when it rejoins with that id, and forgets an id never used', async () => {
      const first = await fx.coordinator.join(joinParams('g', { requireKnownMemberId: true }));
      expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      expect(first.memberId).toMatch(/^app-/);
      expect(first.generationId).toBe(-1);
      const rejoin = await fx.coordinator.join(joinParams('g', { requireKnownMemberId: true, memberId: first.memberId }));
      expect(rejoin).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId, leader: first.memberId, generationId: 1 });

      const unused = await fx.coordinator.join(joinParams('other', { requireKnownMemberId: true }));
      expect(unused.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      await jest.advanceTimersByTimeAsync(SESSION_MS);
      const late = await fx.coordinator.join(joinParams('other', { requireKnownMemberId: true, memberId: unused.memberId }));
      expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });

    it('rebalances a Stable group when a second member joins: heartbeats say REBALANCE_IN_PROGRESS, the generation advances', async () => {
      const [a] = await stableGroup(fx, 'g', [{ clientId: 'a' }]);
      expect(a.generationId).toBe(1);
      const bJoin = watch(fx.coordinator.join(joinParams('g', { clientId: 'b' })));
      await settle();
      expect(bJoin.done).toBe(false);
      expect(await stateOf(fx, 'g')).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const aJoin = await fx.coordinator.join(joinParams('g', { clientId: 'a', memberId: a.memberId }));
      const b = await bJoin.promise;
      expect(aJoin).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a.memberId });
      expect(b).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a.memberId, members: [] });
      expect(aJoin.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
      // The old generation is over for everyone.
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(heartbeat(fx, 'g', aJoin)).toBe(ErrorCode.NONE);
    });
  });

  describe('syncing', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it("holds followers' SyncGroup until the leader hands in the assignment, then gives each its own", async () => {
      const [a, b, c] = await formGroup(fx, 'g', [{}, {}, {}]);
      const sync = (m: JoinOutcome, assignments: { memberId: string; assignment: Buffer }[] = []) =>
        watch(fx.coordinator.sync({ groupId: 'g', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments }));
      const bSync = sync(b);
      const cSync = sync(c);
      await settle();
      expect([bSync.done, cSync.done]).toEqual([false, false]);
      expect(heartbeat(fx, 'g', b)).toBe(ErrorCode.NONE);
      const aSync = sync(a, [
        { memberId: a.memberId, assignment: assign('orders', [0, 1]) },
        { memberId: b.memberId, assignment: assign('orders', [2, 3]) },
        { memberId: c.memberId, assignment: assign('orders', [4, 5]) },
      ]);
      expect(await aSync.promise).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range', assignment: assign('orders', [0, 1]) });
      expect((await bSync.promise).assignment).toEqual(assign('orders', [2, 3]));
      expect((await cSync.promise).assignment).toEqual(assign('orders', [4, 5]));
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
      // A repeated SyncGroup in a Stable group is answered at once with the same assignment.
      expect((await sync(b).promise).assignment).toEqual(assign('orders', [2, 3]));
    });

    it('answers SyncGroup with a wrong generation ILLEGAL_GENERATION and from a stranger UNKNOWN_MEMBER_ID', async () => {
      const [a] = await formGroup(fx, 'g', [{}]);
      const base = { groupId: 'g', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] };
      expect((await fx.coordinator.sync({ ...base, generationId: a.generationId + 1, memberId: a.memberId })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await fx.coordinator.sync({ ...base, generationId: a.generationId, memberId: 'stranger' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await fx.coordinator.sync({ ...base, groupId: 'nope', generationId: 1, memberId: a.memberId })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });
  });

  describe('timeouts', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('removes a member silent for session.timeout.ms and rebalances the rest', async () => {
      const [a, b] = await stableGroup(fx, 'g', [{}, {}]);
      await jest.advanceTimersByTimeAsync(SESSION_MS / 2);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      await jest.advanceTimersByTimeAsync(SESSION_MS / 2 - 1);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
      await jest.advanceTimersByTimeAsync(1);
      expect(await stateOf(fx, 'g')).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(heartbeat(fx, 'g', b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const again = await fx.coordinator.join(joinParams('g', { memberId: a.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1, leader: a.memberId });
      expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
    });

    it('expels a member that keeps heartbeating but does not rejoin within the rebalance timeout', async () => {
      const [a, b] = await stableGroup(fx, 'g', [{}, {}]);
      const cJoin = watch(fx.coordinator.join(joinParams('g', { clientId: 'c' })));
      const aJoin = watch(fx.coordinator.join(joinParams('g', { memberId: a.memberId })));
      for (let elapsed = 0; elapsed < REBALANCE_MS - 3000; elapsed += 3000) {
        await jest.advanceTimersByTimeAsync(3000);
        expect(heartbeat(fx, 'g', b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      }
      await jest.advanceTimersByTimeAsync(2999);
      expect([aJoin.done, cJoin.done]).toEqual([false, false]);
      await jest.advanceTimersByTimeAsync(1);
      const [aNext, c] = [await aJoin.promise, await cJoin.promise];
      expect(aNext).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1, leader: a.memberId });
      expect(aNext.members.map((m) => m.memberId).sort()).toEqual([a.memberId, c.memberId].sort());
      expect(heartbeat(fx, 'g', b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });

    it('removes a leader that joined but never sent SyncGroup after the rebalance timeout; waiting followers are told to rejoin', async () => {
      // A session longer than the rebalance timeout, so only the sync deadline can remove anyone.
      const slow = { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 };
      const [a, b] = await formGroup(fx, 'g', [slow, slow]);
      const bSync = watch(fx.coordinator.sync({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }));
      await jest.advanceTimersByTimeAsync(19_999);
      expect(bSync.done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      // B did send SyncGroup: it stays in the group and its waiting request is answered, not dropped.
      expect(bSync.done).toBe(true);
      expect(bSync.value?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const again = await fx.coordinator.join(joinParams('g', { ...slow, memberId: b.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: b.generationId + 1, leader: b.memberId });
      expect(again.members.map((m) => m.memberId)).toEqual([b.memberId]);
    });

    it('removes a follower that joined but never sent SyncGroup after the rebalance timeout, though the leader made the group Stable', async () => {
      const slow = { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 };
      const [a, b] = await formGroup(fx, 'g', [slow, slow]);
      const aSync = await fx.coordinator.sync({
        groupId: 'g',
        generationId: a.generationId,
        memberId: a.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [
          { memberId: a.memberId, assignment: assign('orders', [0, 1, 2]) },
          { memberId: b.memberId, assignment: assign('orders', [3, 4, 5]) },
        ],
      });
      expect(aSync.errorCode).toBe(ErrorCode.NONE);
      await jest.advanceTimersByTimeAsync(19_999);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      await jest.advanceTimersByTimeAsync(1);
      // Kafka's pending-sync expiration covers CompletingRebalance and Stable alike.
      expect(heartbeat(fx, 'g', b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    });

    it('holds the first generation for group.initial.rebalance.delay.ms, extended while members keep arriving', async () => {
      fx.coordinator.onModuleDestroy();
      await fx.store.close();
      fx = await createFixture({ groupInitialRebalanceDelayMs: 3000 });
      const rebalance = { rebalanceTimeoutMs: 10_000 };
      const a = watch(fx.coordinator.join(joinParams('g', { ...rebalance, clientId: 'a' })));
      await jest.advanceTimersByTimeAsync(2000);
      const b = watch(fx.coordinator.join(joinParams('g', { ...rebalance, clientId: 'b' })));
      await jest.advanceTimersByTimeAsync(999);
      expect([a.done, b.done]).toEqual([false, false]);
      await jest.advanceTimersByTimeAsync(1); // 3000: B arrived during the delay, so it is extended by another 3000
      expect(a.done).toBe(false);
      await jest.advanceTimersByTimeAsync(2999);
      expect(a.done).toBe(false);
      await jest.advanceTimersByTimeAsync(1); // 6000: nobody new since 3000
      const [aOut, bOut] = [await a.promise, await b.promise];
      expect(aOut).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: aOut.memberId });
      expect(bOut).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: aOut.memberId });
      expect(aOut.members).toHaveLength(2);

      // Members arriving every 2.5 s keep extending it, but never past the rebalance timeout.
      const arrivals: Watched<JoinOutcome>[] = [];
      let clock = 0;
      for (const at of [0, 2500, 5000, 7500, 9500]) {
        await jest.advanceTimersByTimeAsync(at - clock);
        clock = at;
        arrivals.push(watch(fx.coordinator.join(joinParams('h', { ...rebalance, clientId: `m${at}` }))));
      }
      await jest.advanceTimersByTimeAsync(9999 - clock);
      expect(arrivals.some((j) => j.done)).toBe(false);
      await jest.advanceTimersByTimeAsync(1); // 10000
      const outcomes = await Promise.all(arrivals.map((j) => j.promise));
      expect(outcomes.map((o) => [o.errorCode, o.generationId])).toEqual(outcomes.map(() => [ErrorCode.NONE, 1]));
      expect(outcomes[0].members).toHaveLength(5);
    });
  });

  describe('leaving', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('rebalances when a member leaves; a stranger leaving gets UNKNOWN_MEMBER_ID', async () => {
      const [a, b] = await stableGroup(fx, 'g', [{}, {}]);
      expect(fx.coordinator.leave('g', [{ memberId: b.memberId, groupInstanceId: null }])).toEqual({ errorCode: ErrorCode.NONE, members: [ErrorCode.NONE] });
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const again = await fx.coordinator.join(joinParams('g', { memberId: a.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1 });
      expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
      expect((await fx.coordinator.leave('g', [{ memberId: 'stranger', groupInstanceId: null }])).members).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    });

    it('empties the group at once when its last member leaves, so it can be deleted right away', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      expect((await fx.coordinator.leave('g', [{ memberId: a.memberId, groupInstanceId: null }])).members).toEqual([ErrorCode.NONE]);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Empty);
      expect(await fx.coordinator.deleteGroup('g')).toBe(ErrorCode.NONE);
    });
  });

  describe('static membership', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('gives a restarted static member (same group.instance.id, no member id) its assignment without a rebalance and fences the old id', async () => {
      const [a, b] = await stableGroup(fx, 'g', [{ groupInstanceId: 'i-a' }, { groupInstanceId: 'i-b', clientHost: '/10.0.0.2' }], [assign('orders', [0, 1, 2]), assign('orders', [3, 4, 5])]);
      const restarted = await fx.coordinator.join(joinParams('g', { groupInstanceId: 'i-b', clientHost: '/10.0.0.3' }));
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: b.generationId, leader: a.memberId, members: [] });
      expect(restarted.memberId).not.toBe(b.memberId);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
      expect(heartbeat(fx, 'g', a, 'i-a')).toBe(ErrorCode.NONE);
      const synced = await fx.coordinator.sync({
        groupId: 'g',
        generationId: restarted.generationId,
        memberId: restarted.memberId,
        groupInstanceId: 'i-b',
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      });
      expect(synced).toMatchObject({ errorCode: ErrorCode.NONE, assignment: assign('orders', [3, 4, 5]) });
      // The old incarnation is fenced wherever it shows up.
      expect(heartbeat(fx, 'g', b, 'i-b')).toBe(ErrorCode.FENCED_INSTANCE_ID);
      expect(await fx.coordinator.commitOffsets('g', b.generationId, { memberId: b.memberId, groupInstanceId: 'i-b' }, [{ topic: 'orders', partition: 3, offset: 1, metadata: '' }])).toEqual([
        ErrorCode.FENCED_INSTANCE_ID,
      ]);
      expect(heartbeat(fx, 'g', restarted, 'i-b')).toBe(ErrorCode.NONE);
      // /consumers follows the new member id.
      await fx.publisher.settled();
      expect((await fx.store.children('/consumers/g/ids')).sort()).toEqual([a.memberId, restarted.memberId].sort());
      expect((await fx.store.get('/consumers/g/owners/orders/4'))?.value).toBe(restarted.memberId);
    });

    it('does not tell a restarted static leader before JoinGroup v9 that it leads; v9+ is told to skip the assignment', async () => {
      const [a, b] = await stableGroup(fx, 'g', [{ groupInstanceId: 'i-a' }, { groupInstanceId: 'i-b' }], [assign('orders', [0, 1, 2]), assign('orders', [3, 4, 5])]);
      const old = await fx.coordinator.join(joinParams('g', { groupInstanceId: 'i-a' }));
      expect(old).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId, skipAssignment: false, members: [] });
      // Kafka answers with the previous leader id so that the client does not run its assignor.
      expect(old.leader).not.toBe(old.memberId);
      const v9 = await fx.coordinator.join(joinParams('g', { groupInstanceId: 'i-a', supportsSkipAssignment: true }));
      expect(v9).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId, skipAssignment: true, leader: v9.memberId });
      expect(v9.members.map((m) => m.groupInstanceId).sort()).toEqual(['i-a', 'i-b']);
      expect(heartbeat(fx, 'g', b, 'i-b')).toBe(ErrorCode.NONE);
    });
    it('keeps a static member that is away during a rebalance in the next generation instead of expelling it', async () => {
      // Sessions outlast the rebalance timeout, as for a static member restarting.
      const slow = { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 };
      const [a] = await stableGroup(fx, 'g', [{ ...slow, groupInstanceId: 'i-a' }, { ...slow, groupInstanceId: 'i-b' }]);
      const cJoin = watch(fx.coordinator.join(joinParams('g', { ...slow, clientId: 'c' })));
      const aJoin = watch(fx.coordinator.join(joinParams('g', { ...slow, groupInstanceId: 'i-a', memberId: a.memberId })));
      await jest.advanceTimersByTimeAsync(20_000);
      const [aNext, c] = [await aJoin.promise, await cJoin.promise];
      expect(aNext).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1, leader: a.memberId });
      expect(c.errorCode).toBe(ErrorCode.NONE);
      expect(aNext.members.map((m) => m.groupInstanceId).sort()).toEqual(['i-a', 'i-b', null].sort());
    });
  });

  describe('offset commits', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    const entry = (partition: number, offset: number, metadata = '') => ({ topic: 'orders', partition, offset, metadata });

    it('stores commits at /consumers/{g}/offsets/{t}/{p} as {offset, metadata, commit_timestamp} and fetches them back', async () => {
      jest.setSystemTime(START + 1234);
      expect(await fx.coordinator.commitOffsets('manual', -1, { memberId: '', groupInstanceId: null }, [entry(0, 42, 'm'), entry(3, 7)])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
      expect((await fx.store.get('/consumers/manual/offsets/orders/0'))?.value).toEqual({ offset: 42, metadata: 'm', commit_timestamp: START + 1234 });
      expect((await fx.store.get('/consumers/manual/offsets/orders/3'))?.value).toEqual({ offset: 7, metadata: '', commit_timestamp: START + 1234 });
      const fetched = await fx.coordinator.fetchOffsets('manual', [{ name: 'orders', partitions: [0, 1, 3] }]);
      expect(fetched).toEqual({
        errorCode: ErrorCode.NONE,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partition: 0, offset: 42, metadata: 'm', errorCode: ErrorCode.NONE },
              { partition: 1, offset: -1, metadata: '', errorCode: ErrorCode.NONE },
              { partition: 3, offset: 7, metadata: '', errorCode: ErrorCode.NONE },
            ],
          },
        ],
      });
      expect((await fx.coordinator.fetchOffsets('manual', null)).topics).toEqual([
        {
          name: 'orders',
          partitions: [
            { partition: 0, offset: 42, metadata: 'm', errorCode: ErrorCode.NONE },
            { partition: 3, offset: 7, metadata: '', errorCode: ErrorCode.NONE },
          ],
        },
      ]);
    });

    it('allows generation -1 on an unknown or Empty group and refuses a positive generation on an unknown group with ILLEGAL_GENERATION', async () => {
      const anyone = { memberId: '', groupInstanceId: null };
      expect(await fx.coordinator.commitOffsets('unknown', -1, anyone, [entry(0, 1)])).toEqual([ErrorCode.NONE]);
      expect(await fx.coordinator.commitOffsets('unknown-2', 3, { memberId: 'm', groupInstanceId: null }, [entry(0, 1)])).toEqual([ErrorCode.ILLEGAL_GENERATION]);
      const [a] = await stableGroup(fx, 'g', [{}]);
      fx.coordinator.leave('g', [{ memberId: a.memberId, groupInstanceId: null }]);
      await jest.advanceTimersByTimeAsync(0);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Empty);
      expect(await fx.coordinator.commitOffsets('g', -1, anyone, [entry(1, 5)])).toEqual([ErrorCode.NONE]);
    });

    it('checks member and generation in an active group: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, and generation -1 is only for Empty groups', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      const as = { memberId: a.memberId, groupInstanceId: null };
      expect(await fx.coordinator.commitOffsets('g', a.generationId, as, [entry(0, 10)])).toEqual([ErrorCode.NONE]);
      expect(await fx.coordinator.commitOffsets('g', a.generationId + 1, as, [entry(0, 11)])).toEqual([ErrorCode.ILLEGAL_GENERATION]);
      expect(await fx.coordinator.commitOffsets('g', a.generationId, { memberId: 'stranger', groupInstanceId: null }, [entry(0, 12)])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
      expect(await fx.coordinator.commitOffsets('g', -1, { memberId: '', groupInstanceId: null }, [entry(0, 13)])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
      expect((await fx.offsets.fetch('g', 'orders', 0))?.offset).toBe(10);
    });

    it('answers REBALANCE_IN_PROGRESS to a current member in CompletingRebalance and accepts its commits while PreparingRebalance', async () => {
      const [a] = await formGroup(fx, 'g', [{}]);
      const as = { memberId: a.memberId, groupInstanceId: null };
      expect(await stateOf(fx, 'g')).toBe(GroupState.CompletingRebalance);
      expect(await fx.coordinator.commitOffsets('g', a.generationId, as, [entry(0, 1)])).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
      await syncAll(fx, 'g', [a], [assign('orders', [0])]);
      void fx.coordinator.join(joinParams('g', { clientId: 'b' }));
      expect(await stateOf(fx, 'g')).toBe(GroupState.PreparingRebalance);
      expect(await fx.coordinator.commitOffsets('g', a.generationId, as, [entry(0, 2)])).toEqual([ErrorCode.NONE]);
    });

    it('answers a member of a past generation ILLEGAL_GENERATION even while the group is CompletingRebalance', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      const bJoin = fx.coordinator.join(joinParams('g', { clientId: 'b' }));
      const aNext = await fx.coordinator.join(joinParams('g', { memberId: a.memberId }));
      await bJoin;
      expect(await stateOf(fx, 'g')).toBe(GroupState.CompletingRebalance);
      expect(await fx.coordinator.commitOffsets('g', a.generationId, { memberId: a.memberId, groupInstanceId: null }, [entry(0, 1)])).toEqual([ErrorCode.ILLEGAL_GENERATION]);
      expect(await fx.coordinator.commitOffsets('g', aNext.generationId, { memberId: 'stranger', groupInstanceId: null }, [entry(0, 1)])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    });

    it('refuses partitions the topic does not have and metadata over offset.metadata.max.bytes, per entry, committing the rest', async () => {
      const anyone = { memberId: '', groupInstanceId: null };
      const codes = await fx.coordinator.commitOffsets('g', -1, anyone, [
        entry(5, 50),
        entry(6, 60),
        { topic: 'missing', partition: 0, offset: 1, metadata: '' },
        entry(-1, 1),
        entry(1, 10, 'x'.repeat(4096)),
        entry(2, 20, 'x'.repeat(4097)),
      ]);
      expect(codes).toEqual([
        ErrorCode.NONE,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.NONE,
        ErrorCode.OFFSET_METADATA_TOO_LARGE,
      ]);
      expect(await fx.store.children('/consumers/g/offsets/orders')).toEqual(['1', '5']);
      expect(await fx.store.exists('/consumers/g/offsets/missing')).toBeNull();
    });

    it('takes the metadata limit from offset.metadata.max.bytes', async () => {
      fx.coordinator.onModuleDestroy();
      await fx.store.close();
      fx = await createFixture({ offsetMetadataMaxBytes: 16 });
      const codes = await fx.coordinator.commitOffsets('g', -1, { memberId: '', groupInstanceId: null }, [entry(0, 1, 'x'.repeat(16)), entry(1, 1, 'x'.repeat(17))]);
      expect(codes).toEqual([ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    });
  });

  describe('/consumers registry', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('publishes /consumers/{g}/ids/{member} and owners/{t}/{p} after each Stable generation', async () => {
      const [a, b] = await stableGroup(
        fx,
        'g',
        [
          { clientId: 'app-a', clientHost: '/10.0.0.1' },
          { clientId: 'app-b', clientHost: '/10.0.0.2', protocols: [{ name: 'range', metadata: subscribe(['orders', 'audit']) }] },
        ],
        [assign('orders', [0, 1, 2]), encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [3, 4, 5] }, { topic: 'audit', partitions: [0, 1] }] })],
      );
      await fx.publisher.settled();
      expect((await fx.store.children('/consumers/g/ids')).sort()).toEqual([a.memberId, b.memberId].sort());
      expect((await fx.store.get(`/consumers/g/ids/${a.memberId}`))?.value).toEqual({
        version: 1,
        subscription: { orders: 1 },
        pattern: 'static',
        timestamp: String(START),
        client_id: 'app-a',
        host: '/10.0.0.1',
      });
      expect((await fx.store.get(`/consumers/g/ids/${b.memberId}`))?.value).toMatchObject({ subscription: { orders: 1, audit: 1 }, client_id: 'app-b', host: '/10.0.0.2' });
      const owner = async (topic: string, p: number) => (await fx.store.get(`/consumers/g/owners/${topic}/${p}`))?.value;
      expect(await Promise.all([0, 1, 2, 3, 4, 5].map((p) => owner('orders', p)))).toEqual([a.memberId, a.memberId, a.memberId, b.memberId, b.memberId, b.memberId]);
      expect(await Promise.all([0, 1].map((p) => owner('audit', p)))).toEqual([b.memberId, b.memberId]);

      // B leaves; A takes everything in the next generation and /consumers follows.
      fx.coordinator.leave('g', [{ memberId: b.memberId, groupInstanceId: null }]);
      const aNext = await fx.coordinator.join(joinParams('g', { clientId: 'app-a', memberId: a.memberId }));
      await syncAll(fx, 'g', [aNext], [assign('orders', [0, 1, 2, 3, 4, 5])]);
      await fx.publisher.settled();
      expect(await fx.store.children('/consumers/g/ids')).toEqual([a.memberId]);
      expect(await Promise.all([0, 1, 2, 3, 4, 5].map((p) => owner('orders', p)))).toEqual(Array(6).fill(a.memberId));
      expect(await owner('audit', 0)).toBeUndefined();
    });
  });

  describe('cluster changes', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('rebalances when a subscribed topic gains partitions, not when another topic does', async () => {
      const [a] = await stableGroup(fx, 'g', [{}], [assign('orders', [0, 1, 2, 3, 4, 5])]);
      fx.cluster.partitions.set('audit', 4);
      fx.cluster.emit({ kind: 'partitions', topic: 'audit' });
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      fx.cluster.partitions.set('orders', 8);
      fx.cluster.emit({ kind: 'partitions', topic: 'orders' });
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const again = await fx.coordinator.join(joinParams('g', { memberId: a.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1 });
    });

    it("drops committed offsets of a deleted topic from the store and the cache, keeping the group's other topics", async () => {
      const anyone = { memberId: '', groupInstanceId: null };
      const commit = (topic: string) => fx.coordinator.commitOffsets('g', -1, anyone, [{ topic, partition: 0, offset: 5, metadata: '' }]);
      expect([...(await commit('orders')), ...(await commit('audit'))]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
      fx.cluster.partitions.delete('audit');
      fx.cluster.emit({ kind: 'topic-deleted', topic: 'audit' });
      await settle();
      expect(await fx.store.exists('/consumers/g/offsets/audit')).toBeNull();
      expect(await fx.offsets.fetch('g', 'audit', 0)).toBeUndefined();
      expect((await fx.offsets.fetch('g', 'orders', 0))?.offset).toBe(5);
    });

    it('answers NOT_COORDINATOR for groups another broker coordinates', async () => {
      fx.cluster.local = false;
      const someone = { memberId: 'm', groupInstanceId: null };
      expect((await fx.coordinator.join(joinParams('g'))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(heartbeat(fx, 'g', { memberId: 'm', generationId: 1 })).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await fx.coordinator.sync({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      expect((await fx.coordinator.leave('g', [someone])).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(await fx.coordinator.commitOffsets('g', -1, someone, [{ topic: 'orders', partition: 0, offset: 1, metadata: '' }])).toEqual([ErrorCode.NOT_COORDINATOR]);
      expect((await fx.coordinator.fetchOffsets('g', null)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await fx.coordinator.describeGroup('g')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(await fx.coordinator.deleteGroup('g')).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await fx.coordinator.deleteOffsets('g', [])).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    });

    it('unloads its groups when coordination moves away: pending joins get NOT_COORDINATOR, committed offsets and the generation stay in the store', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      expect(await fx.coordinator.commitOffsets('g', a.generationId, { memberId: a.memberId, groupInstanceId: null }, [{ topic: 'orders', partition: 2, offset: 99, metadata: '' }])).toEqual([
        ErrorCode.NONE,
      ]);
      const bJoin = fx.coordinator.join(joinParams('g', { clientId: 'b' }));
      fx.cluster.local = false;
      fx.cluster.emit({ kind: 'coordinators' });
      expect((await bJoin).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NOT_COORDINATOR);
      // Coordination comes back (say, the other broker died): the stored generation is resumed, offsets kept.
      fx.cluster.local = true;
      fx.cluster.emit({ kind: 'coordinators' });
      expect(await heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      expect((await fx.offsets.fetch('g', 'orders', 2))?.offset).toBe(99);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
    });
  });

  describe('taking a group over from another coordinator', () => {
    /** The coordinator that takes over: another instance over the same store (a failover). */
    let b: Fixture;

    beforeEach(async () => {
      fx = await createFixture();
    });

    afterEach(() => b?.coordinator.onModuleDestroy());

    /** A dies without a word: nothing of its memory reaches B but what it wrote to the store. */
    async function failOver(): Promise<Fixture> {
      fx.coordinator.onModuleDestroy();
      await fx.publisher.settled();
      b = await createFixture({}, fx.store);
      return b;
    }

    const commit = (f: Fixture, m: JoinOutcome, offset: number): Promise<ErrorCode[]> =>
      f.coordinator.commitOffsets('g', m.generationId, { memberId: m.memberId, groupInstanceId: null }, [{ topic: 'orders', partition: 0, offset, metadata: '' }]);

    it('persists each Stable generation at /consumers/{g}/generation with members, metadata and assignments', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{ clientId: 'app-a' }, { clientId: 'app-c', groupInstanceId: 'c-1' }], [assign('orders', [0, 1, 2]), assign('orders', [3, 4, 5])]);
      const node = (await fx.store.get<Record<string, unknown>>('/consumers/g/generation'))!.value;
      expect(node).toMatchObject({ version: 1, protocol_type: 'consumer', generation: a.generationId, protocol: 'range', leader: a.memberId, subscribed_partitions: { orders: 6 } });
      expect(node.members).toEqual(
        expect.arrayContaining([
          {
            member_id: c.memberId,
            group_instance_id: 'c-1',
            client_id: 'app-c',
            client_host: '/10.0.0.1',
            rebalance_timeout: REBALANCE_MS,
            session_timeout: SESSION_MS,
            subscription: RANGE_ORDERS.metadata.toString('base64'),
            assignment: assign('orders', [3, 4, 5]).toString('base64'),
          },
        ]),
      );
    });

    it('resumes the group Stable at the same generation: old members heartbeat and commit with NONE, DescribeGroups shows them', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{ clientId: 'app-a' }, { clientId: 'app-c' }], [assign('orders', [0, 1, 2]), assign('orders', [3, 4, 5])]);
      await failOver();
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
      expect(heartbeat(b, 'g', c)).toBe(ErrorCode.NONE);
      expect(await commit(b, c, 17)).toEqual([ErrorCode.NONE]);
      expect((await b.offsets.fetch('g', 'orders', 0))?.offset).toBe(17);
      const described = await b.coordinator.describeGroup('g');
      expect(described).toMatchObject({ errorCode: ErrorCode.NONE, state: GroupState.Stable, protocolType: 'consumer', protocolName: 'range' });
      expect(described.members.map((m) => [m.memberId, m.clientId, m.assignment]).sort()).toEqual(
        [
          [a.memberId, 'app-a', assign('orders', [0, 1, 2])],
          [c.memberId, 'app-c', assign('orders', [3, 4, 5])],
        ].sort(),
      );
      // A follower's SyncGroup (say, retried across the move) gets its assignment back without a rebalance.
      const resync = await b.coordinator.sync({ groupId: 'g', generationId: c.generationId, memberId: c.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
      expect(resync).toMatchObject({ errorCode: ErrorCode.NONE, assignment: assign('orders', [3, 4, 5]) });
      await b.publisher.settled();
      expect((await b.store.children('/consumers/g/ids')).sort()).toEqual([a.memberId, c.memberId].sort());
    });

    it('makes requests that arrive while the group loads wait for the load, which runs once', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{}, {}]);
      await failOver();
      const reads = jest.spyOn(b.store, 'get');
      const answers = await Promise.all([heartbeat(b, 'g', a), heartbeat(b, 'g', c), commit(b, a, 5), b.coordinator.describeGroup('g')]);
      expect(answers.slice(0, 3)).toEqual([ErrorCode.NONE, ErrorCode.NONE, [ErrorCode.NONE]]);
      expect(reads.mock.calls.filter(([path]) => path === '/consumers/g/generation')).toHaveLength(1);
    });

    it('expires a member that does not come back within its session timeout counted from the load, and rebalances', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{}, {}]);
      // Longer than a session passes before B loads the group (the first request); sessions start at the load.
      await failOver();
      await jest.advanceTimersByTimeAsync(SESSION_MS * 2);
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
      await jest.advanceTimersByTimeAsync(SESSION_MS - 1);
      expect(heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
      expect(await stateOf(b, 'g')).toBe(GroupState.Stable);
      await jest.advanceTimersByTimeAsync(1);
      expect(await stateOf(b, 'g')).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(b, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(heartbeat(b, 'g', c)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const again = await b.coordinator.join(joinParams('g', { memberId: a.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1, leader: a.memberId });
      expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
    });

    it('knows only members of the stored generation: others are UNKNOWN_MEMBER_ID, an old generation is ILLEGAL_GENERATION', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      await failOver();
      expect(await heartbeat(b, 'g', { memberId: 'never-joined', generationId: a.generationId })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(heartbeat(b, 'g', { memberId: a.memberId, generationId: a.generationId - 1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    });

    it('does not resume an Empty group with members: its last generation number carries on', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{}, {}]);
      await fx.coordinator.leave('g', [
        { memberId: a.memberId, groupInstanceId: null },
        { memberId: c.memberId, groupInstanceId: null },
      ]);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Empty);
      await failOver();
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(await b.coordinator.describeGroup('g')).toMatchObject({ state: GroupState.Empty, members: [] });
      expect(await b.coordinator.listGroups()).toEqual([{ groupId: 'g', protocolType: 'consumer', state: GroupState.Empty }]);
      const fresh = await b.coordinator.join(joinParams('g'));
      expect(fresh).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 2 });
    });

    it('resumes a restarted static member under its new member id, fencing the old one', async () => {
      const [a, c] = await stableGroup(fx, 'g', [{ groupInstanceId: 'i-a' }, { groupInstanceId: 'i-c' }], [assign('orders', [0, 1, 2]), assign('orders', [3, 4, 5])]);
      const restarted = await fx.coordinator.join(joinParams('g', { groupInstanceId: 'i-c' }));
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: c.generationId });
      await fx.states.settled('g');
      await failOver();
      expect(await heartbeat(b, 'g', restarted, 'i-c')).toBe(ErrorCode.NONE);
      expect(heartbeat(b, 'g', c, 'i-c')).toBe(ErrorCode.FENCED_INSTANCE_ID);
      expect(heartbeat(b, 'g', a, 'i-a')).toBe(ErrorCode.NONE);
      const described = await b.coordinator.describeGroup('g');
      expect(described.members.find((m) => m.memberId === restarted.memberId)).toMatchObject({ groupInstanceId: 'i-c', assignment: assign('orders', [3, 4, 5]) });
    });

    it('rebalances a resumed group whose subscribed topic grew while it moved', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      await failOver();
      b.cluster.partitions.set('orders', 8);
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const again = await b.coordinator.join(joinParams('g', { memberId: a.memberId }));
      expect(again).toMatchObject({ errorCode: ErrorCode.NONE, generationId: a.generationId + 1 });
    });

    it('answers COORDINATOR_NOT_AVAILABLE when the group cannot be read, and loads it on the next request', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      await failOver();
      jest.spyOn(b.store, 'get').mockRejectedValueOnce(new Error('store unreachable'));
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
    });

    it("fails a deposed coordinator's write once the new one has claimed the group; the deposed one then answers NOT_COORDINATOR", async () => {
      const [a, c] = await stableGroup(fx, 'g', [{}, {}]);
      // B takes over while A, cut off, still believes it coordinates the group.
      b = await createFixture({}, fx.store);
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
      // B moves the group on: C leaves, A rejoins and syncs generation N+1.
      await b.coordinator.leave('g', [{ memberId: c.memberId, groupInstanceId: null }]);
      const next = await b.coordinator.join(joinParams('g', { memberId: a.memberId }));
      await syncAll(b, 'g', [next], [assign('orders', [0, 1, 2, 3, 4, 5])]);
      // On A, C's leaving empties its copy of the generation too: the write is refused and A lets go.
      expect(heartbeat(fx, 'g', c)).toBe(ErrorCode.NONE);
      await fx.coordinator.leave('g', [{ memberId: c.memberId, groupInstanceId: null }]);
      const aRejoin = await fx.coordinator.join(joinParams('g', { memberId: a.memberId }));
      const aSync = await fx.coordinator.sync({ groupId: 'g', generationId: aRejoin.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a.memberId, assignment: assign('orders', [0]) }] });
      expect(aSync.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await fx.coordinator.describeGroup('g')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      // The store keeps B's generation; B goes on serving it.
      expect((await fx.store.get<{ generation: number }>('/consumers/g/generation'))!.value.generation).toBe(next.generationId);
      expect(heartbeat(b, 'g', next)).toBe(ErrorCode.NONE);
      // Once A's view of the brokers changes it may decide again (here: still not its group, by B's claim).
      fx.cluster.local = false;
      fx.cluster.emit({ kind: 'coordinators' });
      expect(heartbeat(fx, 'g', next)).toBe(ErrorCode.NOT_COORDINATOR);
    });

    it('takes a lost group up again after a while when its view still makes it the coordinator', async () => {
      const [a] = await stableGroup(fx, 'g', [{}]);
      // B claims the group; A's next write fails and A lets go, its view unchanged.
      b = await createFixture({}, fx.store);
      expect(await heartbeat(b, 'g', a)).toBe(ErrorCode.NONE);
      await fx.coordinator.leave('g', [{ memberId: a.memberId, groupInstanceId: null }]);
      await fx.states.settled('g');
      expect(heartbeat(fx, 'g', a)).toBe(ErrorCode.NOT_COORDINATOR);
      // B's view moves on (the group is not its own); A's never changes, so the mark must end by itself.
      b.cluster.local = false;
      b.cluster.emit({ kind: 'coordinators' });
      await jest.advanceTimersByTimeAsync(LOST_GROUP_RECHECK_MS - 1);
      expect(await heartbeat(fx, 'g', a)).toBe(ErrorCode.NOT_COORDINATOR);
      await jest.advanceTimersByTimeAsync(1);
      // A loads what B stored (the member is still there: A's leave never landed) and serves the group again.
      expect(await heartbeat(fx, 'g', a)).toBe(ErrorCode.NONE);
      expect(await stateOf(fx, 'g')).toBe(GroupState.Stable);
    });
  });

  describe('administration', () => {
    beforeEach(async () => {
      fx = await createFixture();
    });

    it('lists groups filtered by state, case-insensitively, including groups known only by stored offsets', async () => {
      await stableGroup(fx, 'stable', [{}]);
      await formGroup(fx, 'completing', [{}]);
      await fx.coordinator.commitOffsets('offsets-only', -1, { memberId: '', groupInstanceId: null }, [{ topic: 'orders', partition: 0, offset: 1, metadata: '' }]);
      const names = async (filter: string[]) => (await fx.coordinator.listGroups(filter)).map((g) => g.groupId).sort();
      expect(await names([])).toEqual(['completing', 'offsets-only', 'stable']);
      expect(await names(['stable'])).toEqual(['stable']);
      expect(await names(['Empty'])).toEqual(['offsets-only']);
      expect(await names(['CompletingRebalance', 'STABLE'])).toEqual(['completing', 'stable']);
      expect(await names(['Dead'])).toEqual([]);
      expect((await fx.coordinator.listGroups()).find((g) => g.groupId === 'stable')).toEqual({ groupId: 'stable', protocolType: 'consumer', state: GroupState.Stable });
    });

    it('describes an unknown group as Dead without an error, and a Stable one with metadata and assignments', async () => {
      expect(await fx.coordinator.describeGroup('nobody')).toEqual({ groupId: 'nobody', errorCode: ErrorCode.NONE, state: GroupState.Dead, protocolType: '', protocolName: '', members: [] });
      const [a] = await formGroup(fx, 'g', [{ clientId: 'app-a' }]);
      const completing = await fx.coordinator.describeGroup('g');
      expect(completing).toMatchObject({ state: GroupState.CompletingRebalance, protocolName: '' });
      expect(completing.members[0]).toMatchObject({ memberId: a.memberId, metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) });
      await syncAll(fx, 'g', [a], [assign('orders', [0])]);
      const stable = await fx.coordinator.describeGroup('g');
      expect(stable).toMatchObject({ errorCode: ErrorCode.NONE, state: GroupState.Stable, protocolType: 'consumer', protocolName: 'range' });
      expect(stable.members).toEqual([
        { memberId: a.memberId, groupInstanceId: null, clientId: 'app-a', clientHost: '/10.0.0.1', metadata: RANGE_ORDERS.metadata, assignment: assign('orders', [0]) },
      ]);
    });

    it('deletes only groups without members: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, and an offsets-only group with its tree', async () => {
      await stableGroup(fx, 'busy', [{}]);
      expect(await fx.coordinator.deleteGroup('busy')).toBe(ErrorCode.NON_EMPTY_GROUP);
      expect(await fx.coordinator.deleteGroup('nobody')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
      await fx.coordinator.commitOffsets('idle', -1, { memberId: '', groupInstanceId: null }, [{ topic: 'orders', partition: 0, offset: 1, metadata: '' }]);
      expect(await fx.coordinator.deleteGroup('idle')).toBe(ErrorCode.NONE);
      expect(await fx.store.exists('/consumers/idle')).toBeNull();
      expect((await fx.coordinator.fetchOffsets('idle', [{ name: 'orders', partitions: [0] }])).topics[0].partitions[0].offset).toBe(-1);
      expect(await fx.coordinator.deleteGroup('idle')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    });
  });
});
