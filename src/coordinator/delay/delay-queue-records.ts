// What the internal delay topics hold. Each queue partition is one log with three kinds of
// records, told apart by the key of their last header:
//
//   held     the produced record as it came (key, value, timestamp, headers) followed by two
//            headers: __delay.target (the topic, utf-8) and __delay.due (int64 epoch ms)
//   intent   written (acks=all) before a delivery is sent: the target partition, the
//            scheduler's producer epoch and sequence range, and the held records' offsets
//            (JSON in the value; one per delivered batch, not per record)
//   done     written once the target acknowledged the intent at `offset` (JSON {"intent"})
//   state    written before the log's start is moved past delivered records: every target's
//            producer epoch and next sequence, which the trimmed intents carried (JSON)
//
// The scheduler rebuilds everything from this log after a restart or when it takes over a
// partition: held records not named by an intent are pending; an intent without its done
// record is sent again with the same producer id, epoch and sequences, so the target's
// idempotent-producer check turns a delivery that did land into a DUPLICATE answer.
import { readInt64, writeInt64 } from '../../protocol/record-batch/int64';
import type { RecordInput } from '../../protocol/record-batch/record-batch-encoder';
import type { RecordHeader, RecordReader } from '../../protocol/record-batch/record-reader';

export const TARGET_HEADER = '__delay.target';
export const DUE_HEADER = '__delay.due';
export const INTENT_HEADER = '__delay.intent';
export const DONE_HEADER = '__delay.done';
export const STATE_HEADER = '__delay.state';

/** Topic names: the deliver-at heap's log and one log per level. */
export const SCHEDULE_TOPIC = '__delay_schedule';
export const LEVEL_TOPIC_PREFIX = '__delay_level_';

export function levelTopic(level: number): string {
  return `${LEVEL_TOPIC_PREFIX}${String(level).padStart(2, '0')}`;
}

export function queueTopic(queue: number): string {
  return queue === 0 ? SCHEDULE_TOPIC : levelTopic(queue);
}

export interface DeliveryIntent {
  readonly topic: string;
  readonly partition: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** Offsets of the held records in this queue, in delivery order. */
  readonly offsets: readonly number[];
}

/** The scheduler's sequence state at one target partition. */
export interface TargetSequence {
  readonly topic: string;
  readonly partition: number;
  readonly producerEpoch: number;
  readonly nextSequence: number;
}

export type QueueRecord =
  | { readonly kind: 'held'; readonly target: string; readonly dueMs: number }
  | { readonly kind: 'intent'; readonly intent: DeliveryIntent }
  | { readonly kind: 'done'; readonly intentOffset: number }
  | { readonly kind: 'state'; readonly targets: readonly TargetSequence[] }
  | { readonly kind: 'unknown' };

/** A produced record to hold: its own fields plus where and when it goes. */
export function heldRecord(record: RecordInput & { headers: readonly RecordHeader[] }, target: string, dueMs: number): RecordInput {
  const due = Buffer.allocUnsafe(8);
  writeInt64(due, 0, dueMs);
  return {
    key: record.key,
    value: record.value,
    timestamp: record.timestamp,
    headers: [...record.headers, { key: TARGET_HEADER, value: Buffer.from(target, 'utf8') }, { key: DUE_HEADER, value: due }],
  };
}

/** The record delivered for a held one: the produced key, value, timestamp and headers. */
export function deliveredRecord(reader: RecordReader): RecordInput {
  const headers = reader.headers();
  return { key: reader.key(), value: reader.value(), timestamp: reader.timestamp, headers: headers.slice(0, Math.max(0, headers.length - 2)) };
}

export function intentRecord(intent: DeliveryIntent, timestamp: number): RecordInput {
  const json = { topic: intent.topic, partition: intent.partition, epoch: intent.producerEpoch, seq: intent.baseSequence, offsets: intent.offsets };
  return { key: null, value: Buffer.from(JSON.stringify(json)), timestamp, headers: [{ key: INTENT_HEADER, value: null }] };
}

export function doneRecord(intentOffset: number, timestamp: number): RecordInput {
  return { key: null, value: Buffer.from(JSON.stringify({ intent: intentOffset })), timestamp, headers: [{ key: DONE_HEADER, value: null }] };
}

export function stateRecord(targets: readonly TargetSequence[], timestamp: number): RecordInput {
  const rows = targets.map((t) => [t.topic, t.partition, t.producerEpoch, t.nextSequence]);
  return { key: null, value: Buffer.from(JSON.stringify({ targets: rows })), timestamp, headers: [{ key: STATE_HEADER, value: null }] };
}

/** Reads the kind of the reader's current record from its last header. */
export function readQueueRecord(reader: RecordReader): QueueRecord {
  if (reader.headerCount === 0) return UNKNOWN;
  const headers = reader.headers();
  const last = headers[headers.length - 1];
  switch (last.key) {
    case DUE_HEADER: {
      const target = headers[headers.length - 2];
      if (!last.value || last.value.length !== 8 || target?.key !== TARGET_HEADER || !target.value) return UNKNOWN;
      return { kind: 'held', target: target.value.toString('utf8'), dueMs: readInt64(last.value, 0) };
    }
    case INTENT_HEADER: {
      const json = parseJson(reader.value());
      if (!json || typeof json.topic !== 'string' || !Array.isArray(json.offsets)) return UNKNOWN;
      return {
        kind: 'intent',
        intent: { topic: json.topic, partition: Number(json.partition), producerEpoch: Number(json.epoch), baseSequence: Number(json.seq), offsets: json.offsets.map(Number) },
      };
    }
    case DONE_HEADER: {
      const json = parseJson(reader.value());
      return json && Number.isSafeInteger(json.intent) ? { kind: 'done', intentOffset: json.intent } : UNKNOWN;
    }
    case STATE_HEADER: {
      const json = parseJson(reader.value());
      if (!json || !Array.isArray(json.targets)) return UNKNOWN;
      const targets = (json.targets as unknown[][]).map(([topic, partition, epoch, next]) => ({
        topic: String(topic),
        partition: Number(partition),
        producerEpoch: Number(epoch),
        nextSequence: Number(next),
      }));
      return { kind: 'state', targets };
    }
    default:
      return UNKNOWN;
  }
}

const UNKNOWN: QueueRecord = { kind: 'unknown' };

function parseJson(value: Buffer | null): Record<string, any> | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}
