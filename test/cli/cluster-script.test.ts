import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../support/wait-for';

// `npm run cluster` minus the pre-script (the test run has built dist/ already), on free
// ports and a temp data dir so it never collides with a developer's cluster on 9092.
const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'cluster.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 45_000;

interface ScriptRun {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('scripts/cluster.js', () => {
  let dataDir: string;
  let run: ScriptRun | undefined;
  const pids: number[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'kafkanest-cluster-'));
  });

  afterAll(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    // The script's children run in their own process groups: never leave one behind.
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts ZooKeeper and three brokers, reports a broker that dies, and stops the rest on SIGINT with exit 0', async () => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        KAFKANEST_CLUSTER_DIR: dataDir,
        KAFKANEST_CLUSTER_ZK_PORT: '0',
        KAFKANEST_CLUSTER_KAFKA_PORT: '0',
        KAFKANEST_CLUSTER_ADMIN_PORT: '0',
      },
    });
    const current: ScriptRun = {
      child,
      stdout: '',
      stderr: '',
      exited: new Promise((done) => child.once('exit', (code, signal) => done({ code, signal }))),
    };
    run = current;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (current.stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (current.stderr += text));
    const output = (): string => `\n--- stdout ---\n${current.stdout.slice(-4000)}\n--- stderr ---\n${current.stderr.slice(-4000)}`;

    const bootstrap = await waitFor(() => /^cluster +\| bootstrap servers (\S+);/m.exec(current.stdout)?.[1], {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 100,
      what: `the cluster's ready lines${output()}`,
    });
    const zookeeper = /^cluster +\| zookeeper pid (\d+) \(JVM pid (\d+)\)/m.exec(current.stdout);
    const brokerPids = [...current.stdout.matchAll(/^cluster +\| broker-(\d) {2}pid (\d+) {2}kafka (\S+) {2}admin (\S+)$/gm)].map((m) => Number(m[2]));
    expect(zookeeper).not.toBeNull();
    expect(brokerPids).toHaveLength(3);
    pids.push(Number(zookeeper![1]), Number(zookeeper![2]), ...brokerPids);
    for (const name of ['zookeeper', 'broker-0', 'broker-1', 'broker-2']) expect(existsSync(join(dataDir, name))).toBe(true);
    // Every child's lines carry its name.
    expect(current.stdout).toMatch(/^broker-1 +\| kafkanest broker 1 listening on PLAINTEXT:\/\/127\.0\.0\.1:\d+$/m);
    expect(current.stdout).toMatch(/^zookeeper +\| ZooKeeper ready on 127\.0\.0\.1:\d+/m);

    const kafka = new Kafka({ clientId: 'cluster-script-test', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await waitFor(
        async () => {
          const described = await admin.describeCluster();
          return described.brokers.length === 3 ? described : undefined;
        },
        { what: 'three brokers in the metadata' },
      );
      expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
      await admin.createTopics({ topics: [{ topic: 'three-copies', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
      const [partition] = (await admin.fetchTopicMetadata({ topics: ['three-copies'] })).topics[0].partitions;
      expect([...partition.replicas].sort()).toEqual([0, 1, 2]);
    } finally {
      await admin.disconnect();
    }

    process.kill(brokerPids[2], 'SIGKILL');
    await waitFor(() => /broker-2 \(pid \d+\) exited unexpectedly \(signal SIGKILL\); the others keep running/.test(current.stderr), {
      what: `the script to report broker-2's death${output()}`,
    });
    expect(isRunning(brokerPids[0])).toBe(true);
    expect(isRunning(brokerPids[1])).toBe(true);

    child.kill('SIGINT');
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${STOP_TIMEOUT_MS} ms${output()}`)), STOP_TIMEOUT_MS).unref());
    const status = await Promise.race([current.exited, deadline]);
    expect(status).toEqual({ code: 0, signal: null });
    expect(current.stdout).toMatch(/^cluster +\| SIGINT: stopping the brokers, then ZooKeeper$/m);
    expect(current.stdout).toMatch(/^cluster +\| stopped$/m);
    expect(current.stdout).toMatch(/^zookeeper +\| ZooKeeper stopped$/m);
    // Exit 0 already says every child asked to stop exited with 0; none may linger either.
    await waitFor(() => pids.every((pid) => !isRunning(pid)), { timeoutMs: 5_000, what: `no process left among ${pids.join(', ')}` });
  });
});
