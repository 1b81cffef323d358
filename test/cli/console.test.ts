// `kafkanest console-producer | console-consumer` against the built broker: keys and
// headers through Kafka's line format, the print.* properties, where the consumer
// starts (--from-beginning, --partition/--offset, a group's committed offsets) and how
// it ends (--max-messages, --timeout-ms, SIGINT/SIGTERM), and what bad input does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';
import { killRunningClis, runCli, spawnCli } from '../support/cli-run';
import { waitFor } from '../support/wait-for';

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
}, 60_000);

afterEach(() => killRunningClis());

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

const bootstrap = (): string[] => ['--bootstrap-server', broker.bootstrap];
const produce = (topic: string, input: string, ...args: string[]) => runCli(['console-producer', ...bootstrap(), '--topic', topic, ...args], { input });
const consume = (topic: string, ...args: string[]) => runCli(['console-consumer', ...bootstrap(), '--topic', topic, ...args]);
const createTopic = async (topic: string, partitions = 1): Promise<void> => {
  expect(await runCli(['topics', ...bootstrap(), '--create', '--topic', topic, '--partitions', String(partitions)])).toMatchObject({ code: 0 });
};

describe('kafkanest console-producer and console-consumer', () => {
  it('round-trips keys and headers: parse.key and parse.headers in, print.* out', async () => {
    await createTopic('con-keys');
    const produced = await produce(
      'con-keys',
      'trace:abc,tenant:7\tuser-1:{"n":1}\nnone:x\tuser-2:second line\n',
      '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'parse.headers=true',
    );
    expect(produced).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const consumed = await consume(
      'con-keys', '--from-beginning', '--max-messages', '2',
      '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'print.partition=true',
      '--property', 'print.offset=true', '--property', 'print.timestamp=true', '--property', 'key.separator= | ',
    );
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^CreateTime:\d{13} \| Partition:0 \| Offset:0 \| trace:abc,tenant:7 \| user-1 \| \{"n":1\}$/),
      expect.stringMatching(/^CreateTime:\d{13} \| Partition:0 \| Offset:1 \| none:x \| user-2 \| second line$/),
    ]);
    expect(consumed.stderr).toBe('Processed a total of 2 messages\n');
  });

  it('prints values only by default, NO_HEADERS and null for what a record lacks', async () => {
    await createTopic('con-plain');
    await produce('con-plain', 'first\nsecond\n');
    expect((await consume('con-plain', '--from-beginning', '--max-messages', '2')).stdout).toBe('first\nsecond\n');
    const printed = await consume('con-plain', '--from-beginning', '--max-messages', '1', '--property', 'print.key=true', '--property', 'print.headers=true');
    expect(printed.stdout).toBe('NO_HEADERS\tnull\tfirst\n');
  });

  it('reads a partition from an offset, earliest or latest, and stops after --timeout-ms without records', async () => {
    await createTopic('con-offsets');
    await produce('con-offsets', 'a\nb\nc\nd\n');
    const read = (offset: string) => consume('con-offsets', '--partition', '0', '--offset', offset, '--timeout-ms', '1000', '--property', 'print.offset=true');
    expect(await read('2')).toMatchObject({ code: 0, stdout: 'Offset:2\tc\nOffset:3\td\n', stderr: 'Processed a total of 2 messages\n' });
    expect((await read('earliest')).stdout).toBe('Offset:0\ta\nOffset:1\tb\nOffset:2\tc\nOffset:3\td\n');
    expect(await read('latest')).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
  });

  it('with --group, commits what it printed so the next run goes on from there', async () => {
    await createTopic('con-group');
    await produce('con-group', '1\n2\n3\n4\n5\n');
    const first = await consume('con-group', '--group', 'con-g', '--from-beginning', '--max-messages', '2');
    expect(first.stdout).toBe('1\n2\n');
    const second = await consume('con-group', '--group', 'con-g', '--max-messages', '3');
    expect(second.stdout).toBe('3\n4\n5\n');
    const groups = await runCli(['consumer-groups', ...bootstrap(), '--describe', '--group', 'con-g']);
    expect(groups.stdout).toMatch(/con-g\s+con-group\s+0\s+5\s+5\s+0\s/);
  });

  it("takes client settings from --producer.config and --consumer.config files as Kafka's tools do: the flags win over the files", async () => {
    await createTopic('con-config-files');
    const dir = mkdtempSync(join(tmpdir(), 'kafkanest-console-cli-'));
    try {
      // Files as an operator keeps them for Java clients: brokers and serializers included, which the tools set themselves.
      const producerFile = join(dir, 'producer.properties');
      writeFileSync(producerFile, 'bootstrap.servers=127.0.0.1:1\nacks=all\nlinger.ms=5\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n');
      const consumerFile = join(dir, 'consumer.properties');
      writeFileSync(consumerFile, 'bootstrap.servers=127.0.0.1:1\ngroup.id=con-file-group\nauto.offset.reset=earliest\nmax.poll.records=1\n');
      expect(await produce('con-config-files', 'k1:a\nk2:b\nk3:c\n', '--producer.config', producerFile, '--property', 'parse.key=true', '--property', 'key.separator=:')).toMatchObject({ code: 0, stderr: '' });
      // group.id and auto.offset.reset from the file: read from the start, committed under that group.
      const first = await consume('con-config-files', '--consumer.config', consumerFile, '--max-messages', '2', '--property', 'print.key=true');
      expect(first).toMatchObject({ code: 0, stdout: 'k1\ta\nk2\tb\n' });
      const groups = await runCli(['consumer-groups', ...bootstrap(), '--describe', '--group', 'con-file-group']);
      expect(groups.stdout).toMatch(/con-file-group\s+con-config-files\s+0\s+2\s+3\s+1\s/);
      // --consumer-property wins over the file: another group, which starts at the log end.
      const other = await consume('con-config-files', '--consumer.config', consumerFile, '--consumer-property', 'group.id=con-file-other', '--consumer-property', 'auto.offset.reset=latest', '--timeout-ms', '1000');
      expect(other).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
      const next = await consume('con-config-files', '--consumer.config', consumerFile, '--max-messages', '1');
      expect(next.stdout).toBe('c\n');
      const conflicting = await consume('con-config-files', '--consumer.config', consumerFile, '--group', 'con-file-else');
      expect(conflicting.code).toBe(2);
      expect(conflicting.stderr).toMatch(/The group ids provided in different places .* do not match\. Detected group ids: 'con-file-else', 'con-file-group'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('exits 0 on %s, printing what it processed', async (signal) => {
    const topic = `con-signal-${signal.toLowerCase()}`;
    await createTopic(topic);
    // --from-beginning: the record is printed whether it lands before or after the consumer finds the log end.
    const running = spawnCli(['console-consumer', ...bootstrap(), '--topic', topic, '--from-beginning']);
    await produce(topic, 'live\n');
    await waitFor(() => running.stdout() === 'live\n', { timeoutMs: 15_000, what: 'the record to be printed' });
    running.child.kill(signal);
    expect(await running.done).toMatchObject({ code: 0, signal: null, stderr: 'Processed a total of 1 messages\n' });
  });

  it('exits 0 when the reader of its output goes away (| head), committing what it printed', async () => {
    await createTopic('con-pipe');
    await produce('con-pipe', Array.from({ length: 20_000 }, (_, i) => `record-${i}`).join('\n') + '\n');
    const running = spawnCli(['console-consumer', ...bootstrap(), '--topic', 'con-pipe', '--group', 'con-pipe-g', '--from-beginning']);
    await waitFor(() => running.stdout().length > 0, { timeoutMs: 15_000, what: 'the first records' });
    running.child.stdout.destroy();
    const result = await running.done;
    expect(result).toMatchObject({ code: 0, signal: null });
    const printed = Number(/Processed a total of (\d+) messages/.exec(result.stderr)?.[1]);
    expect(printed).toBeGreaterThan(0);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    const described = await runCli(['consumer-groups', ...bootstrap(), '--describe', '--group', 'con-pipe-g']);
    expect(described.stdout).toMatch(new RegExp(`con-pipe-g\\s+con-pipe\\s+0\\s+${printed}\\s+20000\\s`));

    // A reader that keeps reading gets every line: the output is flushed before the process exits.
    const all = await consume('con-pipe', '--from-beginning', '--max-messages', '20000');
    const lines = all.stdout.split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines[19_999]).toBe('record-19999');
  });

  it('exits 1 for a topic or partition that does not exist, with or without a group', async () => {
    for (const args of [[], ['--group', 'con-g-nowhere']]) {
      const result = await consume('con-nowhere', ...args);
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^Error: con-nowhere: UNKNOWN_TOPIC_OR_PARTITION/) });
    }
    await createTopic('con-one-partition');
    const partition = await consume('con-one-partition', '--partition', '3');
    expect(partition).toMatchObject({ code: 1, stdout: '', stderr: 'Error: Partition 3 of topic con-one-partition does not exist (the topic has 1)\n' });
  });

  it('exits 1 with a message, within the configured time, when no broker answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkanest-console-cli-'));
    try {
      const config = join(dir, 'client.properties');
      writeFileSync(config, 'default.api.timeout.ms=1500\n');
      let started = Date.now();
      const consumed = await runCli(['console-consumer', '--bootstrap-server', '127.0.0.1:1', '--topic', 'con-x', '--command-config', config]);
      expect(consumed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: no broker reachable \(tried 127\.0\.0\.1:1\)/) });
      expect(Date.now() - started).toBeLessThan(10_000);
      // Without --command-config, the consumer's own settings bound the topic lookup too.
      started = Date.now();
      const consumedWithProperty = await runCli(['console-consumer', '--bootstrap-server', '127.0.0.1:1', '--topic', 'con-x', '--consumer-property', 'default.api.timeout.ms=1500']);
      expect(consumedWithProperty).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: no broker reachable \(tried 127\.0\.0\.1:1\)/) });
      expect(Date.now() - started).toBeLessThan(10_000);
      started = Date.now();
      const produced = await runCli(['console-producer', '--bootstrap-server', '127.0.0.1:1', '--topic', 'con-x', '--producer-property', 'max.block.ms=1500'], { input: 'lost\n' });
      expect(produced).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: Topic con-x not present in metadata after \d+ ms\n$/) });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 at a line without the key separator, having sent the lines before it; ignore.error sends it as a value', async () => {
    await createTopic('con-bad-line');
    const bad = await produce('con-bad-line', 'k1:good\nno separator\nk3:never\n', '--property', 'parse.key=true', '--property', 'key.separator=:');
    expect(bad).toMatchObject({ code: 1, stderr: "Error: No key separator found on line number 2: 'no separator'\n" });
    const tolerant = await produce('con-bad-line', 'keyless\n', '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'ignore.error=true');
    expect(tolerant.code).toBe(0);
    const consumed = await consume('con-bad-line', '--from-beginning', '--max-messages', '2', '--property', 'print.key=true');
    expect(consumed.stdout).toBe('k1\tgood\nnull\tkeyless\n');
  });

  it.each([
    [['console-consumer', '--topic', 't', '--offset', '3'], /The partition is required when offset is specified/],
    [['console-consumer', '--topic', 't', '--group', 'g', '--partition', '0'], /--group and --partition cannot be specified together/],
    [['console-consumer', '--topic', 't', '--max-messages', '-1'], /--max-messages must be at least 1/],
    [['console-consumer', '--topic', 't', '--property', 'print.colour=true'], /unknown --property 'print.colour'/],
    [['console-consumer'], /Missing required argument "--topic"/],
    [['console-producer', '--topic', 't', '--property', 'key.separator='], /key.separator must not be empty/],
    [['console-producer', '--topic', 't', '--producer-property', 'lingerms=5'], /unknown producer property 'lingerms'/],
    [['console-producer', '--topic', 't', '--producer-property', 'acks=7'], /acks=7: must be all, -1, 0 or 1/],
    [['console-producer', '--topic', 't', '--producer.config', '/nonexistent/producer.properties'], /cannot read \/nonexistent\/producer\.properties/],
    [['console-consumer', '--topic', 't', '--consumer-property', 'session.timeout.ms=10s'], /session.timeout.ms=10s: must be an integer/],
    [['console-consumer', '--topic', 't', '--consumer-property', 'max.poll.recrods=5'], /unknown consumer property 'max.poll.recrods'/],
    [['console-consumer', '--topic', 't', '--from-beginning', '--consumer-property', 'auto.offset.reset=latest'], /Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest'/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await runCli([args[0], ...bootstrap(), ...args.slice(1)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
