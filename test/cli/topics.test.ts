// `kafkanest topics` against the built broker: the create/describe/alter/delete round trip
// in kafka-topics.sh's output format, the failures users meet (a topic that exists or does
// not, an unreachable bootstrap) as exit 1 with one clear line, bad flags as exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';
import { runCli } from '../support/cli-run';

let broker: BrokerProcess;
let workDir: string;

beforeAll(async () => {
  broker = await BrokerProcess.start();
  workDir = mkdtempSync(join(tmpdir(), 'kafkanest-topics-cli-'));
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  rmSync(workDir, { recursive: true, force: true });
}, 30_000);

const topics = (...args: string[]) => runCli(['topics', '--bootstrap-server', broker.bootstrap, ...args]);

describe('kafkanest topics', () => {
  it('creates, lists, describes, grows and deletes a topic in kafka-topics.sh format', async () => {
    const created = await topics('--create', '--topic', 'cli-orders', '--partitions', '2', '--replication-factor', '1', '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=compact');
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic cli-orders.\n', stderr: '' });

    expect((await topics('--list')).stdout.split('\n')).toContain('cli-orders');

    const described = await topics('--describe', '--topic', 'cli-orders');
    expect(described.code).toBe(0);
    const id = broker.brokerId;
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Topic: cli-orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: (cleanup\.policy=compact,retention\.ms=3600000)$/);
    expect(lines.slice(1)).toEqual([
      `\tTopic: cli-orders\tPartition: 0\tLeader: ${id}\tReplicas: ${id}\tIsr: ${id}`,
      `\tTopic: cli-orders\tPartition: 1\tLeader: ${id}\tReplicas: ${id}\tIsr: ${id}`,
    ]);

    expect(await topics('--alter', '--topic', 'cli-orders', '--partitions', '3')).toMatchObject({ code: 0, stderr: '' });
    expect((await topics('--describe', '--topic', 'cli-orders')).stdout).toContain('PartitionCount: 3');

    expect(await topics('--delete', '--topic', 'cli-orders')).toMatchObject({ code: 0, stderr: '' });
    expect((await topics('--list')).stdout.split('\n')).not.toContain('cli-orders');
  });

  it('matches --topic as a regular expression for list and describe', async () => {
    await topics('--create', '--topic', 'cli-re-a', '--partitions', '1');
    await topics('--create', '--topic', 'cli-re-b', '--partitions', '1');
    expect((await topics('--list', '--topic', 'cli-re-.*')).stdout).toBe('cli-re-a\ncli-re-b\n');
    expect((await topics('--describe', '--topic', 'cli-re-b')).stdout).not.toContain('cli-re-a');
  });

  it('exits 1 with one line for a topic that exists, unless --if-not-exists', async () => {
    await topics('--create', '--topic', 'cli-dup', '--partitions', '1');
    expect(await topics('--create', '--topic', 'cli-dup', '--partitions', '1')).toEqual({ code: 1, signal: null, stdout: '', stderr: "Error: Topic 'cli-dup' already exists.\n" });
    expect(await topics('--create', '--topic', 'cli-dup', '--partitions', '1', '--if-not-exists')).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 for a topic that does not exist, unless --if-exists', async () => {
    for (const action of [['--describe'], ['--delete'], ['--alter', '--partitions', '4']]) {
      const result = await topics(...action, '--topic', 'cli-missing');
      expect(result).toMatchObject({ code: 1, stderr: "Error: Topic 'cli-missing' does not exist as expected\n" });
    }
    expect(await topics('--delete', '--topic', 'cli-missing', '--if-exists')).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 with the broker error when a topic cannot shrink or a config is invalid', async () => {
    await topics('--create', '--topic', 'cli-grow', '--partitions', '2');
    const shrink = await topics('--alter', '--topic', 'cli-grow', '--partitions', '1');
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toMatch(/^Error: .*INVALID_PARTITIONS/);
    const badConfig = await topics('--create', '--topic', 'cli-bad-config', '--config', 'retention.ms=soon');
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toMatch(/^Error: .*INVALID_CONFIG/);
  });

  it.each([
    [[], /exactly one action/],
    [['--list', '--describe'], /exactly one action/],
    [['--create'], /Missing required argument "--topic"/],
    [['--create', '--topic', 't', '--partitions', 'two'], /--partitions must be an integer, got 'two'/],
    [['--create', '--topic', 't', '--partitions', '0'], /--partitions must be at least 1/],
    [['--alter', '--topic', 't'], /--alter needs --partitions/],
    [['--list', '--bogus'], /Unknown option '--bogus'/],
    [['--describe', '--config', 'a=b'], /--config is only valid with --create/],
    [['--create', '--topic', 't', '--replica-assignment', '1,,1'], /--replica-assignment: '' for partition 1 is not a list of broker ids/],
    [['--create', '--topic', 't', '--replica-assignment', '1:x'], /--replica-assignment: '1:x' for partition 0 is not a list of broker ids/],
  ])('exits 2 with a usage message for %j', async (args, message) => {
    const result = await topics(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Run 'kafkanest topics --help' for usage.");
  });

  it('exits 2 without --bootstrap-server or with one that is not host:port, and 0 with the usage for --help', async () => {
    const missing = await runCli(['topics', '--list']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/Missing required argument "--bootstrap-server"/) });
    for (const command of ['topics', 'consumer-groups']) {
      const malformed = await runCli([command, '--bootstrap-server', 'localhost', '--list']);
      expect(malformed).toMatchObject({ code: 2, stderr: expect.stringMatching(/bootstrap\.servers entry "localhost" is not host:port/) });
    }
    const help = await runCli(['topics', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kafkanest topics/);
  });

  it('exits 1 naming the address when no broker answers, within the API timeout', async () => {
    const config = join(workDir, 'client.properties');
    writeFileSync(config, '# unreachable\ndefault.api.timeout.ms=1500\nrequest.timeout.ms=1000\n');
    const started = Date.now();
    const result = await runCli(['topics', '--bootstrap-server', '127.0.0.1:1', '--command-config', config, '--list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*127\.0\.0\.1:1/);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
