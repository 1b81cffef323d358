// A broker that dies and registers again between two looks of the controller (its removal
// and its return merged into one watch event, as a fast restart or a stalled controller
// sees them) may have lost the tail of its log, so the controller must treat it as failed
// and then started — as Kafka's controller does on a new broker epoch — rather than see the
// same set of ids and leave it leading. The returning broker is played by the test itself:
// a registration node in ZooKeeper whose removal and return happen while the controller's
// process is stopped, so the controller can only ever see them as one event.
import { createServer } from 'node:net';
import { newTopicId } from '../../src/broker/topics/topic-id';
import { BrokerIdsAccessor } from '../../src/zk/accessors/broker-ids.accessor';
import { TopicAssignmentsAccessor } from '../../src/zk/accessors/topic-assignment.accessor';
import { ZkPaths } from '../../src/zk/zk-paths';
import { ZkCluster } from '../support/cluster-harness';
import { waitFor } from '../support/wait-for';

const RETURNING = 5;
const TOPIC = 'returning-leader';

/** A loopback port nothing listens on: the played broker's endpoint, which the real one fails to fetch from. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the controller and a broker that registered again unseen', () => {
  let cluster: ZkCluster;

  beforeAll(async () => {
    cluster = await ZkCluster.start({ size: 1, label: 'restart-detection', settings: { 'zookeeper.session.timeout.ms': 10_000, 'auto.create.topics.enable': false } });
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('takes leadership and ISR membership from a broker whose removal and return came as one event', async () => {
    const controller = cluster.byId(0);
    await waitFor(async () => (await cluster.controllerId()) === 0, { what: 'broker 0 to be controller' });
    const registrations = new BrokerIdsAccessor(cluster.store);
    const endpoint = [{ name: 'PLAINTEXT', host: '127.0.0.1', port: await closedPort() }];
    const first = await registrations.register(RETURNING, endpoint);

    // The played broker is the preferred replica, so the first leader.
    await new TopicAssignmentsAccessor(cluster.store).create(TOPIC, newTopicId(), [[RETURNING, 0]]);
    const before = await waitFor(async () => {
      const state = await cluster.state(TOPIC, 0).catch(() => null);
      return state?.leader === RETURNING ? state : null;
    }, { what: `broker ${RETURNING} to lead ${TOPIC}-0` });
    expect(before.isr).toEqual([RETURNING, 0]);

    // Gone and back while the controller cannot look: its next look finds the same ids.
    cluster.pause(controller);
    try {
      await cluster.store.delete(ZkPaths.broker(RETURNING));
      await waitFor(() => Date.now() > Number(first.timestamp), { intervalMs: 1, what: 'the clock to pass the first registration' });
      await registrations.register(RETURNING, endpoint);
    } finally {
      cluster.resume(controller);
    }

    // Handled as failed: the other in-sync replica leads in a new epoch without it. Then as
    // started: it stays a replica, to catch up as a follower before it may join the ISR again.
    const after = await waitFor(async () => {
      const state = await cluster.state(TOPIC, 0);
      return state.leader === 0 ? state : null;
    }, { timeoutMs: 15_000, what: `the controller to move ${TOPIC}-0 off the broker that registered again` });
    expect(after.isr).toEqual([0]);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(await cluster.isRegistered(RETURNING)).toBe(true);
  });
});
