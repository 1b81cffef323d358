import { ErrorCode } from '../../protocol/errors/error-codes';
import type { PartitionState } from '../../zk/accessors/partition-state.accessor';
import { BadVersionError, ConnectionLossError } from '../../zk/metadata-store.errors';
import type { IsrStateStore } from './isr-manager';
import type { AppendOutcome } from './partition';
import type { FetchPartitionData } from './replica-manager';
import { batch, createDataPath, FakeMetadataView, type DataPathFixture } from './replica-manager.test-helpers';

const LAG_MS = 10_000;

/**
 * One partition state node with ZooKeeper's version semantics; `onSet` runs before each write
 * is checked. `loseNextAnswer` makes the next write fail with a connection loss, after
 * applying it or without, and the `failingReadBacks` reads after it fail the same way.
 */
class FakeStateStore implements IsrStateStore {
  state: PartitionState = { leader: 0, leaderEpoch: 0, isr: [0, 1, 2], controllerEpoch: 3, version: 0 };
  readonly writes: number[][] = [];
  onSet: (() => void) | undefined;
  loseNextAnswer: 'applied' | 'not applied' | undefined;
  failingReadBacks = 0;
  failingReads = 0;
  reads = 0;

  async get(): Promise<PartitionState | null> {
    this.reads++;
    if (this.failingReads > 0) {
      this.failingReads--;
      throw new ConnectionLossError('read lost', '/state');
    }
    return { ...this.state, isr: [...this.state.isr] };
  }

  async set(_topic: string, _partition: number, next: Omit<PartitionState, 'version'>, expectedVersion: number): Promise<number> {
    const hook = this.onSet;
    this.onSet = undefined;
    hook?.();
    const lost = this.loseNextAnswer;
    this.loseNextAnswer = undefined;
    if (lost) this.failingReads = this.failingReadBacks;
    if (lost === 'not applied') throw new ConnectionLossError('write lost before it reached the server', '/state');
    if (expectedVersion !== this.state.version) throw new BadVersionError('/state', expectedVersion, this.state.version);
    this.state = { ...next, isr: [...next.isr], version: this.state.version + 1 };
    this.writes.push([...next.isr]);
    if (lost === 'applied') throw new ConnectionLossError('answer lost after the write was applied', '/state');
    return this.state.version;
  }
}

/** Lets the ISR writes (promises on the fake store) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ISR on the leader (IsrManager with ReplicaManager)', () => {
  let fx: DataPathFixture;
  let store: FakeStateStore;
  let clock: number;

  beforeEach(() => {
    clock = 1_000_000;
    store = new FakeStateStore();
    const metadata = new FakeMetadataView(0);
    metadata.addBroker(1);
    metadata.addBroker(2);
    fx = createDataPath({ now: () => clock, replicaLagTimeMaxMs: LAG_MS, isrStore: store, minInsyncReplicas: 2 }, metadata);
    metadata.addTopic('t', 1, { replicas: [0, 1, 2], isr: [0, 1, 2] });
  });

  afterEach(async () => {
    await fx.close();
  });

  const partition = () => fx.replicas.getPartition('t', 0)!;
  const append = (count: number, acks = 1) => fx.replicas.appendRecords(acks, 5_000, [{ topic: 't', partition: 0, records: batch(count) }]);
  /** A follower's fetch, answered at once (maxWaitMs 0), so its effects are visible when it returns. */
  function followerFetch(replicaId: number, fetchOffset: number, lastFetchedEpoch = -1): FetchPartitionData {
    const answer = fx.replicas.fetch({
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch }],
    });
    if (answer instanceof Promise) throw new Error('a fetch with maxWaitMs 0 was parked');
    return answer[0];
  }

  it('moves the high watermark to the smallest log end in the ISR and answers acks=-1 once every member has the records', async () => {
    const acked = append(5, -1) as Promise<AppendOutcome[]>;
    expect(partition().highWatermark).toBe(0);
    followerFetch(1, 5);
    expect(partition().highWatermark).toBe(0);
    followerFetch(2, 3);
    expect(partition().highWatermark).toBe(3);
    followerFetch(2, 5);
    expect(partition().highWatermark).toBe(5);
    expect((await acked)[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    // Consumers never read past it; the follower reads the whole log.
    await append(2);
    const [consumer] = await fx.replicas.fetch({ replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, partitions: [{ topic: 't', partition: 0, fetchOffset: 5, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }] });
    expect(consumer.records.length).toBe(0);
    expect(followerFetch(1, 5).records.length).toBeGreaterThan(0);
  });

  it('drops a follower that has not caught up for replica.lag.time.max.ms, writing the state node with a version check', async () => {
    await append(5);
    followerFetch(1, 5);
    clock += LAG_MS + 1;
    followerFetch(1, 5);
    fx.replicas.maybeShrinkIsrs();
    expect(partition().isrChangePending).toBe(true);
    await settle();
    expect(store.state).toMatchObject({ leader: 0, leaderEpoch: 0, isr: [0, 1], controllerEpoch: 3, version: 1 });
    expect(partition().isr).toEqual([0, 1]);
    // Without the laggard the high watermark is the leader's and follower 1's log end.
    expect(partition().highWatermark).toBe(5);
  });

  it('keeps a silent follower in the ISR as long as it holds the whole log (an idle partition never shrinks)', async () => {
    await append(5);
    followerFetch(1, 5);
    followerFetch(2, 5);
    clock += LAG_MS * 3;
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(store.writes).toEqual([]);
    expect(partition().isr).toEqual([0, 1, 2]);
  });

  it('counts a follower that trails only by records appended between its fetches as caught up', async () => {
    let previousEnd = 0;
    for (let i = 0; i < 6; i++) {
      clock += LAG_MS / 2;
      await append(1);
      // Each fetch reaches the log end the leader had at the previous fetch, never the current one.
      followerFetch(1, previousEnd);
      followerFetch(2, previousEnd);
      previousEnd = partition().log.logEndOffset;
    }
    expect(partition().outOfSyncReplicas(LAG_MS)).toEqual([]);
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(store.writes).toEqual([]);
    // A follower that stops fetching falls out once the lag time has passed since it was last caught up.
    const end = partition().log.logEndOffset;
    followerFetch(1, end);
    clock += LAG_MS + 1;
    await append(1);
    followerFetch(1, end + 1);
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(store.writes).toEqual([[0, 1]]);
  });

  it('takes a follower back once it reaches the high watermark, counting it for the high watermark while the write is out', async () => {
    fx.metadata.updatePartition('t', 0, { leaderEpoch: 1, isr: [0, 1] });
    store.state = { ...store.state, leaderEpoch: 1, isr: [0, 1], version: 4 };
    await append(6);
    followerFetch(1, 6);
    expect(partition().highWatermark).toBe(6);
    await append(2);
    followerFetch(2, 4);
    expect(partition().isrChangePending).toBe(false);
    let hwDuringWrite = -1;
    store.onSet = () => {
      // Follower 1 reaches the log end while follower 2's admission is being written.
      followerFetch(1, 8);
      hwDuringWrite = partition().highWatermark;
    };
    followerFetch(2, 6);
    expect(partition().isrChangePending).toBe(true);
    await settle();
    // Follower 2 at 6 held the HW though the ISR without it had reached 8.
    expect(hwDuringWrite).toBe(6);
    expect(store.state).toMatchObject({ isr: [0, 1, 2], leaderEpoch: 1, version: 5 });
    expect(partition().isr).toEqual([0, 1, 2]);
    followerFetch(2, 8);
    expect(partition().highWatermark).toBe(8);
  });

  it('gives up an ISR change when the controller moved on to a newer epoch meanwhile, keeping it pending until the metadata says so', async () => {
    await append(5);
    clock += LAG_MS + 1;
    store.onSet = () => {
      store.state = { leader: 1, leaderEpoch: 1, isr: [1, 2], controllerEpoch: 4, version: store.state.version + 1 };
    };
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(store.state).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2] });
    expect(store.writes).toEqual([]);
    expect(partition().isrChangePending).toBe(true);
    fx.metadata.updatePartition('t', 0, { leader: 1, leaderEpoch: 1, isr: [1, 2] });
    expect(partition().isLeader).toBe(false);
    expect(partition().isrChangePending).toBe(false);
  });

  describe('when the answer to an ISR write is lost', () => {
    /** Leader 0 of epoch 1 with ISR [0, 1] at 6; follower 2 reaches 6 and its admission is written. */
    async function expandWithLostAnswer(lost: 'applied' | 'not applied', failingReads: number): Promise<void> {
      fx.metadata.updatePartition('t', 0, { leaderEpoch: 1, isr: [0, 1] });
      store.state = { ...store.state, leaderEpoch: 1, isr: [0, 1], version: 4 };
      await append(6);
      followerFetch(1, 6);
      followerFetch(2, 4);
      store.loseNextAnswer = lost;
      store.failingReadBacks = failingReads;
      followerFetch(2, 6);
      await settle();
    }

    /** The leader and follower 1 reach 9 while follower 2 stays at 6. */
    async function othersMoveOn(): Promise<void> {
      await append(3);
      followerFetch(1, 9);
    }

    it('keeps the proposed ISR pending while the node cannot be read, so the high watermark waits for the member being added', async () => {
      await expandWithLostAnswer('applied', 1);
      expect(store.state).toMatchObject({ isr: [0, 1, 2], version: 5 });
      expect(partition().isrChangePending).toBe(true);
      expect(partition().isr).toEqual([0, 1]);
      await othersMoveOn();
      // ISR [0, 1] alone would allow 9; ZooKeeper's [0, 1, 2] makes follower 2 electable.
      expect(partition().highWatermark).toBe(6);
      // The periodic check reads the node back and finds the write landed: committed, not written again.
      fx.replicas.maybeShrinkIsrs();
      await settle();
      expect(partition().isrChangePending).toBe(false);
      expect(partition().isr).toEqual([0, 1, 2]);
      expect(store.writes).toEqual([[0, 1, 2]]);
      expect(partition().highWatermark).toBe(6);
      followerFetch(2, 9);
      expect(partition().highWatermark).toBe(9);
    });

    it('commits at once when the read-back shows the write landed', async () => {
      await expandWithLostAnswer('applied', 0);
      expect(store.reads).toBe(2);
      expect(partition().isrChangePending).toBe(false);
      expect(partition().isr).toEqual([0, 1, 2]);
      expect(store.writes).toEqual([[0, 1, 2]]);
    });

    it('writes the change again once a read-back shows the node still holds the old ISR', async () => {
      await expandWithLostAnswer('not applied', 1);
      expect(store.state).toMatchObject({ isr: [0, 1], version: 4 });
      expect(partition().isrChangePending).toBe(true);
      await othersMoveOn();
      expect(partition().highWatermark).toBe(6);
      // A second check while the read-back is out does not start another.
      store.failingReads = 1;
      const readsBefore = store.reads;
      fx.replicas.maybeShrinkIsrs();
      fx.replicas.maybeShrinkIsrs();
      await settle();
      expect(store.reads).toBe(readsBefore + 1);
      expect(partition().isrChangePending).toBe(true);
      expect(partition().highWatermark).toBe(6);
      fx.replicas.maybeShrinkIsrs();
      await settle();
      await settle();
      expect(store.writes).toEqual([[0, 1, 2]]);
      expect(store.state).toMatchObject({ isr: [0, 1, 2], version: 5 });
      expect(partition().isr).toEqual([0, 1, 2]);
      expect(partition().highWatermark).toBe(6);
    });

    it('reads back a one-member ISR\'s expansion too (the periodic check does not skip it)', async () => {
      fx.metadata.updatePartition('t', 0, { leaderEpoch: 1, isr: [0] });
      store.state = { ...store.state, leaderEpoch: 1, isr: [0], version: 4 };
      await append(4);
      store.loseNextAnswer = 'applied';
      store.failingReadBacks = 1;
      followerFetch(1, 4);
      await settle();
      await append(2);
      expect(partition().highWatermark).toBe(4);
      fx.replicas.maybeShrinkIsrs();
      await settle();
      expect(partition().isr).toEqual([0, 1]);
      expect(partition().highWatermark).toBe(4);
    });

    it('keeps the proposal pending when the node names a new leader, until the metadata makes this broker a follower', async () => {
      store.onSet = () => {
        // The write lands, then the controller elects follower 2 from ZooKeeper's ISR [0, 1, 2].
        queueMicrotask(() => {
          store.state = { leader: 2, leaderEpoch: 2, isr: [1, 2], controllerEpoch: 4, version: store.state.version + 1 };
        });
      };
      await expandWithLostAnswer('applied', 0);
      await othersMoveOn();
      expect(partition().isrChangePending).toBe(true);
      expect(partition().highWatermark).toBe(6);
      fx.metadata.updatePartition('t', 0, { leader: 2, leaderEpoch: 2, isr: [1, 2] });
      expect(partition().isLeader).toBe(false);
      expect(partition().isrChangePending).toBe(false);
    });
  });

  it('takes a version conflict whose node already holds the proposal as written', async () => {
    fx.metadata.updatePartition('t', 0, { leaderEpoch: 1, isr: [0, 1] });
    store.state = { ...store.state, leaderEpoch: 1, isr: [0, 1], version: 4 };
    await append(6);
    followerFetch(1, 6);
    followerFetch(2, 4);
    const changes: string[] = [];
    fx.replicas.setIsrChangeListener({ onIsrChange: (kind) => changes.push(kind) });
    // Our earlier write of the same ISR landed (its answer lost) after the version we read.
    store.onSet = () => {
      store.state = { ...store.state, isr: [0, 1, 2], version: 5 };
    };
    followerFetch(2, 6);
    await settle();
    await settle();
    expect(store.writes).toEqual([]);
    expect(store.state).toMatchObject({ isr: [0, 1, 2], version: 5 });
    expect(partition().isrChangePending).toBe(false);
    expect(partition().isr).toEqual([0, 1, 2]);
    expect(changes).toEqual(['expand']);
  });

  it('reads the node again after a conflict in the same epoch and decides from what it says', async () => {
    await append(5);
    followerFetch(1, 5);
    clock += LAG_MS + 1;
    followerFetch(1, 5);
    // Our own earlier write whose answer was lost: the node already says [0, 1, 2] at a newer version.
    store.onSet = () => {
      store.state = { ...store.state, version: store.state.version + 1 };
    };
    fx.replicas.maybeShrinkIsrs();
    await settle();
    await settle();
    expect(store.writes).toEqual([[0, 1]]);
    expect(store.state.version).toBe(2);
    expect(partition().isr).toEqual([0, 1]);
  });

  it('decides from the node instead of writing over it when it holds an ISR other than the one the proposal was made from', async () => {
    await append(5);
    followerFetch(1, 5);
    followerFetch(2, 3);
    clock += LAG_MS + 1;
    followerFetch(1, 5);
    // An earlier shrink of ours to [0, 1] landed though we never heard: the node differs from our [0, 1, 2].
    store.state = { ...store.state, isr: [0, 1], version: 3 };
    fx.replicas.maybeShrinkIsrs();
    await settle();
    await settle();
    // It is the proposal itself: taken as written, not written again over a version it never saw.
    expect(store.writes).toEqual([]);
    expect(store.state).toMatchObject({ isr: [0, 1], version: 3 });
    expect(partition().isr).toEqual([0, 1]);
    expect(partition().isrChangePending).toBe(false);
  });

  it('answers NOT_ENOUGH_REPLICAS below min.insync.replicas, and NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank while it waited', async () => {
    const waiting = append(1, -1) as Promise<AppendOutcome[]>;
    clock += LAG_MS + 1;
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(partition().isr).toEqual([0]);
    expect((await waiting)[0].errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    expect(((await append(1, -1)) as AppendOutcome[])[0].errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(((await append(1, 1)) as AppendOutcome[])[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('starts a new leadership with the ISR the metadata gives and every member allowed the full lag time', async () => {
    await append(3);
    fx.metadata.updatePartition('t', 0, { leaderEpoch: 2, isr: [0, 2] });
    store.state = { ...store.state, leaderEpoch: 2, isr: [0, 2], version: 7 };
    expect(partition().isr).toEqual([0, 2]);
    expect(partition().leaderEpochStartOffset).toBe(3);
    expect(partition().log.leaderEpochs.latestEpoch).toBe(2);
    clock += LAG_MS - 1;
    fx.replicas.maybeShrinkIsrs();
    await settle();
    expect(store.writes).toEqual([]);
    // Follower 1 at the HW but below where epoch 2 started may not rejoin yet.
    followerFetch(1, 0);
    await settle();
    expect(store.writes).toEqual([]);
    followerFetch(1, 3);
    await settle();
    expect(store.writes).toEqual([[0, 2, 1]]);
  });

  it('tells a follower whose last fetched epoch ended earlier here where its log diverged', async () => {
    await append(4);
    fx.metadata.updatePartition('t', 0, { leaderEpoch: 3 });
    await append(2);
    // The follower has epoch 0 up to offset 6 (records this leader never had past 4).
    const data = followerFetch(1, 6, 0);
    expect(data).toMatchObject({ errorCode: ErrorCode.NONE, divergingEpoch: { epoch: 0, endOffset: 4 } });
    expect(data.records.length).toBe(0);
    expect(followerFetch(1, 4, 0).divergingEpoch).toBeUndefined();
  });
});
