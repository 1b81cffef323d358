/**
 * `npm run bench -- protocol`: RecordBatch v2 encode/decode per compression type,
 * CRC-32C candidates, and (when the generic codec is present) a Produce request
 * carrying the batch. Every row is also shown as a ratio to a reference measured in
 * the same run — a plain Buffer copy of the same bytes — so figures from different
 * machines can be compared by shape.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { CompressionType } from '../src/protocol/record-batch/record-batch-layout';
import { crc32c } from '../src/protocol/record-batch/crc32c';
import { crc32cSoftware } from '../src/protocol/record-batch/crc32c-software';
import { encodeRecordBatch, RecordInput } from '../src/protocol/record-batch/record-batch-encoder';
import { RecordBatchView } from '../src/protocol/record-batch/record-batch-view';
import { RecordReader } from '../src/protocol/record-batch/record-reader';
import { printFinalJson } from './support/report';
import { printTable } from './support/table';
import { mbPerSec, measure, Timing } from './support/timing';

const RECORDS = 10_000;
const VALUE_BYTES = 100;
const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 700);

/** Values that compress like real payloads (repeated vocabulary, varying numbers), not like zeros or noise. */
function makeRecords(): RecordInput[] {
  const words = ['order', 'customer', 'amount', 'status', 'shipped', 'pending', 'eur', 'usd', 'sku', 'warehouse', 'priority'];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const now = Date.now();
  return Array.from({ length: RECORDS }, (_, i) => {
    let text = `{"id":${i}`;
    while (text.length < VALUE_BYTES) text += `,"${words[Math.floor(rand() * words.length)]}":${Math.floor(rand() * 100000)}`;
    return { key: null, value: Buffer.from(text.slice(0, VALUE_BYTES)), timestamp: now + i };
  });
}

const records = makeRecords();
const payloadBytes = RECORDS * VALUE_BYTES;
const figures: Record<string, unknown> = { records: RECORDS, valueBytes: VALUE_BYTES };

// Reference: copying the uncompressed batch's bytes, the floor any encoder or decoder sits on.
const plainBatch = encodeRecordBatch(records);
const copyTarget = Buffer.allocUnsafe(plainBatch.length);
const memcpy = measure(() => plainBatch.copy(copyTarget), { minMs: MIN_MS });
const memcpyMBs = mbPerSec(memcpy, plainBatch.length);

// --- batches ---------------------------------------------------------------
interface BatchRow {
  op: string;
  compression: string;
  batchBytes: number;
  timing: Timing;
}
const batchRows: BatchRow[] = [];
const reader = new RecordReader();
let sink = 0;

for (const type of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  const name = CompressionType[type].toLowerCase();
  const batch = encodeRecordBatch(records, { compression: type });
  batchRows.push({ op: 'encode', compression: name, batchBytes: batch.length, timing: measure(() => encodeRecordBatch(records, { compression: type }), { minMs: MIN_MS }) });
  const view = new RecordBatchView(batch);
  if (type === CompressionType.None) {
    batchRows.push({ op: 'validate (header + CRC)', compression: name, batchBytes: batch.length, timing: measure(() => view.validate(), { minMs: MIN_MS }) });
  }
  // The broker's path: validate, then walk every record's framing without building objects.
  batchRows.push({
    op: 'decode (validate + scan)',
    compression: name,
    batchBytes: batch.length,
    timing: measure(() => {
      view.validate();
      const r = view.recordReader(64 * 1024 * 1024, reader);
      while (r.next()) sink += r.valueLength;
    }, { minMs: MIN_MS }),
  });
  // A consumer's path: every record as an object with key/value slices and headers.
  batchRows.push({
    op: 'decode (records as objects)',
    compression: name,
    batchBytes: batch.length,
    timing: measure(() => {
      view.validate();
      for (const r of view.records()) sink += r.value!.length;
    }, { minMs: MIN_MS }),
  });
}

const batchTable = batchRows.map((r) => {
  const mbs = mbPerSec(r.timing, payloadBytes);
  return [r.op, r.compression, r.batchBytes, r.timing.nsPerOp / 1e6, RECORDS * r.timing.opsPerSec, mbs, mbs / memcpyMBs];
});
printTable(
  `RecordBatch v2, ${RECORDS.toLocaleString('en-US')} records x ${VALUE_BYTES}-byte values (MB/s of record values; reference: Buffer copy of the ${plainBatch.length.toLocaleString('en-US')}-byte batch at ${memcpyMBs.toFixed(0)} MB/s)`,
  ['operation', 'compression', 'batch bytes', 'ms/batch', 'records/s', 'MB/s', 'x memcpy'],
  batchTable,
);
figures.memcpyMBs = memcpyMBs;
figures.batch = batchRows.map((r) => ({
  op: r.op,
  compression: r.compression,
  batchBytes: r.batchBytes,
  msPerBatch: r.timing.nsPerOp / 1e6,
  recordsPerSec: RECORDS * r.timing.opsPerSec,
  MBs: mbPerSec(r.timing, payloadBytes),
  ratioToMemcpy: mbPerSec(r.timing, payloadBytes) / memcpyMBs,
}));

// --- CRC-32C candidates --------------------------------------------------------
const crcCandidates: Array<[string, (b: Buffer) => number]> = [
  ['TypeScript slice-by-8', (b) => crc32cSoftware(b)],
  ['@node-rs/crc32 (native)', (b) => nativeCrc32c(b)],
  ['crc32c() entry point', (b) => crc32c(b)],
];
const crcRows: Array<[string, number, number, number]> = [];
const crcFigures: Record<string, Record<string, number>> = {};
for (const size of [64, 256, 1024, 16 * 1024, plainBatch.length]) {
  const data = plainBatch.subarray(0, size);
  const target = Buffer.allocUnsafe(size);
  const copyMBs = mbPerSec(measure(() => data.copy(target), { minMs: MIN_MS / 2 }), size);
  for (const [name, fn] of crcCandidates) {
    const mbs = mbPerSec(measure(() => (sink += fn(data)), { minMs: MIN_MS }), size);
    crcRows.push([name, size, mbs, mbs / copyMBs]);
    (crcFigures[name] ??= {})[`${size}B`] = mbs;
  }
  (crcFigures['Buffer copy (reference)'] ??= {})[`${size}B`] = copyMBs;
}
printTable(
  'CRC-32C, MB/s by input size (x copy: ratio to a Buffer copy of the same bytes)',
  ['implementation', 'bytes', 'MB/s', 'x copy'],
  crcRows,
);
figures.crc32c = crcFigures;

// --- Produce request carrying the batch (needs the generic codec) ----------------
function produceRow(): void {
  let codec: any;
  let schema: any;
  try {
    codec = require('../src/protocol/codec/message-codec');
    schema = require('../src/protocol/schemas/produce.schema');
  } catch (err) {
    console.log(`\nProduce request row skipped: the generic codec is not available (${(err as Error).message.split('\n')[0]})`);
    figures.produce = null;
    return;
  }
  const version = 9;
  const body = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'bench', partitionData: [{ index: 0, records: plainBatch }] }] };
  const apis = new Map([[schema.ProduceApi.apiKey, schema.ProduceApi]]);
  const frame: Buffer = codec.encodeRequest(schema.ProduceApi, version, { correlationId: 1, clientId: 'bench' }, body);
  const encode = measure(() => codec.encodeRequest(schema.ProduceApi, version, { correlationId: 1, clientId: 'bench' }, body), { minMs: MIN_MS });
  const decode = measure(() => {
    const header = codec.decodeRequestHeader(frame, apis);
    const req = codec.decodeRequestBody(schema.ProduceApi, version, frame, header.bodyOffset);
    const view = new RecordBatchView(req.topicData[0].partitionData[0].records);
    view.validate();
  }, { minMs: MIN_MS });
  const rows: Array<[string, number, number, number, number]> = [
    ['encode Produce v9 request', frame.length, encode.nsPerOp / 1e3, mbPerSec(encode, frame.length), mbPerSec(encode, frame.length) / memcpyMBs],
    ['decode Produce v9 + validate batch', frame.length, decode.nsPerOp / 1e3, mbPerSec(decode, frame.length), mbPerSec(decode, frame.length) / memcpyMBs],
  ];
  printTable('Produce request carrying the uncompressed batch (MB/s of request bytes)', ['operation', 'request bytes', 'us/request', 'MB/s', 'x memcpy'], rows);
  figures.produce = { requestBytes: frame.length, encodeUs: encode.nsPerOp / 1e3, decodeAndValidateUs: decode.nsPerOp / 1e3 };
}
produceRow();

if (sink === 0.5) console.log(sink); // keeps results observable so the JIT cannot drop the work
printFinalJson('protocol', figures);
