// kcat -G: librdkafka 2.0's balanced consumer (JoinGroup/SyncGroup/Heartbeat/LeaveGroup,
// auto-committed offsets) against the built broker. Two kcat processes share one topic;
// one leaves cleanly (SIGTERM) or dies (SIGKILL, so only the session timeout can expire
// it) and the other takes over its partitions. A static member (group.instance.id)
// restarts into its old partitions without a rebalance. Cooperative-sticky members rebalance
// incrementally (the broker stays assignor-agnostic). A regex subscription picks up a
// topic created after it started. kcat prints each rebalance on stderr, which is how the
// suite knows what each member owns; what they read comes from stdout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { ensureKcatInstalled } from '../../scripts/kcat';
import { BrokerProcess } from '../support/broker-process';
import { waitFor } from '../support/wait-for';

const PARTITIONS = 4;
const RECORDS_PER_PARTITION = 50;
const SESSION_TIMEOUT_MS = 1500;
const HEARTBEAT_INTERVAL_MS = 250;
const LONG_SESSION_TIMEOUT_MS = 8000;

/**
 * Short timers so rebalances happen in test time. (Auto-commits stay at librdkafka's 5 s:
 * kcat sets a property on the topic config first, and auto.commit.interval.ms has a
 * deprecated topic-level twin that the balanced consumer ignores.)
 */
const CONSUMER_SETTINGS: Record<string, string | number> = {
  'session.timeout.ms': SESSION_TIMEOUT_MS,
  'heartbeat.interval.ms': HEARTBEAT_INTERVAL_MS,
  'fetch.wait.max.ms': 100,
  'topic.metadata.refresh.interval.ms': 500,
  // Partitions are assigned before anything is produced, but the first fetch position is
  // resolved a little later; "earliest" makes sure no record produced in between is skipped.
  'auto.offset.reset': 'earliest',
};

interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

const ASSIGNMENT_LINE = /rebalanced \(memberid ([^)]*)\): (assigned|revoked): (.*)$/;
/** The cooperative protocol's lines: partitions added to or taken from the current assignment. */
const INCREMENTAL_LINE = /rebalanced: incremental (assignment|revoke) of \d+ partition\(s\) \(memberid ([^,]*), COOPERATIVE rebalance protocol\): ?(.*)$/;
const TOPIC_PARTITION = /(\S+) \[(\d+)\]/g;

/** One `kcat -G` process: its records, its current assignment, its exit. */
class KcatGroupMember {
  readonly records: ConsumedRecord[] = [];
  /** `topic[partition]` of what kcat last reported as assigned; emptied on revoke. */
  assignment = new Set<string>();
  /** How many assignments kcat has reported: a new one after every rebalance it took part in. */
  generations = 0;
  /** Every `topic[partition]` an incremental (cooperative) revoke took away, in order. */
  readonly revoked: string[] = [];
  memberId = '';
  private stderr = '';
  private pendingStdout = '';
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(bootstrap: string, group: string, topics: string[], overrides: Record<string, string | number> = {}) {
    const settings = Object.entries({ ...CONSUMER_SETTINGS, ...overrides }).flatMap(([key, value]) => ['-X', `${key}=${value}`]);
    const args = ['-b', bootstrap, '-G', group, '-u', '-f', '%t|%p|%o|%s\n', ...settings, ...topics];
    this.child = spawn(ensureKcatInstalled(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.end();
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    let pendingStderr = '';
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      const lines = (pendingStderr + chunk).split('\n');
      pendingStderr = lines.pop()!;
      for (const line of lines) this.onStderrLine(line);
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Partitions of `topic` in the current assignment, sorted. */
  partitionsOf(topic: string): number[] {
    return [...this.assignment]
      .filter((tp) => tp.startsWith(`${topic}[`))
      .map((tp) => Number(tp.slice(topic.length + 1, -1)))
      .sort((a, b) => a - b);
  }

  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`kcat pid ${this.pid} did not exit within 10 s of ${signal}\n${this.stderr}`)), 10_000);
    });
    return Promise.race([this.exited, deadline]).finally(() => clearTimeout(timer));
  }

  describe(): string {
    return `kcat pid ${this.pid}, assignment [${[...this.assignment].join(', ')}], ${this.records.length} records\n${this.stderr.slice(-3000)}`;
  }

  private onStdout(chunk: string): void {
    const lines = (this.pendingStdout + chunk).split('\n');
    this.pendingStdout = lines.pop()!;
    for (const line of lines) {
      const [topic, partition, offset, value] = line.split('|');
      this.records.push({ topic, partition: Number(partition), offset: Number(offset), value });
    }
  }

  private onStderrLine(line: string): void {
    const incremental = INCREMENTAL_LINE.exec(line);
    if (incremental) {
      this.memberId = incremental[2];
      const partitions = [...incremental[3].matchAll(TOPIC_PARTITION)].map(([, topic, partition]) => `${topic}[${partition}]`);
      if (incremental[1] === 'assignment') {
        for (const tp of partitions) this.assignment.add(tp);
        this.generations++;
      } else {
        for (const tp of partitions) this.assignment.delete(tp);
        this.revoked.push(...partitions);
      }
      return;
    }
    const match = ASSIGNMENT_LINE.exec(line);
    if (!match) return;
    this.memberId = match[1];
    const partitions = [...match[3].matchAll(TOPIC_PARTITION)].map(([, topic, partition]) => `${topic}[${partition}]`);
    if (match[2] === 'assigned') {
      this.assignment = new Set(partitions);
      this.generations++;
    } else {
      this.assignment = new Set();
    }
  }
}

let broker: BrokerProcess;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const members: KcatGroupMember[] = [];

beforeAll(async () => {
  broker = await BrokerProcess.start({
    settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 },
  });
  kafka = new Kafka({ clientId: 'kcat-group-suite', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
}, 60_000);

afterEach(async () => {
  await Promise.all(members.splice(0).map((member) => member.stop('SIGKILL')));
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.dispose();
}, 30_000);

function startMember(group: string, topics: string[], overrides: Record<string, string | number> = {}): KcatGroupMember {
  const member = new KcatGroupMember(broker.bootstrap, group, topics, overrides);
  members.push(member);
  return member;
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })).toBe(true);
}

/** Produces `perPartition` records to every partition, each value naming its phase, partition and index. */
async function produce(topic: string, phase: string, partitions: number, perPartition = RECORDS_PER_PARTITION): Promise<string[]> {
  const messages = [];
  for (let partition = 0; partition < partitions; partition++) {
    for (let i = 0; i < perPartition; i++) messages.push({ partition, value: `${phase}-${partition}-${i}` });
  }
  await producer.send({ topic, messages });
  return messages.map((m) => m.value);
}

function allPartitions(topic: string, count = PARTITIONS): string[] {
  return Array.from({ length: count }, (_, p) => `${topic}[${p}]`);
}

/** Waits until the members' assignments of `topic` cover every partition exactly once, each member owning some. */
async function waitForBalancedAssignment(topic: string, group: KcatGroupMember[]): Promise<void> {
  await waitFor(
    () => {
      const owned = group.flatMap((m) => m.partitionsOf(topic));
      return group.every((m) => m.partitionsOf(topic).length > 0) && owned.length === PARTITIONS && new Set(owned).size === PARTITIONS;
    },
    { timeoutMs: 20_000, what: `a balanced assignment of ${topic}:\n${group.map((m) => m.describe()).join('\n')}` },
  );
}

function consumedValues(group: KcatGroupMember[], topic: string): string[] {
  return group.flatMap((m) => m.records.filter((r) => r.topic === topic).map((r) => r.value));
}

async function waitForConsumed(group: KcatGroupMember[], topic: string, expected: string[]): Promise<void> {
  const wanted = new Set(expected);
  await waitFor(() => consumedValues(group, topic).filter((v) => wanted.has(v)).length >= expected.length, {
    timeoutMs: 20_000,
    what: `${expected.length} records of ${topic} to be consumed:\n${group.map((m) => m.describe()).join('\n')}`,
  });
}

/** Records read more than once across the whole group (by topic, partition and offset). */
function duplicates(group: KcatGroupMember[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const r of group.flatMap((m) => m.records)) {
    const id = `${r.topic}[${r.partition}]@${r.offset}`;
    if (seen.has(id)) twice.push(id);
    seen.add(id);
  }
  return twice;
}

async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return result.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

async function waitForCommitted(groupId: string, topic: string, offset: number): Promise<void> {
  await waitFor(async () => (await committedOffsets(groupId, topic)).every((o) => o === offset), {
    timeoutMs: 10_000,
    what: `${groupId} to commit offset ${offset} on every partition of ${topic}`,
  });
}

describe('kcat -G balanced consumer', () => {
  it('two members split four partitions, each record read once; after SIGTERM the survivor takes over every partition', async () => {
    const topic = 'kcatg-leave';
    const group = 'kcatg-leave-group';
    await createTopic(topic, PARTITIONS);
    // A long session, so a takeover well inside it can only come from the LeaveGroup.
    const longSession = { 'session.timeout.ms': LONG_SESSION_TIMEOUT_MS };
    const first = startMember(group, [topic], longSession);
    const second = startMember(group, [topic], longSession);
    await waitForBalancedAssignment(topic, [first, second]);

    const before = await produce(topic, 'before', PARTITIONS);
    await waitForConsumed([first, second], topic, before);
    expect(consumedValues([first, second], topic).sort()).toEqual([...before].sort());
    expect(duplicates([first, second])).toEqual([]);
    // Each member read exactly the partitions it was assigned, and both got a share.
    for (const member of [first, second]) {
      const readFrom = [...new Set(member.records.map((r) => r.partition))].sort();
      expect(readFrom).toEqual(member.partitionsOf(topic));
      expect(member.records.length).toBe(member.partitionsOf(topic).length * RECORDS_PER_PARTITION);
    }

    // SIGTERM: kcat commits what it consumed and sends LeaveGroup, so the rebalance
    // starts at once instead of after the session timeout.
    const leftAt = Date.now();
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await waitFor(() => first.partitionsOf(topic).length === PARTITIONS, { timeoutMs: 10_000, what: `the survivor to own all partitions:\n${first.describe()}` });
    const takeoverMs = Date.now() - leftAt;
    expect(takeoverMs).toBeLessThan(LONG_SESSION_TIMEOUT_MS / 2);

    const described = await admin.describeGroups([group]);
    expect(described.groups[0]).toMatchObject({ groupId: group, state: 'Stable', protocolType: 'consumer' });
    expect(described.groups[0].members.map((m) => m.memberId)).toEqual([first.memberId]);

    const after = await produce(topic, 'after', PARTITIONS);
    await waitForConsumed([first], topic, after);
    expect(duplicates([first, second])).toEqual([]);
    expect(consumedValues([first, second], topic).sort()).toEqual([...before, ...after].sort());
    expect(new Set(first.records.filter((r) => r.value.startsWith('after-')).map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));

    // librdkafka auto-commits; the broker serves those commits to another client.
    await waitForCommitted(group, topic, 2 * RECORDS_PER_PARTITION);
  }, 40_000);

  it('after SIGKILL the session timeout expires the silent member and the survivor reads its partitions', async () => {
    const topic = 'kcatg-crash';
    const group = 'kcatg-crash-group';
    await createTopic(topic, PARTITIONS);
    const survivor = startMember(group, [topic]);
    const victim = startMember(group, [topic]);
    await waitForBalancedAssignment(topic, [survivor, victim]);
    const victimPartitions = victim.partitionsOf(topic);

    const before = await produce(topic, 'before', PARTITIONS);
    await waitForConsumed([survivor, victim], topic, before);
    // A killed consumer cannot commit on the way out; wait for its auto-commits so the
    // survivor resumes where it stopped (anything uncommitted would rightly be read again).
    await waitForCommitted(group, topic, RECORDS_PER_PARTITION);
    const survivorGeneration = survivor.generations;

    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await waitFor(() => survivor.partitionsOf(topic).length === PARTITIONS, { timeoutMs: 15_000, what: `the survivor to own all partitions:\n${survivor.describe()}` });
    const takeoverMs = Date.now() - killedAt;
    // No LeaveGroup was sent: only the expiry of the victim's session can have triggered
    // this rebalance, so it cannot come sooner than the session minus one heartbeat.
    expect(takeoverMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS - 100);
    expect(takeoverMs).toBeLessThan(SESSION_TIMEOUT_MS + 3_000);
    expect(survivor.generations).toBeGreaterThan(survivorGeneration);

    const after = await produce(topic, 'after', PARTITIONS);
    await waitForConsumed([survivor], topic, after);
    expect(duplicates([survivor, victim])).toEqual([]);
    expect(consumedValues([survivor, victim], topic).sort()).toEqual([...before, ...after].sort());
    const takenOver = survivor.records.filter((r) => r.value.startsWith('after-') && victimPartitions.includes(r.partition));
    expect(takenOver).toHaveLength(victimPartitions.length * RECORDS_PER_PARTITION);
    await waitForCommitted(group, topic, 2 * RECORDS_PER_PARTITION);
  }, 40_000);

  it('cooperative-sticky members rebalance incrementally: a joining member takes only what moves, the rest is never revoked', async () => {
    const topic = 'kcatg-coop';
    const group = 'kcatg-coop-group';
    await createTopic(topic, PARTITIONS);
    const cooperative = { 'partition.assignment.strategy': 'cooperative-sticky' };
    const first = startMember(group, [topic], cooperative);
    await waitFor(() => first.partitionsOf(topic).length === PARTITIONS, { timeoutMs: 15_000, what: `the first member to own all partitions:\n${first.describe()}` });
    const before = await produce(topic, 'before', PARTITIONS);
    await waitForConsumed([first], topic, before);

    const second = startMember(group, [topic], cooperative);
    await waitForBalancedAssignment(topic, [first, second]);
    // KIP-429: the first member gave up exactly what the second got, and kept the rest throughout.
    expect([...first.revoked].sort()).toEqual(second.partitionsOf(topic).map((p) => `${topic}[${p}]`).sort());
    expect(first.partitionsOf(topic)).toHaveLength(PARTITIONS / 2);

    const after = await produce(topic, 'after', PARTITIONS);
    await waitForConsumed([first, second], topic, after);
    expect(duplicates([first, second])).toEqual([]);
    expect(consumedValues([first, second], topic).sort()).toEqual([...before, ...after].sort());
    const described = await admin.describeGroups([group]);
    expect(described.groups[0]).toMatchObject({ state: 'Stable', protocol: 'cooperative-sticky' });
  }, 40_000);

  it('static membership: a restarted member with the same group.instance.id gets its partitions back without a rebalance', async () => {
    const topic = 'kcatg-static';
    const group = 'kcatg-static-group';
    await createTopic(topic, PARTITIONS);
    // Longer than the restart takes, so only the static identity can explain a takeover without a rebalance.
    const session = { 'session.timeout.ms': LONG_SESSION_TIMEOUT_MS };
    const stayer = startMember(group, [topic], { ...session, 'group.instance.id': 'stayer' });
    const restarter = startMember(group, [topic], { ...session, 'group.instance.id': 'restarter' });
    await waitForBalancedAssignment(topic, [stayer, restarter]);
    const stayerGenerations = stayer.generations;
    const restarterPartitions = restarter.partitionsOf(topic);

    // A crash: static members send no LeaveGroup, and the broker keeps the slot for the session timeout.
    await restarter.stop('SIGKILL');
    const restarted = startMember(group, [topic], { ...session, 'group.instance.id': 'restarter' });
    await waitFor(() => restarted.partitionsOf(topic).length > 0, { timeoutMs: 10_000, what: `the restarted member's assignment:\n${restarted.describe()}` });
    expect(restarted.partitionsOf(topic)).toEqual(restarterPartitions);
    expect(restarted.memberId).not.toBe(restarter.memberId);

    const records = await produce(topic, 'static', PARTITIONS);
    await waitForConsumed([stayer, restarted], topic, records);
    // The stayer never went through another rebalance.
    expect(stayer.generations).toBe(stayerGenerations);
    expect(new Set(restarted.records.map((r) => r.partition))).toEqual(new Set(restarterPartitions));
    const described = await admin.describeGroups([group]);
    expect(described.groups[0].members.map((m) => m.memberId).sort()).toEqual([restarted.memberId, stayer.memberId].sort());
  }, 40_000);

  it('a regex subscription picks up a matching topic created after the consumer started', async () => {
    const group = 'kcatg-regex-group';
    await createTopic('rx-old', 2);
    await createTopic('norx-other', 2);
    const member = startMember(group, ['^rx-.*']);
    await waitFor(() => member.partitionsOf('rx-old').length === 2, { timeoutMs: 15_000, what: `rx-old to be assigned:\n${member.describe()}` });
    const generationBefore = member.generations;

    await createTopic('rx-new', 3);
    await waitFor(() => member.partitionsOf('rx-new').length === 3, { timeoutMs: 15_000, what: `rx-new to be assigned:\n${member.describe()}` });
    expect(member.generations).toBeGreaterThan(generationBefore);
    expect([...member.assignment].sort()).toEqual([...allPartitions('rx-new', 3), ...allPartitions('rx-old', 2)].sort());

    const fresh = await produce('rx-new', 'fresh', 3, 10);
    await produce('norx-other', 'ignored', 2, 10);
    await waitForConsumed([member], 'rx-new', fresh);
    expect(consumedValues([member], 'rx-new').sort()).toEqual([...fresh].sort());
    expect(member.records.filter((r) => !r.topic.startsWith('rx-'))).toEqual([]);
    await waitForCommitted(group, 'rx-new', 10);
  }, 40_000);
});
