import { Injectable, Logger } from '@nestjs/common';
import { BrokerConfig } from '../../../config/broker.config';
import { mayHoldDelayHeader, parseDelay } from '../../../coordinator/delay/delay-headers';
import { heldRecord } from '../../../coordinator/delay/delay-queue-records';
import { DelayService } from '../../../coordinator/delay/delay.service';
import { ErrorCode } from '../../../protocol/errors/error-codes';
import { ProtocolError } from '../../../protocol/protocol-error';
import { ControlRecordType, encodeControlRecordKey } from '../../../protocol/record-batch/control-record';
import { encodeRecordBatch, type RecordInput } from '../../../protocol/record-batch/record-batch-encoder';
import { BATCH_HEADER_SIZE, BatchAttributes, BatchOffsets, CompressionType } from '../../../protocol/record-batch/record-batch-layout';
import { RecordReader } from '../../../protocol/record-batch/record-reader';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '../../../protocol/record-batch/record-batch-view';
import { failedAppend, type AppendOutcome, type Partition } from '../../replica/partition';
import { ProduceBatchValidator } from '../../replica/produce-batch-validator';
import type { ProducerBatch } from '../../replica/producer-state-manager';
import { ReplicaManager, type ProduceEntry } from '../../replica/replica-manager';

/** The control record type of the held-sequence marker: outside Kafka's (0-6), so clients skip it as an unknown control record. */
export const HELD_SEQUENCE_CONTROL_TYPE = 0x6b6e;

/**
 * An idempotent producer's batch whose records were held: one control record spanning the
 * batch's offsets and sequences (the record sits at the last offset, so a consumer that
 * steps past the records it sees lands after the batch).
 */
export function heldSequenceBatch(producerId: number, producerEpoch: number, baseSequence: number, count: number, timestamp: number): Buffer {
  const record = { key: encodeControlRecordKey(HELD_SEQUENCE_CONTROL_TYPE as ControlRecordType), value: null, timestamp, offsetDelta: count - 1 };
  return encodeRecordBatch([record], { control: true, producerId, producerEpoch, baseSequence, lastOffsetDelta: count - 1, baseTimestamp: timestamp });
}

/**
 * The Produce path's turn-off for delayed records (x-delay-level / x-deliver-at). With
 * delay.enable off nothing is looked at; on, an uncompressed batch costs one byte search for
 * "x-del" before anything else, and only a hit (or a compressed batch) is decoded.
 *
 * A batch with delayed records is checked as the ordinary path would check it (leader,
 * framing, CRC, producer sequence), then:
 *  - its delayed records go to their delay queues with the producer's acks, and are
 *    acknowledged once durable there (offset -1: they have none in the topic yet);
 *  - its ordinary records, if any, are appended to the partition after that, as one batch;
 *  - an idempotent producer's sequence range is recorded for the partition at once (so its
 *    next in-flight batch follows on, and a retry is answered as a duplicate), taken back if
 *    the queue append fails, and written to the log as a control batch once the records are
 *    queued (heldSequenceBatch), so followers, a restart and a new leader know it too;
 *  - a bad delay header fails the whole batch with INVALID_RECORD and a message naming it.
 * Transactional batches and batches the checks reject take the ordinary path, which answers them.
 */
@Injectable()
export class DelayedRecords {
  private readonly logger = new Logger('DelayedRecords');
  private readonly validator = new ProduceBatchValidator();
  private readonly reader = new RecordReader();

  constructor(
    private readonly config: BrokerConfig,
    private readonly replicas: ReplicaManager,
    private readonly delays: DelayService,
  ) {}

  /** undefined: no delayed records here, take the ordinary path. */
  divert(acks: number, timeoutMs: number, entry: ProduceEntry): undefined | AppendOutcome | Promise<AppendOutcome> {
    const records = entry.records;
    if (!this.config.delayEnable || records === null || records.length <= BATCH_HEADER_SIZE) return undefined;
    const compressed = (records.readInt16BE(BatchOffsets.attributes) & BatchAttributes.CompressionMask) !== CompressionType.None;
    if (!compressed && !mayHoldDelayHeader(records, BATCH_HEADER_SIZE, records.length)) return undefined;
    const partition = this.replicas.getPartition(entry.topic, entry.partition);
    if (!partition?.isLeader || acks < -1 || acks > 1) return undefined;
    if (this.validator.validate(records, partition.config.maxMessageBytes)) return undefined;
    const batch = this.validator.view;
    if (batch.isTransactional) return undefined;
    let payload: Buffer;
    try {
      payload = batch.recordsPayload(DEFAULT_MAX_DECOMPRESSED_BYTES);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // What cannot be decompressed cannot be looked into: appended as without the feature.
      this.logger.warn(`${partition.key}: a compressed batch was not checked for delay headers: ${error.message}`);
      return undefined;
    }
    if (compressed && !mayHoldDelayHeader(payload, 0, payload.length)) return undefined;
    let split: { held: Map<number, RecordInput[]>; ordinary: RecordInput[] } | undefined;
    try {
      const reader = this.reader.reset(payload, 0, payload.length, batch.recordCount, 0, batch.baseTimestamp, batch.isLogAppendTime ? batch.maxTimestamp : null);
      const parsed = this.split(entry.topic, reader, payload);
      if (typeof parsed === 'string') return { ...failedAppend(ErrorCode.INVALID_RECORD, `${entry.topic}-${entry.partition}: ${parsed}`), batchIndex: 0 };
      split = parsed;
    } catch (error) {
      if (error instanceof ProtocolError) return { ...failedAppend(error.errorCode as ErrorCode, error.message), batchIndex: 0 };
      throw error;
    }
    if (!split) return undefined;

    let recorded: ProducerBatch | undefined;
    const producerId = batch.producerId;
    if (producerId >= 0) {
      const verdict = partition.producers.check(producerId, batch.producerEpoch, batch.baseSequence, batch.lastSequence);
      if (verdict.kind === 'reject') return failedAppend(verdict.errorCode, `${partition.key}: ${verdict.message}`);
      if (verdict.kind === 'duplicate') return this.accepted(partition, verdict.batch.firstOffset);
      // Recorded before the queue append finishes, so the producer's next in-flight batch follows on.
      recorded = { firstSeq: batch.baseSequence, lastSeq: batch.lastSequence, firstOffset: -1, lastOffset: -1, timestamp: batch.maxTimestamp };
      partition.producers.update(producerId, batch.producerEpoch, recorded);
    }
    const { held, ordinary } = split;
    const compression = batch.compression;
    const marker = recorded && heldSequenceBatch(producerId, batch.producerEpoch, batch.baseSequence, batch.lastOffsetDelta + 1, batch.maxTimestamp);
    const forget = (): void => void (recorded && partition.producers.forget(producerId, recorded));
    return this.delays.enqueue(held, acks, timeoutMs).then(async (queued) => {
      if (queued.errorCode !== ErrorCode.NONE) {
        forget();
        return failedAppend(queued.errorCode as ErrorCode, queued.errorMessage ?? 'the delay queue did not take the records');
      }
      let outcome = this.accepted(partition, -1);
      if (ordinary.length > 0) {
        // The producer's sequence range is the marker's; the ordinary rest is written without it.
        const rest = encodeRecordBatch(ordinary, { compression });
        [outcome] = await this.replicas.appendRecords(acks, timeoutMs, [{ topic: entry.topic, partition: entry.partition, records: rest }]);
        // A retry must then write the ordinary records again (the held ones are queued twice: never lost).
        if (outcome.errorCode !== ErrorCode.NONE) {
          forget();
          return outcome;
        }
      }
      if (marker && recorded) {
        const marked = await this.replicas.appendHeldSequence(entry.topic, entry.partition, acks, timeoutMs, marker, recorded);
        if (marked.errorCode !== ErrorCode.NONE) return marked;
      }
      return outcome;
    });
  }

  /** Another broker's scheduler or produce path appended to a delay topic this broker leads. */
  appendedToQueue(topic: string): void {
    this.delays.wake(topic);
  }

  /** The batch's records sorted into delay queues and ordinary ones; a string for a bad header; undefined when none is delayed. */
  private split(topic: string, reader: RecordReader, payload: Buffer): { held: Map<number, RecordInput[]>; ordinary: RecordInput[] } | string | undefined {
    const now = Date.now();
    const levels = this.delays.levelsMs;
    const held = new Map<number, RecordInput[]>();
    const ordinary: RecordInput[] = [];
    while (reader.next()) {
      const delay = parseDelay(reader, payload, levels, now);
      const record = { key: reader.key(), value: reader.value(), timestamp: reader.timestamp, headers: reader.headers() };
      if (delay === undefined) {
        ordinary.push(record);
      } else if ('error' in delay) {
        return `record ${reader.index}: ${delay.error}`;
      } else {
        let queue = held.get(delay.queue);
        if (!queue) held.set(delay.queue, (queue = []));
        queue.push(heldRecord(record, topic, delay.dueMs));
      }
    }
    return held.size === 0 ? undefined : { held, ordinary };
  }

  private accepted(partition: Partition, baseOffset: number): AppendOutcome {
    return { errorCode: ErrorCode.NONE, baseOffset, nextOffset: -1, logAppendTimeMs: -1, logStartOffset: partition.log.logStartOffset };
  }
}
