// @platformatic/kafka 1.35 against the built broker. It speaks only flexible versions
// (ApiVersions v3 with no fallback, Metadata >= 9, Fetch by topic id, CreateTopics 7,
// DeleteTopics 6), so it checks the newest encodings we serve. Its group consumer needs
// the coordinator (a later issue); here the consumer reads by explicit partition with
// Consumer.fetch and ListOffsets, no group involved. The library is ESM-only, so each
// scenario runs in platformatic-driver.mjs under plain Node and reports JSON.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';

const DRIVER = join(__dirname, 'platformatic-driver.mjs');

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start();
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

/** Runs one driver scenario; rejects with the client's own error report if it failed. */
function runScenario<T>(scenario: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, broker.bootstrap, scenario], { cwd: join(__dirname, '..', '..') });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(stdout) as T);
      else reject(new Error(`platformatic ${scenario} exited ${code ?? signal}: ${stdout}${stderr}`));
    });
  });
}

interface AdminReport {
  created: Array<{ id: string; name: string; partitions: number; replicas: number }>;
  listed: string[];
  brokers: Array<{ host: string; port: number }>;
  topic: { id: string; partitionsCount: number; partitions: Array<{ leader: number; replicas: number[]; isr: number[] }> };
  listedAfterDelete: string[];
}

interface DataReport {
  sent: Array<{ partition: number; key: string; value: string }>;
  first: { offsets: Array<{ topic: string; partition: number; offset: string }> };
  latest: Record<string, string[]>;
  earliest: Record<string, string[]>;
  topicId: string;
  received: Array<{ topicId: string; partition: number; offset: string; key: string; value: string }>;
  partitionErrors: number[];
}

describe('@platformatic/kafka', () => {
  it('admin creates a topic, lists it, describes it with its topic id and leaders, and deletes it', async () => {
    const report = await runScenario<AdminReport>('admin');
    expect(report.created).toEqual([expect.objectContaining({ name: 'pf-admin', partitions: 3, replicas: 1 })]);
    expect(report.created[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(report.listed).toContain('pf-admin');
    expect(report.brokers.map((b) => [b.host, b.port])).toEqual([['127.0.0.1', broker.port]]);
    expect(report.topic.id).toBe(report.created[0].id);
    expect(report.topic.partitionsCount).toBe(3);
    const id = broker.brokerId;
    expect(report.topic.partitions.map((p) => [p.leader, p.replicas, p.isr])).toEqual(Array(3).fill([id, [id], [id]]));
    expect(report.listedAfterDelete).not.toContain('pf-admin');
  }, 40_000);

  it('producer writes keyed records to explicit partitions; the consumer reads them back by partition without a group', async () => {
    const report = await runScenario<DataReport>('data');
    expect(report.first.offsets.map((o) => [o.partition, o.offset]).sort()).toEqual([
      [0, '0'],
      [1, '0'],
    ]);
    expect(report.latest['pf-data']).toEqual(['11', '10']);
    expect(report.earliest['pf-data']).toEqual(['0', '0']);
    expect(report.partitionErrors).toEqual([0, 0]);
    expect(new Set(report.received.map((r) => r.topicId))).toEqual(new Set([report.topicId]));

    const byKey = (a: { key: string }, b: { key: string }) => Number(a.key.slice(1)) - Number(b.key.slice(1));
    expect(report.received.map(({ partition, key, value }) => ({ partition, key, value })).sort(byKey)).toEqual([...report.sent].sort(byKey));
    for (const p of [0, 1]) {
      expect(report.received.filter((r) => r.partition === p).map((r) => Number(r.offset))).toEqual(Array.from({ length: p === 0 ? 11 : 10 }, (_, i) => i));
    }
  }, 40_000);

  it('round-trips gzip, snappy and lz4 batches (its zstd needs Node >= 22.15): stored with the producer codec, decompressed by the consumer', async () => {
    const report = await runScenario<Record<string, { sent: string[]; errorCode: number; compressionIds: number[]; received: string[] }>>('codecs');
    const ids: Record<string, number> = { gzip: 1, snappy: 2, lz4: 3 };
    for (const [codec, result] of Object.entries(report)) {
      expect({ codec, errorCode: result.errorCode }).toEqual({ codec, errorCode: 0 });
      expect(new Set(result.compressionIds)).toEqual(new Set([ids[codec]]));
      expect(result.received).toEqual(result.sent);
    }
    expect(Object.keys(report).sort()).toEqual(['gzip', 'lz4', 'snappy']);
  }, 40_000);
});
