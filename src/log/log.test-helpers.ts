import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeRecordBatch } from '../protocol/record-batch/record-batch-encoder';
import { RecordBatchSplitter } from '../protocol/record-batch/record-batch-splitter';
import { LogLogger, TopicLogConfig, DEFAULT_LOG_CONFIG, topicConfig } from './log-config';
import { LogDirIo } from './log-dir-io';
import { PartitionLog, PartitionLogOptions } from './partition-log';

/** A temp dir removed by the returned cleanup. */
export function makeTempDir(prefix = 'kafkanest-log-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A batch of `count` records (values `value-<i>` padded to `valueBytes`), timestamps from `timestamp`. */
export function makeBatch(count = 1, options: { timestamp?: number; valueBytes?: number; tag?: string } = {}): Buffer {
  const timestamp = options.timestamp ?? 1_700_000_000_000;
  const records = Array.from({ length: count }, (_, i) => {
    const text = `${options.tag ?? 'value'}-${i}`;
    const value = Buffer.alloc(Math.max(options.valueBytes ?? text.length, text.length), ' ');
    value.write(text);
    return { value, timestamp: timestamp + i };
  });
  return encodeRecordBatch(records, { baseTimestamp: timestamp });
}

export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
  valid: boolean;
}

/** Splits read results into their batches (header fields and CRC validity). */
export function batchesIn(records: Buffer): BatchInfo[] {
  const split = new RecordBatchSplitter(records);
  const out: BatchInfo[] = [];
  while (split.next()) {
    const v = split.view;
    out.push({ baseOffset: v.baseOffset, lastOffset: v.lastOffset, maxTimestamp: v.maxTimestamp, size: split.size, valid: v.validationError() === null });
  }
  return out;
}

/** A logger that keeps what it was told, for assertions on recovery messages. */
export class CollectingLogger implements LogLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export function testTopicConfig(overrides: Partial<TopicLogConfig> = {}): TopicLogConfig {
  return topicConfig({ ...DEFAULT_LOG_CONFIG, logDirs: ['unused'], fileDeleteDelayMs: 0 }, overrides);
}

/** Opens a PartitionLog directly (no LogManager) in `dir`. */
export function openLog(dir: string, overrides: Partial<TopicLogConfig> = {}, options: Partial<PartitionLogOptions> = {}): PartitionLog {
  return PartitionLog.open({
    tp: { topic: 'test', partition: 0 },
    dir,
    config: testTopicConfig(overrides),
    io: options.io ?? new LogDirIo(path.dirname(dir)),
    logger: options.logger ?? new CollectingLogger(),
    now: options.now ?? Date.now,
    ...options,
  });
}

/** Every batch in the log, read segment by segment from the start. */
export function readAll(log: PartitionLog): BatchInfo[] {
  const out: BatchInfo[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const batches = batchesIn(log.read(offset, 1 << 20).records);
    if (batches.length === 0) throw new Error(`read at ${offset} returned nothing before the log end ${log.logEndOffset}`);
    out.push(...batches);
    offset = batches[batches.length - 1].lastOffset + 1;
  }
  return out;
}
