// The two headers that hold a record back, as any Kafka client can write them
// (kcat -H x-delay-level=3, kafkajs headers, Java's ProducerRecord headers):
//
//   x-delay-level  ASCII decimal level, 1..(number of delay.levels): wait that level's time
//   x-deliver-at   ASCII decimal epoch milliseconds: deliver at that time (a past time: now)
//
// A record carrying both, or a value that is not such a number, is refused with
// INVALID_RECORD and a message naming the header: nothing is silently dropped or ignored.
import { readVarint, type Cursor } from '../../protocol/codec/varint';
import { DELAY_LEVEL_HEADER, DELIVER_AT_HEADER } from '../../protocol/delay-header-names';
import type { RecordReader } from '../../protocol/record-batch/record-reader';

const LEVEL_KEY = Buffer.from(DELAY_LEVEL_HEADER, 'latin1');
const AT_KEY = Buffer.from(DELIVER_AT_HEADER, 'latin1');
const DECIMAL = /^\d{1,16}$/;

/**
 * What the byte search looks for: each key's start as a record encodes it, behind its
 * length (a zigzag varint: 0x1a for x-delay-level's 13 bytes, 0x18 for x-deliver-at's 12).
 * Node's search runs on memchr for a needle's first byte while the needle is short: a
 * control byte is rare in text and JSON, where "x" is not, so this costs a tenth of
 * searching for the bare "x-del" there. Six bytes, as longer needles switch Node to a
 * Boyer-Moore search that builds its tables on every call.
 */
const KEY_NEEDLES = [LEVEL_KEY, AT_KEY].map((key) => Buffer.concat([Buffer.from([key.length << 1]), key.subarray(0, 5)]));

/**
 * The produce path's cheap pre-check: whether `bytes[start, end)` could hold a delay header
 * key. A native byte search per key, no decoding; a false positive (a value that happens
 * to contain the bytes) only costs the full parse.
 */
export function mayHoldDelayHeader(bytes: Buffer, start: number, end: number): boolean {
  for (const needle of KEY_NEEDLES) {
    const at = bytes.indexOf(needle, start);
    if (at >= 0 && at + needle.length <= end) return true;
  }
  return false;
}

/** The last bytes seen before a seam, then the first after it: a key split across seams is found there. */
const seam = Buffer.alloc(2 * Math.max(...KEY_NEEDLES.map((n) => n.length)));

/**
 * mayHoldDelayHeader over a payload in parts (an lz4 batch's blocks), without joining them:
 * each part, and at each seam the bytes before it (across parts shorter than a key too)
 * followed by the first bytes after it, where a key may be split.
 */
export function partsMayHoldDelayHeader(parts: readonly Buffer[]): boolean {
  const reach = seam.length / 2 - 1;
  let carried = 0;
  for (const part of parts) {
    if (mayHoldDelayHeader(part, 0, part.length)) return true;
    const head = part.subarray(0, reach);
    head.copy(seam, carried);
    const joined = carried + head.length;
    if (carried > 0 && mayHoldDelayHeader(seam.subarray(0, joined), 0, joined)) return true;
    // What the next seam needs from before it: the last `reach` bytes so far.
    if (part.length >= reach) {
      part.copy(seam, 0, part.length - reach);
      carried = reach;
    } else {
      carried = Math.min(reach, joined);
      seam.copy(seam, 0, joined - carried, joined);
    }
  }
  return false;
}

/** When a record is due: queue 0 is the deliver-at heap, 1..N the levels. */
export interface DelaySpec {
  readonly queue: number;
  readonly dueMs: number;
}

export type DelayParse = DelaySpec | { readonly error: string } | undefined;

/**
 * The delay the current record of `reader` asks for: undefined when it has neither header,
 * `{ error }` for a bad value. `levelsMs[i]` is level i+1's delay; `nowMs` the arrival time.
 */
export function parseDelay(reader: RecordReader, buf: Buffer, levelsMs: readonly number[], nowMs: number): DelayParse {
  const count = reader.headerCount;
  if (count === 0) return undefined;
  const cursor: Cursor = { offset: reader.headersStart };
  let level: string | null | undefined;
  let at: string | null | undefined;
  for (let i = 0; i < count; i++) {
    const keyLength = readVarint(buf, cursor);
    const keyStart = cursor.offset;
    cursor.offset += keyLength;
    const valueLength = readVarint(buf, cursor);
    const valueStart = cursor.offset;
    cursor.offset += Math.max(0, valueLength);
    const isLevel = keyLength === LEVEL_KEY.length && buf.compare(LEVEL_KEY, 0, keyLength, keyStart, keyStart + keyLength) === 0;
    const isAt = !isLevel && keyLength === AT_KEY.length && buf.compare(AT_KEY, 0, keyLength, keyStart, keyStart + keyLength) === 0;
    if (!isLevel && !isAt) continue;
    const value = valueLength < 0 ? null : buf.toString('latin1', valueStart, valueStart + valueLength).trim();
    const name = isLevel ? DELAY_LEVEL_HEADER : DELIVER_AT_HEADER;
    if ((isLevel ? level : at) !== undefined) return { error: `header ${name} appears more than once` };
    if (isLevel) level = value;
    else at = value;
  }
  if (level === undefined && at === undefined) return undefined;
  if (level !== undefined && at !== undefined) return { error: `a record may carry ${DELAY_LEVEL_HEADER} or ${DELIVER_AT_HEADER}, not both` };
  if (level !== undefined) {
    const n = level !== null && DECIMAL.test(level) ? Number(level) : NaN;
    if (!(n >= 1 && n <= levelsMs.length)) {
      return { error: `header ${DELAY_LEVEL_HEADER} must be an integer from 1 to ${levelsMs.length}, not ${describe(level)}` };
    }
    return { queue: n, dueMs: nowMs + levelsMs[n - 1] };
  }
  const due = at !== null && DECIMAL.test(at!) ? Number(at) : NaN;
  if (!Number.isSafeInteger(due)) {
    return { error: `header ${DELIVER_AT_HEADER} must be a time in epoch milliseconds (decimal digits), not ${describe(at!)}` };
  }
  return { queue: 0, dueMs: due };
}

function describe(value: string | null): string {
  return value === null ? 'null' : `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
}
