import { encodeRecordBatch } from '../../protocol/record-batch/record-batch-encoder';
import type { RecordHeader } from '../../protocol/record-batch/record-reader';
import { RecordBatchView } from '../../protocol/record-batch/record-batch-view';
import { BATCH_HEADER_SIZE } from '../../protocol/record-batch/record-batch-layout';
import { mayHoldDelayHeader, parseDelay, partsMayHoldDelayHeader } from './delay-headers';

const LEVELS = [1000, 5000, 10_000];
const NOW = 1_800_000_000_000;

function parse(headers: RecordHeader[]): ReturnType<typeof parseDelay> {
  const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers }]);
  const view = new RecordBatchView(batch);
  const payload = view.recordsPayload();
  const reader = view.recordReader();
  reader.next();
  return parseDelay(reader, payload, LEVELS, NOW);
}

const text = (key: string, value: string | null): RecordHeader => ({ key, value: value === null ? null : Buffer.from(value) });

describe('delay headers', () => {
  it('reads x-delay-level N as level N, due after that level’s delay', () => {
    expect(parse([text('x-delay-level', '2')])).toEqual({ queue: 2, dueMs: NOW + 5000 });
    expect(parse([text('trace', 'abc'), text('x-delay-level', ' 3 ')])).toEqual({ queue: 3, dueMs: NOW + 10_000 });
  });

  it('reads x-deliver-at as a time for the heap, a past time included (delivered at once)', () => {
    expect(parse([text('x-deliver-at', String(NOW + 42))])).toEqual({ queue: 0, dueMs: NOW + 42 });
    expect(parse([text('x-deliver-at', '1000')])).toEqual({ queue: 0, dueMs: 1000 });
  });

  it('leaves records without either header alone', () => {
    expect(parse([])).toBeUndefined();
    expect(parse([text('x-delay', '1'), text('x-deliver', '5')])).toBeUndefined();
  });

  it.each([
    ['0', 'from 1 to 3'],
    ['4', 'from 1 to 3'],
    ['-1', 'from 1 to 3'],
    ['two', "not 'two'"],
    ['1.5', "not '1.5'"],
    [null, 'not null'],
  ])('refuses x-delay-level %p with a message naming the header', (value, message) => {
    const result = parse([text('x-delay-level', value)]);
    expect(result).toEqual({ error: expect.stringContaining('x-delay-level') });
    expect((result as { error: string }).error).toContain(message);
  });

  it.each([['soon'], ['-5'], ['1e12'], [null], ['99999999999999999']])('refuses x-deliver-at %p', (value) => {
    expect(parse([text('x-deliver-at', value)])).toEqual({ error: expect.stringContaining('x-deliver-at must be a time in epoch milliseconds') });
  });

  it('refuses both headers on one record, and either twice', () => {
    expect(parse([text('x-delay-level', '1'), text('x-deliver-at', '5')])).toEqual({ error: expect.stringContaining('not both') });
    expect(parse([text('x-delay-level', '1'), text('x-delay-level', '2')])).toEqual({ error: expect.stringContaining('more than once') });
  });

  it('finds the header keys by a byte search over an uncompressed batch', () => {
    const delayed = encodeRecordBatch([{ value: Buffer.from('v'), headers: [text('x-delay-level', '1')] }]);
    const plain = encodeRecordBatch([{ value: Buffer.from('v'), headers: [text('x-request-id', '1')] }]);
    const deliverAt = encodeRecordBatch([{ value: Buffer.from('v'), headers: [text('x-deliver-at', '1')] }]);
    // The keys' bytes in a value, not behind a header key's length, are no header.
    const inValue = encodeRecordBatch([{ value: Buffer.from('x-delay-level x-deliver-at'), headers: [text('x-delay', '1')] }]);
    expect(mayHoldDelayHeader(delayed, BATCH_HEADER_SIZE, delayed.length)).toBe(true);
    expect(mayHoldDelayHeader(deliverAt, BATCH_HEADER_SIZE, deliverAt.length)).toBe(true);
    expect(mayHoldDelayHeader(plain, BATCH_HEADER_SIZE, plain.length)).toBe(false);
    expect(mayHoldDelayHeader(inValue, BATCH_HEADER_SIZE, inValue.length)).toBe(false);
    // Only [start, end) counts.
    expect(mayHoldDelayHeader(delayed, BATCH_HEADER_SIZE, BATCH_HEADER_SIZE + 3)).toBe(false);
  });

  it('finds a header key in a payload in parts, wherever a seam splits it', () => {
    const payload = new RecordBatchView(encodeRecordBatch([{ value: Buffer.from('v'.repeat(40)), headers: [text('x-deliver-at', '1')] }])).recordsPayload();
    const plain = new RecordBatchView(encodeRecordBatch([{ value: Buffer.from('a value naming x-deliver-at'), headers: [text('trace', '1')] }])).recordsPayload();
    const key = payload.indexOf('x-deliver-at') - 1;
    for (let cut = key - 2; cut <= key + 8; cut++) {
      expect(partsMayHoldDelayHeader([payload.subarray(0, cut), payload.subarray(cut)])).toBe(true);
      // Split across two seams (a middle part shorter than the key), and into single bytes.
      expect(partsMayHoldDelayHeader([payload.subarray(0, cut), payload.subarray(cut, cut + 3), payload.subarray(cut + 3)])).toBe(true);
    }
    expect(partsMayHoldDelayHeader(Array.from(payload, (byte) => Buffer.from([byte])))).toBe(true);
    expect(partsMayHoldDelayHeader([Buffer.alloc(0), payload, Buffer.alloc(0)])).toBe(true);
    for (let cut = 0; cut <= plain.length; cut++) expect(partsMayHoldDelayHeader([plain.subarray(0, cut), plain.subarray(cut)])).toBe(false);
    expect(partsMayHoldDelayHeader(Array.from(plain, (byte) => Buffer.from([byte])))).toBe(false);
  });
});
