/**
 * Log append and read throughput, each beside a raw loop doing the same I/O on the same
 * disk in the same run: appends vs sequential positioned writes of the same buffers,
 * log reads (whole batches, 1 MiB fetches) vs sequential positioned reads of a raw file
 * in 1 MiB chunks. The ratio is the figure to watch (target: appends >= 70% of raw).
 *
 *   npm run bench -- log                       temp dir under os.tmpdir()
 *   BENCH_LOG_DIR=/data npm run bench -- log   another disk
 *   BENCH_LOG_MIB=512 ...                      volume per run (default 256 MiB)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLogConfig } from '../src/log/log-config';
import { LogManager } from '../src/log/log-manager';
import { encodeRecordBatch } from '../src/protocol/record-batch/record-batch-encoder';
import { RecordBatchSplitter } from '../src/protocol/record-batch/record-batch-splitter';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';

const MIB = 1024 * 1024;
const volume = Number(process.env.BENCH_LOG_MIB ?? 256) * MIB;
const rounds = 3;
const readChunk = MIB;
const quietLogger = { log: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

/** One batch of about `targetBytes` made of `recordBytes`-byte values. */
function makeBatch(targetBytes: number, recordBytes: number): { batch: Buffer; records: number } {
  const count = Math.max(1, Math.floor((targetBytes - 61) / (recordBytes + 12)));
  const value = Buffer.alloc(recordBytes, 'x');
  const batch = encodeRecordBatch(Array.from({ length: count }, () => ({ value })));
  return { batch, records: count };
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function rawWrite(file: string, chunk: Buffer, total: number): number {
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < total; pos += chunk.length) fs.writeSync(fd, chunk, 0, chunk.length, pos);
  const elapsed = seconds(start);
  fs.closeSync(fd);
  return elapsed;
}

function rawRead(file: string, total: number): number {
  const fd = fs.openSync(file, 'r');
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < total; pos += readChunk) {
    // A fresh buffer per read, as a fetch needs one it can hand to a socket.
    fs.readSync(fd, Buffer.allocUnsafe(readChunk), 0, readChunk, pos);
  }
  const elapsed = seconds(start);
  fs.closeSync(fd);
  return elapsed;
}

async function logRun(dir: string, batch: Buffer, total: number): Promise<{ append: number; read: number; bytesRead: number }> {
  const manager = new LogManager(resolveLogConfig({ logDirs: [dir] }), { logger: quietLogger });
  manager.startup();
  const log = manager.getOrCreateLog({ topic: 'bench', partition: 0 });
  const start = process.hrtime.bigint();
  for (let written = 0; written < total; written += batch.length) log.append(batch);
  const append = seconds(start);

  const readStart = process.hrtime.bigint();
  let offset = 0;
  let bytesRead = 0;
  const split = new RecordBatchSplitter();
  const end = log.logEndOffset;
  while (offset < end) {
    const { records } = log.read(offset, readChunk);
    bytesRead += records.length;
    // A consumer continues after the last batch it received.
    split.reset(records);
    while (split.next()) offset = split.view.nextOffset;
  }
  const read = seconds(readStart);
  await manager.shutdown();
  return { append, read, bytesRead };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(process.env.BENCH_LOG_DIR ?? os.tmpdir(), 'kafkanest-bench-log-'));
  const rows: (string | number)[][] = [];
  const figures: Record<string, unknown> = { volumeMiB: volume / MIB, dir: root };
  try {
    for (const [label, batchBytes, recordBytes] of [
      ['16 KiB', 16 * 1024, 100],
      ['1 MiB', MIB, 1000],
    ] as const) {
      const { batch, records } = makeBatch(batchBytes, recordBytes);
      const total = Math.floor(volume / batch.length) * batch.length;
      const best = { raw: Infinity, append: Infinity, rawRead: Infinity, read: Infinity };
      for (let round = 0; round < rounds; round++) {
        const rawFile = path.join(root, 'raw.bin');
        best.raw = Math.min(best.raw, rawWrite(rawFile, batch, total));
        best.rawRead = Math.min(best.rawRead, rawRead(rawFile, total));
        fs.rmSync(rawFile);
        const logDir = path.join(root, `log-${round}`);
        const run = await logRun(logDir, batch, total);
        if (run.bytesRead !== total) throw new Error(`read back ${run.bytesRead} of ${total} bytes`);
        best.append = Math.min(best.append, run.append);
        best.read = Math.min(best.read, run.read);
        fs.rmSync(logDir, { recursive: true, force: true });
      }
      const mbps = (t: number) => total / MIB / t;
      const recordsTotal = (total / batch.length) * records;
      rows.push([`append ${label}`, mbps(best.append), recordsTotal / best.append, mbps(best.raw), best.raw / best.append]);
      rows.push([`read ${label}`, mbps(best.read), recordsTotal / best.read, mbps(best.rawRead), best.rawRead / best.read]);
      figures[`append_${batchBytes}`] = { MiBps: mbps(best.append), recordsPerSec: recordsTotal / best.append, rawMiBps: mbps(best.raw), ratio: best.raw / best.append };
      figures[`read_${batchBytes}`] = { MiBps: mbps(best.read), recordsPerSec: recordsTotal / best.read, rawMiBps: mbps(best.rawRead), ratio: best.rawRead / best.read };
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  printTable(`log throughput, best of ${rounds} runs of ${volume / MIB} MiB (ratio = log / raw loop, same disk, same run)`, ['case', 'MiB/s', 'records/s', 'raw MiB/s', 'ratio'], rows);
  printFinalJson('log', figures);
}

void main();
