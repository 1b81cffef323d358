// Controlled shutdown: a broker stopped with SIGTERM first asks the controller to move the
// leadership of its partitions to other in-sync replicas and to drop it from the ISRs, so
// leaders change within moments of the signal — not after its ZooKeeper session (here a
// long 10 s) runs out as after a kill — and an idempotent acks=all producer carries on
// without a failure. Both ways in: a broker asking the controller over the wire, and the
// controller itself stopping.
import type { BrokerProcess } from '../support/broker-process';
import { ZkCluster } from '../support/cluster-harness';
import { SequenceLoad } from '../support/cluster-load';
import { waitFor } from '../support/wait-for';

const SESSION_MS = 10_000;
const BROKERS = 3;
const PARTITIONS = 6;
const TOPIC = 'controlled';
const TOTAL = 8_000;

describe('controlled shutdown over ZooKeeper', () => {
  let cluster: ZkCluster;
  let load: SequenceLoad | undefined;

  beforeAll(async () => {
    cluster = await ZkCluster.start({
      size: BROKERS,
      label: 'controlled-shutdown',
      settings: {
        'zookeeper.session.timeout.ms': SESSION_MS,
        'replica.lag.time.max.ms': 1_500,
        'replica.fetch.backoff.ms': 100,
        'auto.create.topics.enable': false,
        'controlled.shutdown.retry.backoff.ms': 200,
      },
    });
  });

  afterAll(async () => {
    await load?.abandon();
    await cluster?.dispose();
  });

  async function ledBy(broker: BrokerProcess): Promise<number[]> {
    const led: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) if ((await cluster.state(TOPIC, p)).leader === broker.brokerId) led.push(p);
    return led;
  }

  /**
   * SIGTERMs `broker`; resolves with how long its partitions took to get other leaders and
   * it to leave every ISR, after checking that this happened while it was still running
   * (a plain stop would only let go of them when its session closed on the way out).
   */
  async function stopAndTimeHandover(broker: BrokerProcess): Promise<number> {
    const led = await ledBy(broker);
    expect(led.length).toBeGreaterThan(0);
    const stoppedAt = Date.now();
    let exitedAt = Infinity;
    const stopped = broker.stop().then((status) => {
      exitedAt = Date.now();
      return status;
    });
    await waitFor(
      async () => {
        for (let p = 0; p < PARTITIONS; p++) {
          const state = await cluster.state(TOPIC, p);
          if (state.leader === broker.brokerId || state.leader < 0 || state.isr.includes(broker.brokerId)) return false;
        }
        return true;
      },
      { timeoutMs: SESSION_MS, intervalMs: 10, what: `broker ${broker.brokerId}'s partitions to move off it` },
    );
    const handedOverAt = Date.now();
    expect((await stopped).code).toBe(0);
    expect(handedOverAt).toBeLessThan(exitedAt);
    return handedOverAt - stoppedAt;
  }

  it('moves a stopping broker\'s leaderships at once, for a broker and for the controller, with no failed produce', async () => {
    await cluster.createTopic(TOPIC, PARTITIONS, BROKERS, { 'min.insync.replicas': '2' });
    const topics = new Map([[TOPIC, PARTITIONS]]);
    await cluster.waitForFullIsrs(topics, BROKERS);
    load = new SequenceLoad({ bootstrapServers: cluster.bootstrapServers, topic: TOPIC, partitions: PARTITIONS, tag: 'controlled', total: TOTAL, ratePerSecond: 500, reserve: 1_000 });
    load.start();
    await load.waitForProgress(0, 0, 50);

    const controllerId = await cluster.controllerId();
    const follower = cluster.brokers.find((b) => b.brokerId !== controllerId)!;
    const viaTheWire = await stopAndTimeHandover(follower);
    await load.waitForProgress(0, load.ackedOn(0), 100);
    await follower.restart();
    await cluster.waitForFullIsrs(topics, BROKERS, 30_000);

    const controller = cluster.byId(controllerId);
    const onTheController = await stopAndTimeHandover(controller);
    await load.waitForProgress(0, load.ackedOn(0), 100);
    await controller.restart();
    await cluster.waitForFullIsrs(topics, BROKERS, 30_000);

    // Well inside the session timeout that a killed broker's partitions wait for.
    expect(viaTheWire).toBeLessThan(SESSION_MS / 2);
    expect(onTheController).toBeLessThan(SESSION_MS / 2);

    await load.finish();
    expect(load.failures.map((f) => f.error.message)).toEqual([]);
    expect(load.acknowledged.size).toBe(TOTAL);
    for (let p = 0; p < PARTITIONS; p++) {
      const leader = cluster.byId((await cluster.state(TOPIC, p)).leader);
      const { offsets, values } = await cluster.readPartition(leader, TOPIC, p);
      expect(values).toHaveLength(load.ackedOn(p));
      expect(offsets).toEqual(values.map((_, i) => i));
      for (const value of values) expect(load.acknowledged.get(value)?.partition).toBe(p);
    }
  }, 120_000);
});
