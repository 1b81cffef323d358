import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, offsetFromSegmentFileName } from '../../log/log-file-names';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchAttributes, CompressionType, RecordBatchView } from '../../protocol/record-batch';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command';
import { booleanFlag, listFlag, toolCommand, writeOut } from '../tool-flags';

const OPTIONS = {
  files: { type: 'string', multiple: true },
  'print-data-log': { type: 'boolean' },
  'deep-iteration': { type: 'boolean' },
  'verify-index-only': { type: 'boolean' },
} as const;

const USAGE = [
  'Usage: kafkanest dump-log --files FILE[,FILE...] [--print-data-log] [--deep-iteration] [--verify-index-only]',
  '',
  "Prints segment files as Kafka's DumpLogSegments does, read-only (a running broker's",
  'files may be dumped):',
  '  .log        every batch (offsets, producer, timestamps, size, CRC and whether it is',
  '              valid) and, with --deep-iteration or --print-data-log, every record',
  '  .index      every entry (offset: N position: P), checked against the .log beside it',
  '  .timeindex  every entry (timestamp: T offset: O), checked against the .log',
  'Exits 1 when a batch is invalid, bytes at the end do not form a batch, or an index',
  'entry does not match the log.',
  '',
  'Options:',
  '  --files FILE[,FILE...]  REQUIRED: the files to dump; repeatable',
  '  --print-data-log        print each record with its key and value',
  '  --deep-iteration        print each record (without key and value)',
  '  --verify-index-only     for index files: print only the mismatches',
  '  -h, --help              show this help',
].join('\n');

const COMPRESSION_NAMES: Record<number, string> = {
  [CompressionType.None]: 'none',
  [CompressionType.Gzip]: 'gzip',
  [CompressionType.Snappy]: 'snappy',
  [CompressionType.Lz4]: 'lz4',
  [CompressionType.Zstd]: 'zstd',
};
const OFFSET_INDEX_ENTRY = 8;
const TIME_INDEX_ENTRY = 12;

interface DumpOptions {
  readonly printRecords: boolean;
  readonly printData: boolean;
  readonly verifyOnly: boolean;
}

export const dumpLogCommand = toolCommand({ name: 'dump-log', usage: USAGE, options: OPTIONS }, async (values) => {
  const files = listFlag(values, 'files').flatMap((f) => f.split(',')).filter((f) => f !== '');
  if (files.length === 0) throw new UsageError('Missing required argument "--files"');
  const printData = booleanFlag(values, 'print-data-log');
  const options: DumpOptions = { printData, printRecords: printData || booleanFlag(values, 'deep-iteration'), verifyOnly: booleanFlag(values, 'verify-index-only') };
  let clean = true;
  for (const file of files) {
    if (!existsSync(file)) {
      process.stderr.write(`Error: ${file} does not exist\n`);
      clean = false;
      continue;
    }
    process.stdout.write(`Dumping ${file}\n`);
    if (file.endsWith(LOG_FILE_SUFFIX)) clean = (await dumpLog(file, options)) && clean;
    else if (file.endsWith(INDEX_FILE_SUFFIX)) clean = dumpOffsetIndex(file, options) && clean;
    else if (file.endsWith(TIME_INDEX_FILE_SUFFIX)) clean = dumpTimeIndex(file, options) && clean;
    else process.stderr.write(`Ignoring unknown file ${file}: not a .log, .index or .timeindex file\n`);
  }
  return clean ? EXIT_OK : EXIT_FAILURE;
});

function baseOffsetOf(file: string, suffix: string): number {
  const base = offsetFromSegmentFileName(basename(file), suffix);
  if (base === undefined) throw new UsageError(`${file}: a segment file is named by its 20-digit base offset`);
  return base;
}

/**
 * A .log file read batch by batch with positioned reads, so a 1 GiB segment is dumped in
 * the memory of its largest batch. `headerAt` reads only a batch's fixed header (enough
 * to check an index entry); `batchAt` the whole batch.
 */
class SegmentFile {
  readonly size: number;
  private readonly fd: number;
  private readonly header = Buffer.alloc(BATCH_HEADER_SIZE);
  private readonly headerView = new RecordBatchView(this.header);

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The header of the batch at `position`, or undefined when no whole batch starts there. */
  headerAt(position: number): RecordBatchView | undefined {
    if (position + BATCH_HEADER_SIZE > this.size) return undefined;
    readSync(this.fd, this.header, 0, BATCH_HEADER_SIZE, position);
    const size = BATCH_LOG_OVERHEAD + this.headerView.batchLength;
    return size >= BATCH_HEADER_SIZE && position + size <= this.size ? this.headerView : undefined;
  }

  batchAt(position: number, size: number): Buffer {
    const batch = Buffer.allocUnsafe(size);
    readSync(this.fd, batch, 0, size, position);
    return batch;
  }

  /** Where each batch starts, in order; `tail` is where framing stopped (the file size when every byte is in a batch). */
  *positions(): Generator<number, number> {
    let at = 0;
    for (let header = this.headerAt(at); header; header = this.headerAt(at)) {
      yield at;
      at += BATCH_LOG_OVERHEAD + header.batchLength;
    }
    return at;
  }
}

async function dumpLog(file: string, options: DumpOptions): Promise<boolean> {
  const segment = new SegmentFile(file);
  const view = new RecordBatchView();
  let valid = true;
  let out: string[] = [`Log starting offset: ${baseOffsetOf(file, LOG_FILE_SUFFIX)}`];
  try {
    const positions = segment.positions();
    let next = positions.next();
    for (; !next.done; next = positions.next()) {
      const position = next.value;
      view.wrap(segment.batchAt(position, BATCH_LOG_OVERHEAD + segment.headerAt(position)!.batchLength));
      const error = view.validationError();
      if (error) valid = false;
      const timestampType = view.isLogAppendTime ? 'LogAppendTime' : 'CreateTime';
      const deleteHorizon = (view.attributes & BatchAttributes.DeleteHorizon) !== 0 ? `OptionalLong[${view.baseTimestamp}]` : 'OptionalLong.empty';
      out.push(
        `baseOffset: ${view.baseOffset} lastOffset: ${view.lastOffset} count: ${view.recordCount} baseSequence: ${view.baseSequence} lastSequence: ${view.lastSequence} ` +
          `producerId: ${view.producerId} producerEpoch: ${view.producerEpoch} partitionLeaderEpoch: ${view.partitionLeaderEpoch} isTransactional: ${view.isTransactional} ` +
          `isControl: ${view.isControl} deleteHorizonMs: ${deleteHorizon} position: ${position} ${timestampType}: ${view.maxTimestamp} size: ${view.sizeInBytes} ` +
          `magic: ${view.magic} compresscodec: ${COMPRESSION_NAMES[view.compression] ?? `unknown(${view.compression})`} crc: ${view.crc >>> 0} isvalid: ${error === null}`,
      );
      if (options.printRecords) out.push(...recordLines(view, timestampType, options.printData, error !== null));
      if (out.length >= 1000) {
        await writeOut(`${out.join('\n')}\n`);
        out = [];
      }
    }
    if (next.value < segment.size) {
      out.push(`Found ${segment.size - next.value} invalid bytes at the end of ${basename(file)}`);
      valid = false;
    }
  } finally {
    segment.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return valid;
}

function recordLines(view: RecordBatchView, timestampType: string, printData: boolean, corrupt: boolean): string[] {
  if (corrupt) return ['| records not shown: the batch failed validation'];
  const lines: string[] = [];
  try {
    const reader = view.recordReader();
    while (reader.next()) {
      const record = reader.toRecord();
      const key = record.key;
      const value = record.value;
      const sequence = view.baseSequence >= 0 ? view.baseSequence + record.offsetDelta : -1;
      let line =
        `| offset: ${record.offset} ${timestampType}: ${record.timestamp} keySize: ${key?.length ?? -1} valueSize: ${value?.length ?? -1} ` +
        `sequence: ${sequence} headerKeys: [${record.headers.map((h) => h.key).join(',')}]`;
      if (printData) {
        if (key !== null) line += ` key: ${key.toString('utf8')}`;
        line += ` payload: ${value === null ? 'null' : value.toString('utf8')}`;
      }
      lines.push(line);
    }
  } catch (error) {
    lines.push(`| records could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return lines;
}

/** The .log beside an index, or undefined (with a note) when there is none. */
function segmentBeside(file: string, suffix: string): SegmentFile | undefined {
  const logFile = file.slice(0, -suffix.length) + LOG_FILE_SUFFIX;
  if (!existsSync(logFile)) {
    process.stderr.write(`Cannot verify ${file}: no ${basename(logFile)} beside it\n`);
    return undefined;
  }
  return new SegmentFile(logFile);
}

function dumpOffsetIndex(file: string, options: DumpOptions): boolean {
  const base = baseOffsetOf(file, INDEX_FILE_SUFFIX);
  const index = readFileSync(file);
  const segment = segmentBeside(file, INDEX_FILE_SUFFIX);
  const starts = segment ? new Set(segment.positions()) : undefined;
  const mismatches: string[] = [];
  const out: string[] = [];
  let previous = -1;
  if (index.length % OFFSET_INDEX_ENTRY !== 0) mismatches.push(`  Index file size ${index.length} is not a multiple of ${OFFSET_INDEX_ENTRY}`);
  try {
    for (let at = 0; at + OFFSET_INDEX_ENTRY <= index.length; at += OFFSET_INDEX_ENTRY) {
      const relative = index.readUInt32BE(at);
      const position = index.readUInt32BE(at + 4);
      // A preallocated (Kafka, untrimmed) index ends in zero entries.
      if (at > 0 && relative === 0 && position === 0) break;
      const offset = base + relative;
      if (!options.verifyOnly) out.push(`offset: ${offset} position: ${position}`);
      if (offset <= previous) mismatches.push(`  Index offset: ${offset} is not above the previous entry's ${previous}`);
      previous = offset;
      if (!segment) continue;
      const header = segment.headerAt(position);
      if (!header) mismatches.push(`  Index offset: ${offset}, no batch at position ${position} of the log's ${segment.size} bytes`);
      else if (!starts!.has(position)) mismatches.push(`  Index offset: ${offset}, position ${position} is not where a batch starts`);
      else if (header.lastOffset !== offset) mismatches.push(`  Index offset: ${offset}, log offset: ${header.lastOffset}`);
    }
  } finally {
    segment?.close();
  }
  if (mismatches.length > 0) out.push(`Mismatches in :${file}`, ...mismatches);
  process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
  return mismatches.length === 0;
}

function dumpTimeIndex(file: string, options: DumpOptions): boolean {
  const base = baseOffsetOf(file, TIME_INDEX_FILE_SUFFIX);
  const index = readFileSync(file);
  const segment = segmentBeside(file, TIME_INDEX_FILE_SUFFIX);
  // Each batch's last offset and max timestamp, to find the batch an entry's offset is in.
  const batches: Array<{ lastOffset: number; maxTimestamp: number }> = [];
  if (segment) {
    for (const position of segment.positions()) {
      const header = segment.headerAt(position)!;
      batches.push({ lastOffset: header.lastOffset, maxTimestamp: header.maxTimestamp });
    }
  }
  segment?.close();
  const out: string[] = [];
  const problems: string[] = [];
  let previousTimestamp = -1;
  if (index.length % TIME_INDEX_ENTRY !== 0) problems.push(`Index file size ${index.length} of ${file} is not a multiple of ${TIME_INDEX_ENTRY}`);
  for (let at = 0; at + TIME_INDEX_ENTRY <= index.length; at += TIME_INDEX_ENTRY) {
    const timestamp = Number(index.readBigInt64BE(at));
    const offset = base + index.readUInt32BE(at + 8);
    if (at > 0 && timestamp === 0 && offset === base) break;
    if (!options.verifyOnly) out.push(`timestamp: ${timestamp} offset: ${offset}`);
    if (segment) {
      const holder = batches[firstAtOrAfter(batches, offset)];
      if (!holder) problems.push(`Found timestamp mismatch in :${file}\n  Index timestamp: ${timestamp}, offset ${offset} is past the log end`);
      else if (holder.maxTimestamp !== timestamp) problems.push(`Found timestamp mismatch in :${file}\n  Index timestamp: ${timestamp}, log timestamp: ${holder.maxTimestamp}`);
    }
    if (previousTimestamp >= timestamp) problems.push(`Found out of order timestamp in :${file}\n  Index timestamp: ${timestamp}, Previously indexed timestamp: ${previousTimestamp}`);
    previousTimestamp = timestamp;
  }
  out.push(...problems);
  process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
  return problems.length === 0;
}

/** The index of the first batch whose last offset is at least `offset` (batches.length when none): batches are in offset order. */
function firstAtOrAfter(batches: ReadonlyArray<{ lastOffset: number }>, offset: number): number {
  let low = 0;
  let high = batches.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (batches[mid].lastOffset < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
