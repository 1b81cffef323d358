// kafkajs 2.2 consumer groups against the built broker on a real ZooKeeper. Members run as
// child processes (kafkajs-member.js) so one can be SIGKILLed like a crashed host; each
// reports its joins (generation, assignment), processed batches and acknowledged commits.
// What is shown: a 3-member group reads 60,000 records with one member killed mid-way
// (every record processed, none re-processed once committed, the dead member's partitions
// taken over within the session timeout); Kafka's assignment rules; the /consumers layout
// on ZooKeeper and committed offsets surviving a broker restart; rebalances on join,
// leave and added partitions.
import { AssignerProtocol, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ConsumerGroupMetadata } from '../../src/zk/accessors/consumer-group-metadata';
import type { MetadataStoreLogger } from '../../src/zk/metadata-store';
import { ZooKeeperMetadataStore } from '../../src/zk/zookeeper-metadata-store';
import { BrokerProcess } from '../support/broker-process';
import {
  assignmentsInGeneration,
  killAllMembers,
  MemberProcess,
  partitionsOf,
  type Assignment,
  type BatchEvent,
  type CommitEvent,
  type MemberOptions,
} from '../support/group-helpers';
import { testZkConnect, uniqueZkRoot } from '../support/test-zookeeper';
import { waitFor } from '../support/wait-for';

const SESSION_TIMEOUT_MS = 3000;
const HEARTBEAT_INTERVAL_MS = 300;
/** Time allowed beyond the session timeout for the rebalance itself and the first fetch. */
const TAKEOVER_MARGIN_MS = 2000;
const CLIENT_ID = 'kafkajs-group-member';

const quietLogger: MetadataStoreLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

let broker: BrokerProcess;
let zk: ZooKeeperMetadataStore;
let groupsOnZk: ConsumerGroupMetadata;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  const root = await ZooKeeperMetadataStore.connect({ connect: testZkConnect(), logger: quietLogger });
  const chroot = uniqueZkRoot('kafkajs-group');
  await root.create(chroot, null);
  await root.close();
  const connect = `${testZkConnect()}${chroot}`;
  broker = await BrokerProcess.start({
    settings: {
      'zookeeper.connect': connect,
      'group.initial.rebalance.delay.ms': 0,
      // Kafka's floor is 6 s; a lower one lets the crash scenario expire a member in 3 s.
      'group.min.session.timeout.ms': 1000,
    },
  });
  zk = await ZooKeeperMetadataStore.connect({ connect, logger: quietLogger });
  groupsOnZk = new ConsumerGroupMetadata(zk);
  kafka = new Kafka({ clientId: 'kafkajs-group-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await killAllMembers();
  await producer?.disconnect();
  await admin?.disconnect();
  await zk?.close();
  await broker?.dispose();
}, 30_000);

function memberOptions(groupId: string, topics: string[], overrides: Partial<MemberOptions> = {}): MemberOptions {
  return {
    brokers: [broker.bootstrap],
    groupId,
    topics,
    sessionTimeout: SESSION_TIMEOUT_MS,
    rebalanceTimeout: 10_000,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    clientId: CLIENT_ID,
    ...overrides,
  };
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })).toBe(true);
}

/**
 * Writes `count` records whose values are their global numbers (as text), record n to
 * partition n % partitions. Each send carries `perBatch` records for every partition, so
 * the log holds batches of that size and a small fetch limit hands them out one by one.
 */
async function produceNumbered(topic: string, partitions: number, count: number, perBatch = 100, first = 0): Promise<void> {
  const sends: { partition: number; value: string }[][] = [];
  for (let start = first; start < first + count; start += perBatch * partitions) {
    const messages: { partition: number; value: string }[] = [];
    for (let n = start; n < Math.min(start + perBatch * partitions, first + count); n++) messages.push({ partition: n % partitions, value: String(n) });
    sends.push(messages);
  }
  const inFlight = 10;
  for (let i = 0; i < sends.length; i += inFlight) {
    await Promise.all(sends.slice(i, i + inFlight).map((messages) => producer.send({ topic, acks: -1, messages })));
  }
}

/**
 * Waits until the members' latest joins are all in one generation (at least `minGeneration`)
 * whose assignments cover `partitions` of `topic`; returns that generation.
 */
async function settledGeneration(members: readonly MemberProcess[], topic: string, partitions: number, what: string, minGeneration = 0): Promise<number> {
  return waitFor(
    () => {
      const last = members.map((m) => m.lastJoin());
      if (last.some((j) => j === undefined || j.generation < minGeneration)) return false;
      const generation = last[0]!.generation;
      if (!last.every((j) => j!.generation === generation)) return false;
      const covered = new Set(last.flatMap((j) => partitionsOf(j!.assignment, topic)));
      return covered.size === partitions && generation;
    },
    { timeoutMs: 20_000, what },
  );
}

/** In every generation any member reported, no partition of `topic` went to two members. */
function expectNoPartitionOwnedTwice(members: readonly MemberProcess[], topic: string): void {
  const generations = new Set(members.flatMap((m) => m.joins().map((j) => j.generation)));
  expect(generations.size).toBeGreaterThan(0);
  for (const generation of generations) {
    const owned = [...assignmentsInGeneration(members, generation).values()].flatMap((a) => partitionsOf(a, topic));
    expect({ generation, owned: owned.length }).toEqual({ generation, owned: new Set(owned).size });
  }
}

/** partition -> member id, from the members' reports for one generation. */
function ownersIn(assignments: ReadonlyMap<string, Assignment>, topic: string): Map<number, string> {
  const owners = new Map<number, string>();
  for (const [memberId, assignment] of assignments) for (const p of partitionsOf(assignment, topic)) owners.set(p, memberId);
  return owners;
}

/** The group's members and what each owns, as DescribeGroups reports them. */
async function describedAssignments(groupId: string, topic: string): Promise<Map<string, number[]>> {
  const { groups } = await admin.describeGroups([groupId]);
  expect(groups[0].state).toBe('Stable');
  return new Map(
    groups[0].members.map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return [m.memberId, [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b)] as const;
    }),
  );
}

async function committedOffsets(groupId: string, topic: string): Promise<Map<number, { offset: number; metadata: string | null }>> {
  const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(fetched.partitions.map((p) => [p.partition, { offset: Number(p.offset), metadata: p.metadata }]));
}

async function waitForCommittedEnd(groupId: string, topic: string, endOffset: number): Promise<void> {
  await waitFor(async () => [...(await committedOffsets(groupId, topic)).values()].every((c) => c.offset === endOffset), {
    timeoutMs: 20_000,
    what: `${groupId}: committed offset ${endOffset} on every partition of ${topic}`,
  });
}

/** The highest committed position of a partition acknowledged strictly before a time. */
function commitTimeline(commits: readonly CommitEvent[], topic: string): (partition: number, before: number) => number {
  const byPartition = new Map<number, { t: number; offset: number }[]>();
  for (const c of commits) {
    for (const o of c.offsets) {
      if (o.topic !== topic) continue;
      let list = byPartition.get(o.partition);
      if (!list) byPartition.set(o.partition, (list = []));
      list.push({ t: c.t, offset: o.offset });
    }
  }
  return (partition, before) => {
    let highest = -1;
    for (const c of byPartition.get(partition) ?? []) if (c.t < before && c.offset > highest) highest = c.offset;
    return highest;
  };
}

function valuesProcessed(members: readonly MemberProcess[], topic: string): Set<string | null> {
  return new Set(members.flatMap((m) => m.batches().filter((b) => b.topic === topic).flatMap((b) => b.values)));
}

function numbers(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
}

describe('a kafkajs group', () => {
  it('of three members reads 60,000 records on six partitions with one killed mid-way: every record processed, none again once committed, takeover within the session timeout', async () => {
    const topic = 'crash-orders';
    const group = 'crash-group';
    const partitions = 6;
    const total = 60_000;
    await createTopic(topic, partitions);
    await produceNumbered(topic, partitions, total);
    // Paced, in steps of one produced batch, so a member can be killed with work left.
    const members = ['a', 'b', 'c'].map((name) => new MemberProcess(name, memberOptions(group, [topic], { batchDelayMs: 5, maxBytesPerPartition: 2048 })));

    const generation = await settledGeneration(members, topic, partitions, 'three members in one generation');
    const assignments = assignmentsInGeneration(members, generation);
    expect(assignments.size).toBe(3);
    // More partitions than members: two each.
    for (const assignment of assignments.values()) expect(partitionsOf(assignment, topic)).toHaveLength(2);

    // Kill one after 40 batches of its 200. Killed as soon as it reports a batch, it has
    // most likely not committed that batch yet: those records a survivor processes again.
    const victim = members[1];
    const owned = partitionsOf(victim.lastJoin()!.assignment, topic);
    let ownedBatches = 0;
    await victim.waitForEvent(
      (e): e is BatchEvent => e.ev === 'batch' && owned.includes(e.partition) && ++ownedBatches >= 40,
      'the victim to work through part of its partitions',
    );
    const killedAt = await victim.kill();
    const survivors = members.filter((m) => m !== victim);

    // No LeaveGroup was sent: the broker notices by the session timeout, and a survivor
    // then processes a record of a partition the dead member owned.
    const takeover = await waitFor(() => survivors.flatMap((m) => m.batches()).find((b) => b.t >= killedAt && owned.includes(b.partition)), {
      timeoutMs: SESSION_TIMEOUT_MS + 10_000,
      what: 'a survivor to process a partition of the killed member',
    });
    expect(takeover.t - killedAt).toBeLessThan(SESSION_TIMEOUT_MS + TAKEOVER_MARGIN_MS);

    await waitForCommittedEnd(group, topic, total / partitions);
    const after = await settledGeneration(survivors, topic, partitions, 'the survivors in one generation', generation + 1);
    for (const assignment of assignmentsInGeneration(survivors, after).values()) expect(partitionsOf(assignment, topic)).toHaveLength(3);
    expectNoPartitionOwnedTwice(members, topic);

    // Every record processed at least once.
    expect(valuesProcessed(members, topic)).toEqual(new Set(numbers(0, total)));

    // A record is processed again only if no commit covering it had been acknowledged:
    // duplicates can only be what the killed member processed after its last commit.
    const batches: BatchEvent[] = members.flatMap((m) => m.batches()).sort((x, y) => x.t - y.t);
    const committedBefore = commitTimeline(
      members.flatMap((m) => m.commits()),
      topic,
    );
    const victimCommitted = commitTimeline(victim.commits(), topic);
    const timesProcessed = new Map<string, number>();
    const reprocessedAfterCommit: string[] = [];
    const duplicatesOutsideVictimTail: string[] = [];
    for (const b of batches) {
      const committed = committedBefore(b.partition, b.t);
      for (const offset of b.offsets) {
        const key = `${b.partition}/${offset}`;
        const times = (timesProcessed.get(key) ?? 0) + 1;
        timesProcessed.set(key, times);
        if (offset < committed) reprocessedAfterCommit.push(key);
        if (times > 1 && !(owned.includes(b.partition) && offset >= victimCommitted(b.partition, killedAt + 1))) duplicatesOutsideVictimTail.push(key);
      }
    }
    expect(reprocessedAfterCommit).toEqual([]);
    expect(duplicatesOutsideVictimTail).toEqual([]);
    // The takeover resumes each partition at the dead member's last acknowledged commit
    // (or just after its last batch, when that batch's commit landed as it died): no gap.
    for (const partition of owned) {
      const resumedAt = Math.min(...survivors.flatMap((m) => m.batches()).filter((b) => b.partition === partition && b.t >= killedAt).flatMap((b) => b.offsets));
      const lastProcessed = Math.max(...victim.batches().filter((b) => b.partition === partition).flatMap((b) => b.offsets));
      expect([victimCommitted(partition, killedAt + 1), lastProcessed + 1]).toContain(resumedAt);
    }

    await Promise.all(survivors.map((m) => m.stop()));
  }, 60_000);

  it('with fewer partitions than members leaves one idle and never gives a partition two owners; another group reads the same partitions independently', async () => {
    const topic = 'pairs';
    const records = 1_000;
    await createTopic(topic, 2);
    await produceNumbered(topic, 2, records);

    const trio = ['p1', 'p2', 'p3'].map((name) => new MemberProcess(name, memberOptions('pairs-trio', [topic])));
    const solo = new MemberProcess('solo', memberOptions('pairs-solo', [topic]));
    const generation = await settledGeneration(trio, topic, 2, 'three members in one generation over two partitions');
    const assignments = assignmentsInGeneration(trio, generation);
    expect(assignments.size).toBe(3);
    expect([...assignments.values()].map((a) => partitionsOf(a, topic).length).sort()).toEqual([0, 1, 1]);
    expectNoPartitionOwnedTwice(trio, topic);

    // The broker's view agrees: DescribeGroups and /consumers/{group}/owners name one owner per partition.
    const owners = ownersIn(assignments, topic);
    expect(await describedAssignments('pairs-trio', topic)).toEqual(new Map([...assignments].map(([id, a]) => [id, partitionsOf(a, topic)])));
    await waitFor(async () => (await groupsOnZk.owner('pairs-trio', topic, 0)) === owners.get(0) && (await groupsOnZk.owner('pairs-trio', topic, 1)) === owners.get(1), {
      what: 'owners of both partitions on ZooKeeper',
    });
    expect(await groupsOnZk.ownedPartitions('pairs-trio')).toEqual(new Map([[topic, [0, 1]]]));

    // Each group gets every record and keeps its own offsets.
    await waitForCommittedEnd('pairs-trio', topic, records / 2);
    await waitForCommittedEnd('pairs-solo', topic, records / 2);
    expect(valuesProcessed(trio, topic)).toEqual(new Set(numbers(0, records)));
    expect(valuesProcessed([solo], topic)).toEqual(new Set(numbers(0, records)));
    expect(partitionsOf(solo.lastJoin()!.assignment, topic)).toEqual([0, 1]);

    await Promise.all([...trio, solo].map((m) => m.stop()));
  }, 40_000);

  it('rebalances into a new generation when a member joins, when one leaves, and when the subscribed topic gains partitions', async () => {
    const topic = 'growing';
    const group = 'growing-group';
    await createTopic(topic, 2);
    const first = new MemberProcess('first', memberOptions(group, [topic]));
    const g1 = await settledGeneration([first], topic, 2, 'the first member alone');
    expect(partitionsOf(first.lastJoin()!.assignment, topic)).toEqual([0, 1]);

    const second = new MemberProcess('second', memberOptions(group, [topic]));
    const g2 = await settledGeneration([first, second], topic, 2, 'a generation with the second member', g1 + 1);
    expect([first, second].map((m) => partitionsOf(m.lastJoin()!.assignment, topic).length)).toEqual([1, 1]);

    // A clean leave (LeaveGroup) rebalances at once, not after the session timeout.
    const leftAt = Date.now();
    await second.stop();
    const g3 = await settledGeneration([first], topic, 2, 'a generation after the second member left', g2 + 1);
    expect(first.lastJoin()!.t - leftAt).toBeLessThan(SESSION_TIMEOUT_MS);
    expect(partitionsOf(first.lastJoin()!.assignment, topic)).toEqual([0, 1]);

    // New partitions of a subscribed topic: the broker starts a rebalance and the leader assigns them.
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    const g4 = await settledGeneration([first], topic, 4, 'a generation that assigns the added partitions', g3 + 1);
    expect(partitionsOf(first.lastJoin()!.assignment, topic)).toEqual([0, 1, 2, 3]);
    expect(g4).toBeGreaterThan(g3);
    await producer.send({ topic, messages: [{ partition: 3, value: 'on an added partition' }] });
    await first.waitForEvent((e): e is BatchEvent => e.ev === 'batch' && e.partition === 3, 'a record of partition 3');

    await first.stop();
  }, 40_000);

  it('keeps the classic /consumers layout on ZooKeeper, and its committed offsets across a broker restart', async () => {
    const topic = 'layout';
    const group = 'layout-group';
    await createTopic(topic, 3);
    await produceNumbered(topic, 3, 300);
    const members = ['l1', 'l2'].map((name) => new MemberProcess(name, memberOptions(group, [topic])));
    const generation = await settledGeneration(members, topic, 3, 'two members in one generation');
    await waitForCommittedEnd(group, topic, 100);
    const assignments = assignmentsInGeneration(members, generation);
    const memberIds = [...assignments.keys()].sort();

    // ids/{member}: subscription and client host, published once the generation is stable.
    await waitFor(async () => JSON.stringify((await groupsOnZk.consumers(group)).sort()) === JSON.stringify(memberIds), { what: 'both member ids on ZooKeeper' });
    for (const memberId of memberIds) {
      const registration = await zk.get<Record<string, unknown>>(`/consumers/${group}/ids/${memberId}`);
      expect(registration!.value).toMatchObject({ version: 1, subscription: { [topic]: 1 }, client_id: CLIENT_ID, host: '/127.0.0.1' });
    }
    // owners/{topic}/{p}: the member that owns it in this generation.
    for (const [partition, owner] of ownersIn(assignments, topic)) {
      expect((await zk.get(`/consumers/${group}/owners/${topic}/${partition}`))!.value).toBe(owner);
    }
    // offsets/{topic}/{p}: {offset, metadata, commit_timestamp}, what OffsetFetch answers.
    const committed = await committedOffsets(group, topic);
    for (let partition = 0; partition < 3; partition++) {
      const node = await zk.get<Record<string, unknown>>(`/consumers/${group}/offsets/${topic}/${partition}`);
      expect(Object.keys(node!.value).sort()).toEqual(['commit_timestamp', 'metadata', 'offset']);
      expect(node!.value.offset).toBe(committed.get(partition)!.offset);
      expect(node!.value.metadata).toBe(committed.get(partition)!.metadata ?? '');
      expect(node!.value.commit_timestamp).toEqual(expect.any(Number));
      expect(Date.now() - (node!.value.commit_timestamp as number)).toBeLessThan(60_000);
    }

    await Promise.all(members.map((m) => m.stop()));
    // A graceful stop closes the broker's ZooKeeper session, so its registration goes at
    // once and the restarted broker can take the same id without waiting for an expiry.
    await broker.stop();
    // (Its session timeout is 18 s; two seconds tell a closed session from an expired one.)
    await waitFor(async () => (await zk.exists(`/brokers/ids/${broker.brokerId}`)) === null, {
      timeoutMs: 2_000,
      what: `/brokers/ids/${broker.brokerId} to go with the stopped broker's session`,
    });
    await broker.restart();
    expect(await committedOffsets(group, topic)).toEqual(committed);

    // A member of the same group resumes from the committed offsets: only the new records.
    await produceNumbered(topic, 3, 300, 100, 300);
    const resumed = new MemberProcess('resumed', memberOptions(group, [topic]));
    await waitForCommittedEnd(group, topic, 200);
    const batches = resumed.batches();
    for (let partition = 0; partition < 3; partition++) expect(Math.min(...batches.filter((b) => b.partition === partition).flatMap((b) => b.offsets))).toBe(100);
    expect(valuesProcessed([resumed], topic)).toEqual(new Set(numbers(300, 300)));
    await resumed.stop();
  }, 60_000);
});
