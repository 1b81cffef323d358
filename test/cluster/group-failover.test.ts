// A consumer group outlives its coordinator: three brokers on the test ZooKeeper, a group
// of two SDK consumers coordinated by one broker, which is killed with SIGKILL. The broker
// that takes the group over resumes it from /consumers/{group}/generation: the generation
// stays what it was, DescribeGroups shows the same members Stable on the new coordinator,
// and the consumers carry on reading without a JoinGroup (no rebalance callback).
//
// kafkajs cannot show this: its consumer sends heartbeats to the coordinator it found when
// it joined and looks for another only by joining again, so after any coordinator move it
// crashes, restarts and rejoins as a new member — against Kafka too. clients-failover
// holds it to carrying on across such moves.
import { Kafka, logLevel } from 'kafkajs';
import { KafkaAdmin } from '../../src/client/admin/kafka-admin';
import { ConsumerGroupMetadata } from '../../src/zk/accessors/consumer-group-metadata';
import { clientFailoverSettings, groupCoordinatedBy, ZkCluster } from '../support/cluster-harness';
import { PollingMember } from '../support/sdk-group-member';
import { waitFor } from '../support/wait-for';

const SESSION_MS = 4_000;
const BROKERS = 3;
const PARTITIONS = 6;
const TOPIC = 'group-failover';
/** Longer than the broker's ZooKeeper session, as a consumer's session outlasts a coordinator's failover in practice. */
const CONSUMER_SESSION_MS = 15_000;
const BATCH = 300;

describe('a consumer group whose coordinator is killed', () => {
  let cluster: ZkCluster;
  let admin: KafkaAdmin;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    cluster = await ZkCluster.start({
      size: BROKERS,
      label: 'group-failover',
      settings: clientFailoverSettings(SESSION_MS),
    });
    admin = new KafkaAdmin({ bootstrapServers: cluster.bootstrapServers, apiTimeoutMs: 15_000, requestTimeoutMs: 3_000 });
    cleanups.push(() => admin.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await cluster?.dispose();
  }, 60_000);

  it('is resumed at the same generation by the next coordinator, and its consumers keep consuming without rejoining', async () => {
    await cluster.createTopic(TOPIC, PARTITIONS, BROKERS, { 'min.insync.replicas': '2' });
    await cluster.waitForFullIsrs(new Map([[TOPIC, PARTITIONS]]), BROKERS);
    // The victim is not the controller, so the kill moves the group and some leaders, nothing else.
    const controller = await cluster.controllerId();
    const victim = cluster.brokers.find((b) => b.brokerId !== controller)!;
    const groupId = groupCoordinatedBy('resume', victim.brokerId, BROKERS);

    const seen = new Set<string>();
    const members = ['member-a', 'member-b'].map(
      (clientId) => new PollingMember({ bootstrapServers: cluster.bootstrapServers, groupId, clientId, topics: [TOPIC], sessionTimeoutMs: CONSUMER_SESSION_MS, onValue: (v) => seen.add(v) }),
    );
    for (const member of members) cleanups.push(() => member.close());
    const generations = (): number[] => members.map((m) => m.consumer.groupMetadata().generationId);
    const kafka = new Kafka({ clientId: 'group-failover', brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING, retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2_000 }, requestTimeout: 5_000 });
    const producer = kafka.producer();
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    const produce = async (tag: string): Promise<string[]> => {
      const values = Array.from({ length: BATCH }, (_, i) => `${tag}-${i}`);
      await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ key: value, value })) });
      return values;
    };
    const groupReads = async (values: readonly string[], what: string): Promise<void> => {
      await waitFor(() => values.every((v) => seen.has(v)), { timeoutMs: 60_000, what });
    };

    // The group settles: two members, one generation, every partition read.
    await groupReads(await produce('before'), 'the group to read the records produced before the kill');
    const settled = await waitFor(async () => {
      const [g] = await admin.describeConsumerGroups([groupId]);
      return g.state === 'Stable' && g.members.length === 2 && g.coordinatorId === victim.brokerId ? g : null;
    }, { timeoutMs: 30_000, what: 'the group Stable with two members on the victim' });
    const stored = new ConsumerGroupMetadata(cluster.store);
    const before = (await stored.readGeneration(groupId))!;
    const generation = before.group!.generation;
    expect(generations()).toEqual([generation, generation]);
    const assignmentsBefore = members.map((m) => m.assignments);

    await victim.kill();
    await waitFor(async () => !(await cluster.isRegistered(victim.brokerId)), { timeoutMs: SESSION_MS + 10_000, intervalMs: 50, what: "the killed broker's session to expire" });
    await groupReads(await produce('after'), 'the group to read the records produced after the kill');
    // Committing everything read takes the new coordinator accepting the members' generation.
    await waitFor(async () => {
      const committed = (await stored.fetchAllOffsets(groupId)).get(TOPIC) ?? new Map();
      return [...committed.values()].reduce((sum, c) => sum + c.offset, 0) === 2 * BATCH;
    }, { timeoutMs: 30_000, what: 'the members to commit every record at the new coordinator' });

    // The group lives on another broker now, at the generation it had, with the same members.
    const [after] = await admin.describeConsumerGroups([groupId]);
    expect(after).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: settled.protocol });
    expect(after.coordinatorId).not.toBe(victim.brokerId);
    expect(after.members.map((m) => m.memberId).sort()).toEqual(settled.members.map((m) => m.memberId).sort());
    const now = (await stored.readGeneration(groupId))!;
    expect(now.group!.generation).toBe(generation);
    // The new coordinator claimed the node when it loaded the group.
    expect(now.version).toBeGreaterThan(before.version);
    expect(generations()).toEqual([generation, generation]);
    expect(members.map((m) => m.assignments)).toEqual(assignmentsBefore);
    expect(members.flatMap((m) => m.errors)).toEqual([]);
  }, 180_000);
});
