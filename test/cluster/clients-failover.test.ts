// Unmodified clients across every failover the cluster suite makes: kcat (librdkafka),
// kafkajs and our SDK each produce (idempotent, acks=all) and each consume in a group of
// its own, while three brokers on the test ZooKeeper are killed in turn (the controller
// among them, and with each one the group it coordinates) and one is frozen until its
// ZooKeeper session expires. Nobody restarts a client: each must find the new leaders and
// the new coordinator by itself (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, lost
// connections), every record a producer was told is written must be in the topic exactly
// once, and every group must read every one of them. The groups' committed offsets, read
// from ZooKeeper before and after each failover, never go back: a new coordinator carries
// on from what its predecessor stored instead of resetting the group.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Kafka, logLevel, type Consumer as KafkajsConsumer, type Producer as KafkajsProducer } from 'kafkajs';
import { ensureKcatInstalled } from '../../scripts/kcat';
import { ConsumerGroupMetadata } from '../../src/zk/accessors/consumer-group-metadata';
import type { BrokerProcess } from '../support/broker-process';
import { clientFailoverSettings, groupCoordinatedBy, ZkCluster } from '../support/cluster-harness';
import { SequenceLoad } from '../support/cluster-load';
import { PollingMember } from '../support/sdk-group-member';
import { waitFor } from '../support/wait-for';

const SESSION_MS = 4_000;
const BROKERS = 3;
const PARTITIONS = 3;
const TOPIC = 'clients-failover';
/** Records each producer sends per second while brokers fail, and in all. */
const RATE = 150;
const TOTAL = 20_000;
/** Held back until finish(), so that pacing (about 100 s of it) never runs out before the failures are over. */
const RESERVE = 5_000;
const CONSUMER_SESSION_MS = 6_000;
/** How long a client named patient in progressSince() may take to make progress. */
const PATIENT_MS = 75_000;
/**
 * kafkajs refreshes metadata after a request timeout only once its metadata has aged
 * (metadataMaxAge, 5 minutes by default): against a frozen leader, which neither answers nor
 * resets, it would retry there until then. A kafkajs user who expects failover sets it lower.
 */
const KAFKAJS_METADATA_MAX_AGE_MS = 1_000;

/** Lines a child process writes to stdout, split as they come. */
function collectLines(child: ChildProcessWithoutNullStreams, onLine: (line: string) => void): void {
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line) onLine(line);
  });
}

function kcat(args: string[]): { child: ChildProcessWithoutNullStreams; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(ensureKcatInstalled(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** librdkafka settings that make kcat notice a moved leader or coordinator in test time. */
const KCAT_SETTINGS = [
  ...['topic.metadata.refresh.interval.ms=500', 'retry.backoff.ms=100', 'reconnect.backoff.max.ms=500'],
  // A frozen broker neither answers nor resets: requests to it are given up after this, as with the SDK's.
  'socket.timeout.ms=5000',
].flatMap((setting) => ['-X', setting]);

/** `kcat -P`: idempotent, acks=all, fed `kcat-N` lines (keyed by themselves) at a steady pace until finish(). */
class KcatProducer {
  private readonly proc;
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(bootstrap: string) {
    this.proc = kcat(['-P', '-b', bootstrap, '-t', TOPIC, '-K', '|', '-X', 'enable.idempotence=true', '-X', 'acks=all', '-X', 'linger.ms=5', ...KCAT_SETTINGS]);
  }

  get sentCount(): number {
    return this.sent;
  }

  start(): void {
    const started = Date.now();
    this.timer = setInterval(() => this.sendUpTo(Math.min(TOTAL - RESERVE, Math.floor(((Date.now() - started) * RATE) / 1000))), 20);
  }

  /** Sends the rest, closes stdin and waits for kcat to flush and exit (0 only if every record was delivered). */
  async finish(): Promise<string[]> {
    clearInterval(this.timer);
    this.sendUpTo(TOTAL);
    this.proc.child.stdin.end();
    const code = await this.proc.exited;
    if (code !== 0) throw new Error(`kcat -P exited ${code}:\n${this.proc.stderr()}`);
    return Array.from({ length: TOTAL }, (_, i) => `kcat-${i}`);
  }

  kill(): void {
    clearInterval(this.timer);
    this.proc.child.kill('SIGKILL');
  }

  private sendUpTo(due: number): void {
    let lines = '';
    for (; this.sent < due; this.sent++) lines += `kcat-${this.sent}|kcat-${this.sent}\n`;
    if (lines) this.proc.child.stdin.write(lines);
  }
}

/** kafkajs's idempotent producer, sending `kafkajs-N` in small batches at a steady pace; keeps what was acknowledged. */
class KafkajsLoad {
  readonly acknowledged: string[] = [];
  readonly failures: Error[] = [];
  private sent = 0;
  private running: Promise<void> | undefined;
  private unpaced = false;
  private abandoned = false;

  constructor(private readonly producer: KafkajsProducer) {}

  get sentCount(): number {
    return this.sent;
  }

  start(): void {
    this.running = this.run();
  }

  async finish(): Promise<void> {
    this.unpaced = true;
    await this.running;
  }

  /** Stops sending (cleanup after a failed test). */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.running;
  }

  private async run(): Promise<void> {
    const started = Date.now();
    while (this.sent < TOTAL && !this.abandoned) {
      const due = this.unpaced ? TOTAL : Math.min(TOTAL - RESERVE, Math.floor(((Date.now() - started) * RATE) / 1000));
      const first = this.sent;
      const values = Array.from({ length: Math.min(due - first, 200) }, (_, i) => `kafkajs-${first + i}`);
      this.sent += values.length;
      if (values.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      // One partition per send(), one send at a time (maxInFlightRequests 1, so kafkajs keeps
      // its sequences in order). A send spanning partitions on several brokers is not safe
      // across a leader change in kafkajs 2.2: its retry skips every broker that answered the
      // first attempt, so records of a partition that moved to such a broker are reported
      // sent without ever being sent (tulios/kafkajs#1798), and its sequences drift into
      // OUT_OF_ORDER_SEQUENCE_NUMBER after it.
      for (let p = 0; p < PARTITIONS; p++) {
        const batch = values.filter((_, i) => (first + i) % PARTITIONS === p);
        if (batch.length === 0) continue;
        try {
          await this.producer.send({ topic: TOPIC, acks: -1, messages: batch.map((value) => ({ key: value, value, partition: p })) });
          this.acknowledged.push(...batch);
        } catch (error) {
          this.failures.push(error as Error);
        }
      }
    }
  }
}

/** Values seen by one group's consumer; duplicates counted, as at-least-once allows them. */
class Seen {
  readonly values = new Set<string>();
  duplicates = 0;

  add(value: string): void {
    if (this.values.has(value)) this.duplicates++;
    else this.values.add(value);
  }

  missing(expected: readonly string[]): string[] {
    return expected.filter((value) => !this.values.has(value));
  }
}

describe('kcat, kafkajs and the SDK across broker failures', () => {
  let cluster: ZkCluster;
  let offsetsInZk: ConsumerGroupMetadata;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    cluster = await ZkCluster.start({
      size: BROKERS,
      label: 'clients-failover',
      settings: clientFailoverSettings(SESSION_MS),
    });
    offsetsInZk = new ConsumerGroupMetadata(cluster.store);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await cluster?.dispose();
  }, 60_000);

  it('all produce and consume on by themselves while every broker is killed in turn and one is frozen past its session', async () => {
    await cluster.createTopic(TOPIC, PARTITIONS, BROKERS, { 'min.insync.replicas': '2' });
    const topics = new Map([[TOPIC, PARTITIONS]]);
    await cluster.waitForFullIsrs(topics, BROKERS);

    // One group per client, each coordinated by a different broker, so every kill moves one.
    const groups = { sdk: groupCoordinatedBy('sdk-group', 0, BROKERS), kafkajs: groupCoordinatedBy('kafkajs-group', 1, BROKERS), kcat: groupCoordinatedBy('kcat-group', 2, BROKERS) };
    const seen = { sdk: new Seen(), kafkajs: new Seen(), kcat: new Seen() };

    // Consumers first, reading from the earliest offset, so nothing produced is skipped.
    const sdkMember = new PollingMember({
      bootstrapServers: cluster.bootstrapServers,
      groupId: groups.sdk,
      topics: [TOPIC],
      sessionTimeoutMs: CONSUMER_SESSION_MS,
      onValue: (value) => seen.sdk.add(value),
    });
    cleanups.push(() => sdkMember.close());

    const kafka = new Kafka({
      clientId: 'clients-failover',
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2_000 },
      requestTimeout: 5_000,
    });
    const kafkajsConsumer: KafkajsConsumer = kafka.consumer({
      groupId: groups.kafkajs,
      sessionTimeout: CONSUMER_SESSION_MS,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
      metadataMaxAge: KAFKAJS_METADATA_MAX_AGE_MS,
    });
    await kafkajsConsumer.connect();
    cleanups.push(() => kafkajsConsumer.disconnect());
    await kafkajsConsumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await kafkajsConsumer.run({ autoCommitInterval: 500, eachMessage: async ({ message }) => seen.kafkajs.add(message.value!.toString()) });

    const kcatConsumer = kcat([
      '-b', cluster.bootstrapServers.join(','), '-G', groups.kcat, '-u', '-f', '%s\n',
      '-X', 'auto.offset.reset=earliest', '-X', `session.timeout.ms=${CONSUMER_SESSION_MS}`, '-X', 'heartbeat.interval.ms=500', '-X', 'fetch.wait.max.ms=200',
      ...KCAT_SETTINGS, TOPIC,
    ]);
    kcatConsumer.child.stdin.end();
    collectLines(kcatConsumer.child, (line) => seen.kcat.add(line));
    cleanups.push(async () => {
      kcatConsumer.child.kill('SIGTERM');
      await kcatConsumer.exited;
    });

    // Producers.
    const sdkLoad = new SequenceLoad({ bootstrapServers: cluster.bootstrapServers, topic: TOPIC, partitions: PARTITIONS, tag: 'sdk', total: TOTAL, ratePerSecond: RATE, reserve: RESERVE });
    cleanups.push(() => sdkLoad.abandon());
    const kafkajsProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, metadataMaxAge: KAFKAJS_METADATA_MAX_AGE_MS });
    await kafkajsProducer.connect();
    cleanups.push(() => kafkajsProducer.disconnect());
    const kafkajsLoad = new KafkajsLoad(kafkajsProducer);
    cleanups.push(() => kafkajsLoad.abandon());
    const kcatProducer = new KcatProducer(cluster.bootstrapServers.join(','));
    cleanups.push(() => kcatProducer.kill());
    sdkLoad.start();
    kafkajsLoad.start();
    kcatProducer.start();

    // Every group reads and commits before the first failure.
    for (const group of Object.values(groups)) {
      await waitFor(async () => (await offsetsInZk.fetchAllOffsets(group)).get(TOPIC)?.size === PARTITIONS, { timeoutMs: 30_000, what: `${group} to commit every partition` });
    }

    /** Committed offsets of every group, from ZooKeeper; they must never go back. */
    const committed = new Map<string, number[]>();
    const checkCommittedNeverGoBack = async (): Promise<void> => {
      for (const group of Object.values(groups)) {
        const now = (await offsetsInZk.fetchAllOffsets(group)).get(TOPIC) ?? new Map();
        const offsets = Array.from({ length: PARTITIONS }, (_, p) => now.get(p)?.offset ?? -1);
        const before = committed.get(group) ?? offsets;
        offsets.forEach((offset, p) => expect({ group, partition: p, offset: Math.max(offset, before[p]) }).toEqual({ group, partition: p, offset }));
        committed.set(group, offsets);
      }
    };
    await checkCommittedNeverGoBack();

    /**
     * Every client has made progress since the last failure: records acknowledged to each
     * producer and read by each group. Within 30 s, or PATIENT_MS for the clients named
     * `patient`; the `exempt` are not held to it.
     */
    const progressSince = async (what: string, { exempt = [], patient = [] }: { exempt?: readonly string[]; patient?: readonly string[] } = {}): Promise<void> => {
      const counts = (): Record<string, number> => ({
        'sdk producer': sdkLoad.acknowledged.size,
        'kafkajs producer': kafkajsLoad.acknowledged.length,
        'kcat producer (sent)': kcatProducer.sentCount,
        ...Object.fromEntries(Object.entries(seen).map(([name, s]) => [`${name} group`, s.values.size])),
      });
      const marks = counts();
      const held = Object.keys(marks).filter((name) => !exempt.includes(name));
      const progressed = (names: string[]): boolean => {
        const now = counts();
        return names.every((name) => now[name] > marks[name] + RATE / 2);
      };
      const started = Date.now();
      try {
        await waitFor(() => progressed(held.filter((name) => !patient.includes(name))), { timeoutMs: 30_000 });
        await waitFor(() => progressed(held), { timeoutMs: PATIENT_MS - (Date.now() - started) });
      } catch {
        throw new Error(`not every client made progress ${what}: ${JSON.stringify(marks)} then ${JSON.stringify(counts())}`);
      }
      await checkCommittedNeverGoBack();
    };

    const restartAndHeal = async (broker: BrokerProcess): Promise<void> => {
      await broker.restart();
      await cluster.waitForFullIsrs(topics, BROKERS, 30_000);
    };

    // Each broker killed in turn: the leaders it held and the group it coordinates move, and
    // one of the kills is the controller's.
    const controllerBefore = await cluster.controllerId();
    for (const victim of [...cluster.brokers]) {
      await victim.kill();
      await progressSince(`with broker ${victim.brokerId} dead`);
      await restartAndHeal(victim);
    }
    expect(await cluster.controllerId()).not.toBe(-1);
    expect(controllerBefore).toBeGreaterThanOrEqual(0);

    // One frozen past its ZooKeeper session, then let go.
    const frozen = cluster.brokers[1];
    cluster.pause(frozen);
    // Cleanups run last-first: a failed test lets it go before the clients say goodbye to it.
    cleanups.push(() => frozen.isAlive() && cluster.resume(frozen));
    await waitFor(async () => !(await cluster.isRegistered(frozen.brokerId)), { timeoutMs: SESSION_MS + 5_000, intervalMs: 50, what: 'the frozen broker\'s session to expire' });
    // kafkajs's consumer keeps sending metadata and commit requests to a frozen broker (which
    // neither answers nor resets) until 5 retries of request timeouts crash it and it restarts
    // itself, with a back-off that grows per crash: sometimes within the freeze, sometimes only
    // after. So its group is held to carrying on once the broker is back, like everyone after.
    // kafkajs's producer asks one connected broker, picked at random, for metadata, and on a
    // request timeout it retries rather than asking another: it can pick the frozen broker
    // several times running (each pick costing its 5 s request timeout) before it learns the
    // new leaders from a live one. It must still get past it while the broker is frozen.
    await progressSince(`with broker ${frozen.brokerId} frozen`, { exempt: ['kafkajs group'], patient: ['kafkajs producer'] });
    cluster.resume(frozen);
    await cluster.waitForFullIsrs(topics, BROKERS, 30_000);
    await progressSince('after the frozen broker came back');

    // The rest is sent at once; every producer must have had every record acknowledged.
    const [kcatValues] = await Promise.all([kcatProducer.finish(), sdkLoad.finish(), kafkajsLoad.finish()]);
    expect(sdkLoad.failures.map((f) => f.error.message)).toEqual([]);
    expect(kafkajsLoad.failures.map((f) => f.message)).toEqual([]);
    const sdkValues = [...sdkLoad.acknowledged.keys()];
    expect(sdkValues).toHaveLength(TOTAL);
    expect(kafkajsLoad.acknowledged).toHaveLength(TOTAL);
    const everything = [...sdkValues, ...kafkajsLoad.acknowledged, ...kcatValues];

    // Each exactly once in the topic: idempotence held across every leader change.
    const inTopic = new Map<string, string[]>();
    for (let p = 0; p < PARTITIONS; p++) {
      const leader = cluster.byId((await cluster.state(TOPIC, p)).leader);
      const { offsets, values } = await cluster.readPartition(leader, TOPIC, p);
      values.forEach((value, i) => inTopic.set(value, [...(inTopic.get(value) ?? []), `${p}@${offsets[i]}`]));
    }
    expect(everything.filter((value) => inTopic.get(value)?.length !== 1).map((value) => `${value} at [${inTopic.get(value) ?? []}]`)).toEqual([]);
    expect(inTopic.size).toBe(everything.length);

    // Every group read every record.
    for (const [name, s] of Object.entries(seen)) {
      await waitFor(() => s.missing(everything).length === 0, { timeoutMs: 30_000, what: `the ${name} group to read all ${everything.length} records (missing ${s.missing(everything).slice(0, 5).join(', ')}...)` });
    }
    expect(sdkMember.errors).toEqual([]);
    await checkCommittedNeverGoBack();
  }, 240_000);
});
