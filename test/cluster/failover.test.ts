// Failover of three built brokers on the test ZooKeeper, broken the way production breaks:
// SIGKILL of each partition's leader in turn under an idempotent acks=all producer, SIGKILL
// of the controller, and a broker frozen (SIGSTOP) until its ZooKeeper session expires.
// Each time a replica from the ISR must take over within the session timeout plus 2 s,
// every acknowledged record must be there exactly once at gapless offsets, and the broker
// that comes back must rejoin as a follower and re-enter the ISR.
// (A killed broker restarted, catching up and rejoining the ISR on its own is in
// replication.test.ts; here it happens after every kill.)
import { ErrorCode } from '../../src/protocol';
import type { BrokerProcess } from '../support/broker-process';
import { ZkCluster, type PartitionState } from '../support/cluster-harness';
import { SequenceLoad } from '../support/cluster-load';
import { waitFor } from '../support/wait-for';

const SESSION_MS = 4_000;
/** The bound on a new leader after a broker dies: the session timeout plus 2 s. */
const TAKEOVER_MS = SESSION_MS + 2_000;
const LAG_MS = 1_500;
const REPLICAS = 3;
const PARTITIONS = 3;
const TOPIC_CONFIGS = { 'min.insync.replicas': '2' };

describe('failover of three brokers over ZooKeeper', () => {
  let cluster: ZkCluster;
  /** Every topic made so far and its partition count: each test leaves all of them fully replicated. */
  const topics = new Map<string, number>();
  const loads: SequenceLoad[] = [];

  beforeAll(async () => {
    cluster = await ZkCluster.start({
      size: REPLICAS,
      label: 'failover',
      settings: {
        'zookeeper.session.timeout.ms': SESSION_MS,
        'replica.lag.time.max.ms': LAG_MS,
        'replica.fetch.backoff.ms': 100,
        'auto.create.topics.enable': false,
      },
    });
  });

  afterAll(async () => {
    await Promise.all(loads.map((load) => load.abandon()));
    await cluster?.dispose();
  });

  async function createTopic(topic: string): Promise<void> {
    await cluster.createTopic(topic, PARTITIONS, REPLICAS, TOPIC_CONFIGS);
    topics.set(topic, PARTITIONS);
    await cluster.waitForFullIsrs(topics, REPLICAS);
  }

  function startLoad(topic: string, total: number, ratePerSecond: number, reserve = 0): SequenceLoad {
    const load = new SequenceLoad({ bootstrapServers: cluster.bootstrapServers, topic, partitions: PARTITIONS, tag: topic, total, ratePerSecond, reserve });
    loads.push(load);
    load.start();
    return load;
  }

  async function states(topic: string): Promise<PartitionState[]> {
    return Promise.all(Array.from({ length: PARTITIONS }, (_, p) => cluster.state(topic, p)));
  }

  /**
   * Kills `victim` with SIGKILL and waits for each partition it led to get a new leader;
   * checks that leader came from the ISR with a newer epoch and returns the slowest takeover.
   */
  async function killAndWaitForTakeover(victim: BrokerProcess): Promise<number> {
    const led: Array<[string, number, PartitionState]> = [];
    for (const topic of topics.keys()) {
      (await states(topic)).forEach((state, p) => {
        if (state.leader === victim.brokerId) led.push([topic, p, state]);
      });
    }
    const killedAt = Date.now();
    await victim.kill();
    let slowest = 0;
    await Promise.all(
      led.map(async ([topic, p, before]) => {
        const after = await cluster.waitForNewLeader(topic, p, before, TAKEOVER_MS + 5_000);
        slowest = Math.max(slowest, Date.now() - killedAt);
        expect(before.isr).toContain(after.leader);
        expect(after.isr).not.toContain(victim.brokerId);
        expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      }),
    );
    return slowest;
  }

  /**
   * Every acknowledged record is in its partition exactly once, at the offset it was
   * acknowledged with; offsets are gapless from 0; each partition holds its records in send
   * order and nothing that was not sent; every replica holds the same log end.
   */
  async function expectEveryAcknowledgedRecordOnce(topic: string, load: SequenceLoad, total: number): Promise<void> {
    expect(load.failures.map((f) => `${f.value}: ${f.error.message}`)).toEqual([]);
    expect(load.acknowledged.size).toBe(total);
    const seen = new Set<string>();
    for (let p = 0; p < PARTITIONS; p++) {
      const leader = cluster.byId((await cluster.state(topic, p)).leader);
      const expected = load.ackedOn(p);
      await waitFor(async () => (await cluster.highWatermark(leader, topic, p)) >= expected, { what: `the high watermark of ${topic}-${p} to reach ${expected}` });
      const { offsets, values } = await cluster.readPartition(leader, topic, p);
      expect(offsets).toEqual(values.map((_, i) => i));
      expect(values).toHaveLength(expected);
      let previousSeq = -1;
      values.forEach((value, offset) => {
        expect(seen.has(value)).toBe(false);
        seen.add(value);
        expect(load.acknowledged.get(value)).toEqual({ partition: p, offset });
        const seq = load.seqOf(value);
        expect(seq % PARTITIONS).toBe(p);
        expect(seq).toBeGreaterThan(previousSeq);
        previousSeq = seq;
      });
      await waitFor(async () => (await Promise.all(cluster.brokers.map((b) => cluster.logEnd(b, topic, p)))).every((end) => end === expected), {
        what: `every replica of ${topic}-${p} to end at ${expected}`,
      });
    }
    expect(seen.size).toBe(total);
  }

  it('loses no acknowledged record of 50,000 from an idempotent acks=all producer while each partition\'s leader is killed in turn', async () => {
    const topic = 'failover-kills';
    const total = 50_000;
    await createTopic(topic);
    // Paced so the kills happen mid-stream; the last 5,000 wait until they are over.
    const load = startLoad(topic, total, 2_500, 5_000);
    const takeovers: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      await load.waitForProgress(p, load.ackedOn(p), 500);
      const victim = cluster.byId((await cluster.state(topic, p)).leader);
      takeovers.push(await killAndWaitForTakeover(victim));
      // Records go on being acknowledged by the new leader while the old one is down.
      await load.waitForProgress(p, load.ackedOn(p), 500);
      await victim.restart();
      // Back in every ISR, so the next kill still leaves min.insync.replicas in sync.
      await cluster.waitForFullIsrs(topics, REPLICAS);
    }
    expect(load.sentCount).toBeLessThan(total);
    await load.finish();
    for (const ms of takeovers) expect(ms).toBeLessThan(TAKEOVER_MS);
    await expectEveryAcknowledgedRecordOnce(topic, load, total);
  }, 120_000);

  it('elects a new controller when the controller is killed, and that controller still handles the next leader failure', async () => {
    const topic = 'failover-controller';
    await createTopic(topic);
    const load = startLoad(topic, 6_000, 400, 1_000);
    await load.waitForProgress(0, 0, 100);

    const oldController = cluster.byId(await cluster.controllerId());
    const epochBefore = await cluster.controllerEpoch();
    const killedAt = Date.now();
    // The partitions it led must move too: the new controller finds them leaderless when it takes over.
    const controllerTakeover = killAndWaitForTakeover(oldController);
    const { id: newControllerId } = await waitFor(
      async () => {
        const id = await cluster.controllerId();
        // An object, as broker 0 is a falsy answer.
        return id >= 0 && id !== oldController.brokerId ? { id } : null;
      },
      { timeoutMs: TAKEOVER_MS + 5_000, intervalMs: 20, what: 'another broker at /controller' },
    );
    // The winner bumps /controller_epoch right after taking /controller, before it acts.
    await waitFor(async () => (await cluster.controllerEpoch()) > epochBefore, { timeoutMs: 5_000, intervalMs: 20, what: 'a newer controller epoch' });
    const elected = Date.now() - killedAt;
    const movedLeaders = await controllerTakeover;
    await oldController.restart();
    await cluster.waitForFullIsrs(topics, REPLICAS);
    // The restarted broker finds /controller taken and stays a candidate only.
    expect(await cluster.controllerId()).toBe(newControllerId);

    // A leader failure under the new controller, on a broker other than the controller (the
    // third broker still leads the partition it was given at creation).
    const victimState = (await states(topic)).find((s) => s.leader !== newControllerId)!;
    const victim = cluster.byId(victimState.leader);
    const afterRestart = load.ackedOn(0);
    const secondTakeover = await killAndWaitForTakeover(victim);
    await load.waitForProgress(0, afterRestart, 100);
    await victim.restart();
    await cluster.waitForFullIsrs(topics, REPLICAS);
    expect(await cluster.controllerId()).toBe(newControllerId);

    expect(elected).toBeLessThan(TAKEOVER_MS);
    expect(movedLeaders).toBeLessThan(TAKEOVER_MS);
    expect(secondTakeover).toBeLessThan(TAKEOVER_MS);
    await load.finish();
    await expectEveryAcknowledgedRecordOnce(topic, load, 6_000);
  }, 90_000);

  it('moves leadership off a broker whose ZooKeeper session expired (SIGSTOP), and takes it back as a follower that catches up and re-enters the ISR', async () => {
    const topic = 'failover-session';
    await createTopic(topic);
    const load = startLoad(topic, 8_000, 500, 1_000);
    await load.waitForProgress(0, 0, 100);

    // The frozen broker leads one partition of the new topic, records flowing, and partition 0
    // of the first test's topic: idle since, in a leader epoch begun when the previous test's
    // kills shrank its ISR, with no record in it. The successor never saw that epoch, so on
    // return the frozen broker must drop it from its epoch cache (as Kafka does) to fetch again.
    const frozen = cluster.byId((await cluster.state([...topics.keys()][0], 0)).leader);
    const led: Array<[string, number, PartitionState]> = [];
    for (const name of topics.keys()) {
      (await states(name)).forEach((state, p) => {
        if (state.leader === frozen.brokerId) led.push([name, p, state]);
      });
    }
    const ownPartition = led.find(([name]) => name === topic)![1];
    const wasController = (await cluster.controllerId()) === frozen.brokerId;
    const controllerEpochBefore = await cluster.controllerEpoch();
    const stoppedAt = Date.now();
    cluster.pause(frozen);
    await waitFor(async () => !(await cluster.isRegistered(frozen.brokerId)), {
      timeoutMs: TAKEOVER_MS + 5_000,
      intervalMs: 20,
      what: `/brokers/ids/${frozen.brokerId} to go with the expired session`,
    });
    const moved = await Promise.all(led.map(([name, p, before]) => cluster.waitForNewLeader(name, p, before, TAKEOVER_MS + 5_000)));
    const takeover = Date.now() - stoppedAt;
    for (const [i, after] of moved.entries()) {
      expect(led[i][2].isr).toContain(after.leader);
      expect(after.isr).not.toContain(frozen.brokerId);
    }
    // The new leader takes the records the frozen broker would have.
    await load.waitForProgress(ownPartition, load.ackedOn(ownPartition), 100);

    cluster.resume(frozen);
    // Its client finds the session gone on the first contact and opens a new one at once.
    await waitFor(() => cluster.isRegistered(frozen.brokerId), { timeoutMs: SESSION_MS, what: `broker ${frozen.brokerId} to register again` });
    await cluster.waitForFullIsrs(topics, REPLICAS);
    for (const [i, [name, p, before]] of led.entries()) {
      const now = await cluster.state(name, p);
      // It came back as a follower: leadership stayed where it moved, in the same or a later epoch.
      expect(now.leader).not.toBe(frozen.brokerId);
      expect(now.leaderEpoch).toBeGreaterThanOrEqual(moved[i].leaderEpoch);
      expect(now.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      // As a follower it refuses consumers, and it holds what the leader holds.
      expect((await cluster.latestOffsetOrError(frozen, name, p, -1)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const leader = cluster.byId(now.leader);
      await waitFor(async () => (await cluster.logEnd(frozen, name, p)) === (await cluster.logEnd(leader, name, p)), { what: `broker ${frozen.brokerId} to catch up on ${name}-${p}` });
    }
    // A frozen controller was replaced by a newer epoch while it slept.
    if (wasController) expect(await cluster.controllerEpoch()).toBeGreaterThan(controllerEpochBefore);

    expect(takeover).toBeLessThan(TAKEOVER_MS);
    await load.finish();
    await expectEveryAcknowledgedRecordOnce(topic, load, 8_000);
  }, 90_000);
});
