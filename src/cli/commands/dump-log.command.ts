import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, offsetFromSegmentFileName } from '../../log/log-file-names';
import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchAttributes, CompressionType, RecordBatchView } from '../../protocol/record-batch';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command';
import { booleanFlag, listFlag, toolCommand } from '../tool-flags';

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
    if (file.endsWith(LOG_FILE_SUFFIX)) clean = dumpLog(file, options) && clean;
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

/** The batches of a .log file read whole; `tail` is where framing stopped (file length when every byte is in a batch). */
function batchesOf(buffer: Buffer): { positions: number[]; tail: number } {
  const positions: number[] = [];
  let at = 0;
  while (at + BATCH_LOG_OVERHEAD <= buffer.length) {
    const size = BATCH_LOG_OVERHEAD + buffer.readInt32BE(at + 8);
    if (size < BATCH_HEADER_SIZE || at + size > buffer.length) break;
    positions.push(at);
    at += size;
  }
  return { positions, tail: at };
}

function dumpLog(file: string, options: DumpOptions): boolean {
  const buffer = readFileSync(file);
  const out: string[] = [`Log starting offset: ${baseOffsetOf(file, LOG_FILE_SUFFIX)}`];
  const view = new RecordBatchView();
  const { positions, tail } = batchesOf(buffer);
  let valid = true;
  for (const position of positions) {
    view.wrap(buffer, position, position + BATCH_LOG_OVERHEAD + buffer.readInt32BE(position + 8));
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
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
  }
  if (tail < buffer.length) {
    out.push(`Found ${buffer.length - tail} invalid bytes at the end of ${basename(file)}`);
    valid = false;
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

/** The .log beside an index, read and framed, or undefined (with a note) when there is none. */
function segmentBeside(file: string, suffix: string): { buffer: Buffer; batches: number[] } | undefined {
  const logFile = file.slice(0, -suffix.length) + LOG_FILE_SUFFIX;
  if (!existsSync(logFile)) {
    process.stderr.write(`Cannot verify ${file}: no ${basename(logFile)} beside it\n`);
    return undefined;
  }
  const buffer = readFileSync(logFile);
  return { buffer, batches: batchesOf(buffer).positions };
}

function lastOffsetAt(buffer: Buffer, position: number): number | undefined {
  if (position + BATCH_HEADER_SIZE > buffer.length) return undefined;
  const view = new RecordBatchView(buffer, position, Math.min(buffer.length, position + BATCH_LOG_OVERHEAD + buffer.readInt32BE(position + 8)));
  return view.lastOffset;
}

function dumpOffsetIndex(file: string, options: DumpOptions): boolean {
  const base = baseOffsetOf(file, INDEX_FILE_SUFFIX);
  const index = readFileSync(file);
  const segment = segmentBeside(file, INDEX_FILE_SUFFIX);
  const mismatches: string[] = [];
  const out: string[] = [];
  let previous = -1;
  if (index.length % OFFSET_INDEX_ENTRY !== 0) mismatches.push(`  Index file size ${index.length} is not a multiple of ${OFFSET_INDEX_ENTRY}`);
  for (let at = 0; at + OFFSET_INDEX_ENTRY <= index.length; at += OFFSET_INDEX_ENTRY) {
    const relative = index.readUInt32BE(at);
    const position = index.readUInt32BE(at + 4);
    // A preallocated (Kafka, untrimmed) index ends in zero entries.
    if (at > 0 && relative === 0 && position === 0) break;
    const offset = base + relative;
    if (!options.verifyOnly) out.push(`offset: ${offset} position: ${position}`);
    if (offset <= previous) mismatches.push(`  Index offset: ${offset} is not above the previous entry's ${previous}`);
    previous = offset;
    if (segment) {
      const logOffset = lastOffsetAt(segment.buffer, position);
      if (logOffset === undefined) mismatches.push(`  Index offset: ${offset}, position ${position} is past the log's ${segment.buffer.length} bytes`);
      else if (!segment.batches.includes(position)) mismatches.push(`  Index offset: ${offset}, position ${position} is not where a batch starts`);
      else if (logOffset !== offset) mismatches.push(`  Index offset: ${offset}, log offset: ${logOffset}`);
    }
  }
  if (mismatches.length > 0) out.push(`Mismatches in :${file}`, ...mismatches);
  process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
  return mismatches.length === 0;
}

function dumpTimeIndex(file: string, options: DumpOptions): boolean {
  const base = baseOffsetOf(file, TIME_INDEX_FILE_SUFFIX);
  const index = readFileSync(file);
  const segment = segmentBeside(file, TIME_INDEX_FILE_SUFFIX);
  const view = new RecordBatchView();
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
      const holder = segment.batches.find((p) => view.wrap(segment.buffer, p, p + BATCH_LOG_OVERHEAD + segment.buffer.readInt32BE(p + 8)).lastOffset >= offset);
      if (holder === undefined) problems.push(`Found timestamp mismatch in :${file}\n  Index timestamp: ${timestamp}, offset ${offset} is past the log end`);
      else if (view.maxTimestamp !== timestamp) problems.push(`Found timestamp mismatch in :${file}\n  Index timestamp: ${timestamp}, log timestamp: ${view.maxTimestamp}`);
    }
    if (previousTimestamp >= timestamp) problems.push(`Found out of order timestamp in :${file}\n  Index timestamp: ${timestamp}, Previously indexed timestamp: ${previousTimestamp}`);
    previousTimestamp = timestamp;
  }
  out.push(...problems);
  process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
  return problems.length === 0;
}
