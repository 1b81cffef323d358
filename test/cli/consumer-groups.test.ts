// `kafkanest consumer-groups` against the built broker, with a real group: an SDK
// consumer that joined, consumed and committed. Describe shows its partitions with lag
// and the member that owns them; reset-offsets prints a plan, refuses while the member
// is there, and changes offsets only with --execute; delete removes the group.
import { BrokerProcess } from '../support/broker-process';
import { runCli } from '../support/cli-run';
import { consumingMember } from '../support/sdk-group-member';
import { waitFor } from '../support/wait-for';

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 } });
  expect(await runCli(['topics', '--bootstrap-server', broker.bootstrap, '--create', '--topic', 'cg-orders', '--partitions', '2'])).toMatchObject({ code: 0 });
  // Ten records keyed '0' and four keyed '1': murmur2 puts the two keys in different partitions.
  const lines = (n: number, p: number) => Array.from({ length: n }, (_, i) => `p${p}-${i}`).join('\n') + '\n';
  for (const [p, n] of [[0, 10], [1, 4]]) {
    const keyed = lines(n, p).split('\n').filter(Boolean).map((l) => `${p}\t${l}`).join('\n');
    expect(await runCli(['console-producer', '--bootstrap-server', broker.bootstrap, '--topic', 'cg-orders', '--property', 'parse.key=true'], { input: keyed })).toMatchObject({ code: 0 });
  }
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

const groups = (...args: string[]) => runCli(['consumer-groups', '--bootstrap-server', broker.bootstrap, ...args]);

/** The table rows of a describe/reset output, split on runs of spaces. */
function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

async function endOffsets(): Promise<number[]> {
  const described = rows((await groups('--describe', '--group', 'cg-app')).stdout).slice(1);
  return described.map((r) => Number(r[4]));
}

describe('kafkanest consumer-groups', () => {
  it('describes a live group (offsets with lag, members, state), refuses to reset it, then resets and deletes it once it is empty', async () => {
    const consumer = await consumingMember({ bootstrap: broker.bootstrap, groupId: 'cg-app', clientId: 'cg-client', topic: 'cg-orders', records: 14 });
    try {
      // Commit less than consumed so the lag is visible: 6 of partition 0, all 4 of partition 1.
      const p0 = { topic: 'cg-orders', partition: 0 };
      const p1 = { topic: 'cg-orders', partition: 1 };
      const logEnds = [await consumer.position(p0), await consumer.position(p1)];
      await consumer.commitSync([{ ...p0, offset: logEnds[0] - 4 }, { ...p1, offset: logEnds[1] }]);

      expect((await groups('--list')).stdout.split('\n')).toContain('cg-app');
      const described = await groups('--describe', '--group', 'cg-app');
      expect(described).toMatchObject({ code: 0, stderr: '' });
      const table = rows(described.stdout);
      expect(table[0]).toEqual(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
      expect(table.slice(1)).toEqual([
        ['cg-app', 'cg-orders', '0', String(logEnds[0] - 4), String(logEnds[0]), '4', expect.stringMatching(/^cg-client-/), expect.stringMatching(/127\.0\.0\.1/), 'cg-client'],
        ['cg-app', 'cg-orders', '1', String(logEnds[1]), String(logEnds[1]), '0', expect.stringMatching(/^cg-client-/), expect.stringMatching(/127\.0\.0\.1/), 'cg-client'],
      ]);

      const members = rows((await groups('--describe', '--group', 'cg-app', '--members')).stdout);
      expect(members[0]).toEqual(['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS']);
      expect(members[1]).toEqual(['cg-app', expect.stringMatching(/^cg-client-/), expect.stringMatching(/127\.0\.0\.1/), 'cg-client', '2']);
      const state = (await groups('--describe', '--group', 'cg-app', '--state')).stdout;
      expect(state).toMatch(/GROUP\s+COORDINATOR \(ID\)\s+ASSIGNMENT-STRATEGY\s+STATE\s+#MEMBERS/);
      expect(state).toMatch(new RegExp(`cg-app\\s+127\\.0\\.0\\.1:${broker.port}\\s+\\(${broker.brokerId}\\)\\s+\\S+\\s+Stable\\s+1`));

      const refused = await groups('--reset-offsets', '--group', 'cg-app', '--topic', 'cg-orders', '--to-earliest', '--execute');
      expect(refused).toMatchObject({ code: 1, stderr: "Error: Assignments can only be reset if the group 'cg-app' is inactive, but the current state is Stable.\n" });
    } finally {
      await consumer.close();
    }
    await waitFor(async () => /no active members/.test((await groups('--describe', '--group', 'cg-app')).stderr), { what: 'the group to be empty' });
    const [logEnd0, logEnd1] = await endOffsets();

    // Without --execute: the plan, a warning, and nothing changed.
    const dryRun = await groups('--reset-offsets', '--group', 'cg-app', '--topic', 'cg-orders', '--to-earliest');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stderr).toMatch(/No action will be performed as the --execute option is missing/);
    expect(rows(dryRun.stdout)).toEqual([
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      ['cg-app', 'cg-orders', '0', '0'],
      ['cg-app', 'cg-orders', '1', '0'],
    ]);
    expect(rows((await groups('--describe', '--group', 'cg-app')).stdout)[1][3]).toBe(String(logEnd0 - 4));

    const executed = await groups('--reset-offsets', '--group', 'cg-app', '--topic', 'cg-orders:1', '--to-earliest', '--execute');
    expect(executed).toMatchObject({ code: 0, stderr: '' });
    expect(rows(executed.stdout).slice(1)).toEqual([['cg-app', 'cg-orders', '1', '0']]);
    let current = rows((await groups('--describe', '--group', 'cg-app')).stdout).slice(1);
    expect(current.map((r) => [r[3], r[5]])).toEqual([
      [String(logEnd0 - 4), '4'],
      ['0', String(logEnd1)],
    ]);

    // --to-offset past the log end is kept at the log end; --shift-by moves from the committed offset.
    expect(rows((await groups('--reset-offsets', '--group', 'cg-app', '--all-topics', '--to-offset', '1000', '--execute')).stdout).slice(1)).toEqual([
      ['cg-app', 'cg-orders', '0', String(logEnd0)],
      ['cg-app', 'cg-orders', '1', String(logEnd1)],
    ]);
    await groups('--reset-offsets', '--group', 'cg-app', '--all-topics', '--shift-by', '-3', '--execute');
    current = rows((await groups('--describe', '--group', 'cg-app')).stdout).slice(1);
    expect(current.map((r) => r[3])).toEqual([String(logEnd0 - 3), String(logEnd1 - 3)]);
    // A time before every record is the log start; one after them all is the log end.
    const beforeAll = await groups('--reset-offsets', '--group', 'cg-app', '--all-topics', '--to-datetime', '2001-01-01T00:00:00.000Z', '--dry-run');
    expect(rows(beforeAll.stdout).slice(1).map((r) => r[3])).toEqual(['0', '0']);
    const future = await groups('--reset-offsets', '--group', 'cg-app', '--all-topics', '--to-datetime', '2100-01-01T00:00:00', '--dry-run');
    expect(rows(future.stdout).slice(1).map((r) => r[3])).toEqual([String(logEnd0), String(logEnd1)]);

    expect(await groups('--delete', '--group', 'cg-app')).toMatchObject({ code: 0, stdout: "Deletion of requested consumer groups ('cg-app') was successful.\n" });
    expect((await groups('--list')).stdout.split('\n')).not.toContain('cg-app');
    expect(await groups('--describe', '--group', 'cg-app')).toMatchObject({ code: 1, stderr: "Error: Consumer group 'cg-app' does not exist.\n" });
  });

  it('exits 1 deleting a group that does not exist', async () => {
    const result = await groups('--delete', '--group', 'cg-never');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: cg-never: GROUP_ID_NOT_FOUND/);
  });

  it.each([
    [[], /exactly one action/],
    [['--describe'], /--describe takes one of these options: --all-groups, --group/],
    [['--reset-offsets', '--group', 'g', '--topic', 't'], /takes exactly one of: --to-earliest/],
    [['--reset-offsets', '--group', 'g', '--to-latest'], /takes one of these options: --all-topics, --topic/],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--to-latest', '--execute', '--dry-run'], /--execute and --dry-run cannot be specified together/],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--to-datetime', 'yesterday'], /--to-datetime 'yesterday' is not YYYY-MM-DDTHH:mm:SS/],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--to-offset', '-5'], /--to-offset must be at least 0/],
    [['--reset-offsets', '--group', 'g', '--topic', 't:x', '--to-latest'], /partition in --topic t:x must be an integer/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await groups(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
