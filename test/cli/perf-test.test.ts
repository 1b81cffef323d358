// `kafkanest producer-perf-test` and `consumer-perf-test` against the built broker: the
// records really arrive, the figures are printed in Kafka's formats, and the progress
// line shows while they run (as whole lines, stdout not being a terminal here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';
import { runCli } from '../support/cli-run';

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0 } });
  expect(await runCli(['topics', '--bootstrap-server', broker.bootstrap, '--create', '--topic', 'perf', '--partitions', '2'])).toMatchObject({ code: 0 });
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

const FINAL_LINE = /^(\d+) records sent, \d+\.\d{6} records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/;
const WINDOW_LINE = /^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/;
const CSV_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const TIME = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}:\\d{3}';

describe('kafkanest perf tests', () => {
  it('producer-perf-test sends the records, prints progress lines while throttled, then the final line', async () => {
    // 600 records at 400/s take 1.5 s: progress every 300 ms shows several windows.
    const result = await runCli([
      'producer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--num-records', '600', '--record-size', '100',
      '--throughput', '400', '--reporting-interval', '300', '--producer-props', 'acks=all', 'linger.ms=1',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    const final = lines.pop()!;
    expect(final).toMatch(FINAL_LINE);
    expect(Number(FINAL_LINE.exec(final)![1])).toBe(600);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(WINDOW_LINE);
    // The throttle held: 600 records at 400/s cannot finish much under 1.5 s.
    const rate = Number(/(\d+\.\d+) records\/sec/.exec(final)![1]);
    expect(rate).toBeLessThan(450);
  });

  it('consumer-perf-test reads what was produced and prints the CSV header and line', async () => {
    const produced = await runCli(['producer-perf-test', '--producer-props', `bootstrap.servers=${broker.bootstrap}`, '--topic', 'perf', '--num-records', '2000', '--record-size', '50', '--throughput', '-1']);
    expect(produced.code).toBe(0);
    const result = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', '2600', '--group', 'perf-g', '--timeout', '10000']);
    expect(result.code).toBe(0);
    const [header, line, ...rest] = result.stdout.trimEnd().split('\n');
    expect(header).toBe(CSV_HEADER);
    expect(rest).toEqual([]);
    const fields = line.split(', ');
    expect(fields).toHaveLength(10);
    expect(fields[0]).toMatch(new RegExp(`^${TIME}$`));
    expect(fields[1]).toMatch(new RegExp(`^${TIME}$`));
    // 600 records of 100 bytes and 2000 of 50.
    expect(fields[4]).toBe('2600');
    expect(Number(fields[2])).toBeCloseTo((600 * 100 + 2000 * 50) / (1024 * 1024), 4);
    for (const i of [3, 5, 8, 9]) expect(fields[i]).toMatch(/^\d+\.\d{4}$/);
    expect(result.stderr).not.toMatch(/WARNING/);
  });

  it('consumer-perf-test warns when the timeout passes before the expected count', async () => {
    const result = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', '100000', '--timeout', '1000', '--hide-header']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/WARNING: Exiting before consuming the expected number of messages: timeout \(1000 ms\) exceeded/);
    expect(result.stdout.split(', ')[4]).toBe('2600');
  });

  it('consumer-perf-test --show-detailed-stats prints a CSV line per reporting interval instead of the total', async () => {
    const result = await runCli([
      'consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', '100000',
      '--timeout', '1500', '--show-detailed-stats', '--reporting-interval', '300',
    ]);
    expect(result.code).toBe(0);
    const [header, ...lines] = result.stdout.trimEnd().split('\n');
    expect(header).toBe('time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${TIME}, 0, \\d+\\.\\d{4}, \\d+\\.\\d{4}, \\d+, \\d+\\.\\d{4}, \\d+, \\d+, \\d+\\.\\d{4}, \\d+\\.\\d{4}$`));
    // Cumulative counts: the last line has every record.
    expect(lines[lines.length - 1].split(', ')[4]).toBe('2600');
  });

  it('takes producer and consumer settings from --producer.config and --consumer.config, --producer-props winning over the file', async () => {
    expect(await runCli(['topics', '--bootstrap-server', broker.bootstrap, '--create', '--topic', 'perf-config', '--partitions', '1'])).toMatchObject({ code: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'kafkanest-perf-cli-'));
    try {
      const producerFile = join(dir, 'producer.properties');
      // The brokers from the file; linger.ms in the file is refused by the producer, so the run succeeds only because --producer-props overrides it.
      writeFileSync(producerFile, `bootstrap.servers=${broker.bootstrap}\nacks=all\nlinger.ms=-1\n`);
      const produced = await runCli(['producer-perf-test', '--producer.config', producerFile, '--topic', 'perf-config', '--num-records', '300', '--record-size', '10', '--throughput', '-1', '--producer-props', 'linger.ms=1']);
      expect(produced).toMatchObject({ code: 0, stderr: '' });
      expect(Number(FINAL_LINE.exec(produced.stdout.trimEnd().split('\n').pop()!)![1])).toBe(300);
      const broken = await runCli(['producer-perf-test', '--producer.config', producerFile, '--topic', 'perf-config', '--num-records', '1', '--record-size', '1', '--throughput', '-1']);
      expect(broken).toMatchObject({ code: 2, stderr: expect.stringMatching(/linger\.ms=-1/) });

      const consumerFile = join(dir, 'consumer.properties');
      writeFileSync(consumerFile, 'group.id=perf-config-group\nmax.poll.records=50\n');
      const consumed = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--consumer.config', consumerFile, '--topic', 'perf-config', '--messages', '300', '--hide-header']);
      expect(consumed.code).toBe(0);
      expect(consumed.stdout.split(', ')[4]).toBe('300');
      const groups = await runCli(['consumer-groups', '--bootstrap-server', broker.bootstrap, '--list']);
      expect(groups.stdout.split('\n')).toContain('perf-config-group');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['producer-perf-test', '--topic', 'perf', '--num-records', '10', '--record-size', '10'], /--throughput/],
    [['producer-perf-test', '--topic', 'perf', '--num-records', '10', '--throughput', '-1'], /Exactly one of --record-size and --payload-file/],
    [['producer-perf-test', '--topic', 'perf', '--num-records', 'ten', '--record-size', '1', '--throughput', '-1'], /--num-records must be an integer/],
    [['producer-perf-test', '--topic', 'perf', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--producer-props', 'acks'], /KEY=VALUE/],
    [['consumer-perf-test', '--topic', 'perf'], /Missing required argument "--messages"/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await runCli([args[0], '--bootstrap-server', broker.bootstrap, ...args.slice(1)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
