// Auto leader rebalance (auto.leader.rebalance.enable): after a broker dies and returns,
// the partitions it is the preferred (first) replica of lead from it again, so leadership
// does not stay piled on the brokers that survived. An idempotent acks=all producer keeps
// writing through both moves and loses nothing.
import { TopicAssignmentsAccessor } from '../../src/zk/accessors/topic-assignment.accessor';
import { ZkCluster } from '../support/cluster-harness';
import { SequenceLoad } from '../support/cluster-load';
import { waitFor } from '../support/wait-for';

const BROKERS = 3;
const PARTITIONS = 6;
const TOPIC = 'rebalance';

describe('auto leader rebalance over ZooKeeper', () => {
  let cluster: ZkCluster;
  let load: SequenceLoad | undefined;

  beforeAll(async () => {
    cluster = await ZkCluster.start({
      size: BROKERS,
      label: 'leader-rebalance',
      settings: {
        'zookeeper.session.timeout.ms': 4_000,
        'replica.lag.time.max.ms': 1_500,
        'replica.fetch.backoff.ms': 100,
        'auto.create.topics.enable': false,
        'leader.imbalance.check.interval.seconds': 1,
      },
    });
  });

  afterAll(async () => {
    await load?.abandon();
    await cluster?.dispose();
  });

  it('gives a returning broker back the leadership of the partitions it is the preferred replica of', async () => {
    await cluster.createTopic(TOPIC, PARTITIONS, BROKERS, { 'min.insync.replicas': '2' });
    const topics = new Map([[TOPIC, PARTITIONS]]);
    await cluster.waitForFullIsrs(topics, BROKERS);
    const assignment = (await new TopicAssignmentsAccessor(cluster.store).get(TOPIC))!.partitions;
    const leaders = async (): Promise<number[]> => Promise.all(assignment.map(async (_, p) => (await cluster.state(TOPIC, p)).leader));
    // Created with every preferred replica leading.
    expect(await leaders()).toEqual(assignment.map((replicas) => replicas[0]));

    load = new SequenceLoad({ bootstrapServers: cluster.bootstrapServers, topic: TOPIC, partitions: PARTITIONS, tag: 'rebalance', total: 6_000, ratePerSecond: 400, reserve: 1_000 });
    load.start();
    await load.waitForProgress(0, 0, 50);

    const victim = cluster.byId(assignment[0][0]);
    const preferredByVictim = assignment.flatMap((replicas, p) => (replicas[0] === victim.brokerId ? [p] : []));
    await victim.kill();
    await waitFor(async () => (await leaders()).every((leader) => leader >= 0 && leader !== victim.brokerId), { timeoutMs: 15_000, what: 'every partition led by a survivor' });

    await victim.restart();
    await cluster.waitForFullIsrs(topics, BROKERS, 30_000);
    await waitFor(async () => (await leaders()).every((leader, p) => leader === assignment[p][0]), {
      timeoutMs: 15_000,
      what: `broker ${victim.brokerId} to lead partitions ${preferredByVictim} again`,
    });
    for (const p of preferredByVictim) expect((await cluster.state(TOPIC, p)).leader).toBe(victim.brokerId);

    await load.finish();
    expect(load.failures.map((f) => f.error.message)).toEqual([]);
    expect(load.acknowledged.size).toBe(6_000);
    for (let p = 0; p < PARTITIONS; p++) {
      const { values } = await cluster.readPartition(cluster.byId(assignment[p][0]), TOPIC, p);
      expect(values).toHaveLength(load.ackedOn(p));
      expect(new Set(values).size).toBe(values.length);
      for (const value of values) expect(load.acknowledged.get(value)?.partition).toBe(p);
    }
  }, 120_000);
});
