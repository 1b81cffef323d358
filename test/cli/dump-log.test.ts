// `kafkanest dump-log` on a segment the built broker wrote: batches and records in
// DumpLogSegments' format, the offset and time indexes checked against the log, and
// damaged copies (a flipped byte, a torn tail, a wrong index entry) reported as invalid
// with exit 1.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaProducer } from '../../src/client/producer/kafka-producer';
import { BrokerProcess } from '../support/broker-process';
import { runCli } from '../support/cli-run';

const SEGMENT = '00000000000000000000';
let broker: BrokerProcess;
let partitionDir: string;
let copies: string;

beforeAll(async () => {
  // An index entry for every batch, so the indexes have something to check.
  broker = await BrokerProcess.start({ settings: { 'log.index.interval.bytes': 1 } });
  expect(await runCli(['topics', '--bootstrap-server', broker.bootstrap, '--create', '--topic', 'dump', '--partitions', '1'])).toMatchObject({ code: 0 });
  const producer = new KafkaProducer<string, string>({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
  try {
    // One record per batch, sent in turn: three batches at offsets 0, 1 and 2.
    await producer.send({ topic: 'dump', key: 'k0', value: 'first', headers: { trace: 'a' } });
    await producer.send({ topic: 'dump', key: null, value: 'second' });
    await producer.send({ topic: 'dump', key: 'k2', value: 'third', headers: { trace: 'b', tenant: '7' } });
  } finally {
    await producer.close();
  }
  // A clean stop writes the indexes out.
  await broker.stop();
  partitionDir = join(broker.logDir, 'dump-0');
  copies = mkdtempSync(join(tmpdir(), 'kafkanest-dump-'));
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
  if (copies) rmSync(copies, { recursive: true, force: true });
}, 30_000);

const segmentFile = (suffix: string, dir = partitionDir) => join(dir, `${SEGMENT}${suffix}`);

/** A copy of the segment's three files in a fresh dir, for damaging. */
function copySegment(name: string): string {
  const dir = join(copies, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const suffix of ['.log', '.index', '.timeindex']) copyFileSync(segmentFile(suffix), segmentFile(suffix, dir));
  return dir;
}

describe('kafkanest dump-log', () => {
  it('prints every batch and, with --print-data-log, every record with key and payload', async () => {
    const result = await runCli(['dump-log', '--files', segmentFile('.log'), '--print-data-log']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dumping ${segmentFile('.log')}`);
    expect(lines[1]).toBe('Log starting offset: 0');
    const batches = lines.filter((l) => l.startsWith('baseOffset:'));
    expect(batches).toHaveLength(3);
    batches.forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(
          `^baseOffset: ${i} lastOffset: ${i} count: 1 baseSequence: -?\\d+ lastSequence: -?\\d+ producerId: -?\\d+ producerEpoch: -?\\d+ partitionLeaderEpoch: \\d+ ` +
            `isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: \\d+ CreateTime: \\d{13} size: \\d+ magic: 2 compresscodec: none crc: \\d+ isvalid: true$`,
        ),
      );
    });
    const records = lines.filter((l) => l.startsWith('| '));
    expect(records).toEqual([
      expect.stringMatching(/^\| offset: 0 CreateTime: \d{13} keySize: 2 valueSize: 5 sequence: -?\d+ headerKeys: \[trace\] key: k0 payload: first$/),
      expect.stringMatching(/^\| offset: 1 CreateTime: \d{13} keySize: -1 valueSize: 6 sequence: -?\d+ headerKeys: \[\] payload: second$/),
      expect.stringMatching(/^\| offset: 2 CreateTime: \d{13} keySize: 2 valueSize: 5 sequence: -?\d+ headerKeys: \[trace,tenant\] key: k2 payload: third$/),
    ]);
    const plain = await runCli(['dump-log', '--files', segmentFile('.log')]);
    expect(plain.stdout).not.toContain('| offset');
  });

  it('prints the offset and time index entries, each matching the log', async () => {
    const positions = batchPositions();
    const result = await runCli(['dump-log', '--files', `${segmentFile('.index')},${segmentFile('.timeindex')}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    const offsetEntries = lines.filter((l) => l.startsWith('offset:'));
    // As in Kafka, an entry is added once more than index.interval.bytes were appended since the last: from the second batch on.
    expect(offsetEntries).toEqual([`offset: 1 position: ${positions[1]}`, `offset: 2 position: ${positions[2]}`]);
    const timeEntries = lines.filter((l) => l.startsWith('timestamp:'));
    expect(timeEntries.length).toBeGreaterThanOrEqual(1);
    for (const line of timeEntries) expect(line).toMatch(/^timestamp: \d{13} offset: [0-2]$/);
    expect(result.stdout).not.toMatch(/Mismatches|mismatch|out of order/);
  });

  it('reports a batch whose bytes changed as isvalid: false and exits 1', async () => {
    const dir = copySegment('flipped');
    const log = readFileSync(segmentFile('.log', dir));
    // The last byte of the first batch is in its record (the value's last character).
    const firstSize = 12 + log.readInt32BE(8);
    log[firstSize - 1] ^= 0xff;
    writeFileSync(segmentFile('.log', dir), log);
    const result = await runCli(['dump-log', '--files', segmentFile('.log', dir), '--print-data-log']);
    expect(result.code).toBe(1);
    const batches = result.stdout.split('\n').filter((l) => l.startsWith('baseOffset:'));
    expect(batches.map((l) => l.endsWith('isvalid: true'))).toEqual([false, true, true]);
    expect(result.stdout).toContain('| records not shown: the batch failed validation');
  });

  it('reports bytes at the end that do not form a batch', async () => {
    const dir = copySegment('torn');
    const size = readFileSync(segmentFile('.log', dir)).length;
    truncateSync(segmentFile('.log', dir), size - 10);
    const result = await runCli(['dump-log', '--files', segmentFile('.log', dir)]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('baseOffset:'))).toHaveLength(2);
    expect(result.stdout).toMatch(/Found \d+ invalid bytes at the end of 00000000000000000000\.log/);
  });

  it('reports index entries that do not match the log', async () => {
    const dir = copySegment('bad-index');
    const index = readFileSync(segmentFile('.index', dir));
    // Point the second entry (offset 2) at the first batch (position 0, whose last offset is 0).
    index.writeUInt32BE(0, 12);
    writeFileSync(segmentFile('.index', dir), index);
    const time = readFileSync(segmentFile('.timeindex', dir));
    time.writeBigInt64BE(time.readBigInt64BE(0) - 5n, 0);
    writeFileSync(segmentFile('.timeindex', dir), time);
    const result = await runCli(['dump-log', '--files', segmentFile('.index', dir), '--files', segmentFile('.timeindex', dir), '--verify-index-only']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Mismatches in :${segmentFile('.index', dir)}\n  Index offset: 2, log offset: 0`);
    expect(result.stdout).toMatch(/Found timestamp mismatch in :.*\.timeindex\n {2}Index timestamp: \d+, log timestamp: \d+/);
    expect(result.stdout).not.toMatch(/^offset: /m);
  });

  it('exits 1 for a file that does not exist and 2 without --files', async () => {
    expect(await runCli(['dump-log', '--files', join(copies, 'nope.log')])).toMatchObject({ code: 1, stderr: expect.stringMatching(/nope\.log does not exist/) });
    expect(await runCli(['dump-log'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Missing required argument "--files"/) });
  });
});

/** Where each batch starts in the segment, read from the framing itself. */
function batchPositions(): number[] {
  const log = readFileSync(segmentFile('.log'));
  const out: number[] = [];
  for (let at = 0; at < log.length; at += 12 + log.readInt32BE(at + 8)) out.push(at);
  return out;
}
