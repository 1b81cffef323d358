import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokerConfig } from '../../../config/broker.config';
import { mayHoldDelayHeader, parseDelay, partsMayHoldDelayHeader } from '../../../coordinator/delay/delay-headers';
import { heldRecord } from '../../../coordinator/delay/delay-queue-records';
import { clusterChangeOrPause, type DelayCluster } from '../../../coordinator/delay/delay-cluster';
import { DELAY_CLUSTER, DelayService } from '../../../coordinator/delay/delay.service';
import { ErrorCode, isRetriable } from '../../../protocol/errors/error-codes';
import { ProtocolError } from '../../../protocol/protocol-error';
import { ControlRecordType, encodeControlRecordKey } from '../../../protocol/record-batch/control-record';
import { encodeRecordBatch, type RecordInput } from '../../../protocol/record-batch/record-batch-encoder';
import { BATCH_HEADER_SIZE, BatchAttributes, BatchOffsets, CompressionType } from '../../../protocol/record-batch/record-batch-layout';
import { RecordReader } from '../../../protocol/record-batch/record-reader';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, RecordBatchView } from '../../../protocol/record-batch/record-batch-view';
import { failedAppend, type AppendOutcome, type Partition } from '../../replica/partition';
import { ProduceBatchValidator } from '../../replica/produce-batch-validator';
import type { ProducerBatch } from '../../replica/producer-state-manager';
import { ReplicaManager, type ProduceEntry } from '../../replica/replica-manager';

/** The control record type of the held-sequence marker: outside Kafka's (0-6), so clients skip it as an unknown control record. */
export const HELD_SEQUENCE_CONTROL_TYPE = 0x6b6e;

/** How long a held sequence range waits for news of its partition's new leader before trying again. */
const LEADER_RETRY_PAUSE_MS = 100;

/**
 * An idempotent producer's batch with held and ordinary records: the ordinary ones, in order,
 * at the last offsets of the batch's whole sequence range (a batch with a gap before them, as
 * compaction leaves them), so records and range are written as one, and a consumer that steps
 * past the records it sees lands after the batch.
 */
function sequencedRest(ordinary: readonly RecordInput[], batch: RecordBatchView): Buffer {
  const first = batch.lastOffsetDelta - ordinary.length + 1;
  return encodeRecordBatch(ordinary.map((record, i) => ({ ...record, offsetDelta: first + i })), {
    compression: batch.compression,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
}

/**
 * An idempotent producer's batch whose records were all held: one control record spanning the
 * batch's offsets and sequences (the record sits at the last offset, so a consumer that
 * steps past the records it sees lands after the batch).
 */
export function heldSequenceBatch(producerId: number, producerEpoch: number, baseSequence: number, count: number, timestamp: number): Buffer {
  const record = { key: encodeControlRecordKey(HELD_SEQUENCE_CONTROL_TYPE as ControlRecordType), value: null, timestamp, offsetDelta: count - 1 };
  return encodeRecordBatch([record], { control: true, producerId, producerEpoch, baseSequence, lastOffsetDelta: count - 1, baseTimestamp: timestamp });
}

/**
 * The Produce path's turn-off for delayed records (x-delay-level / x-deliver-at). With
 * delay.enable off nothing is looked at; on, an uncompressed batch costs a byte search for
 * each key (mayHoldDelayHeader) before anything else, a compressed one its decompression
 * too, and only a hit is decoded.
 *
 * A batch with delayed records is checked as the ordinary path would check it (leader,
 * framing, CRC, producer sequence), then:
 *  - its delayed records go to their delay queues with the producer's acks, and are
 *    acknowledged once durable there (offset -1: they have none in the topic yet);
 *  - its ordinary records, if any, are appended to the partition after that, as one batch;
 *  - an idempotent producer's sequence range is recorded for the partition at once (so its
 *    next in-flight batch follows on, and a retry is answered as a duplicate), taken back if
 *    the queue append fails, and written to the log once the records are queued — with the
 *    ordinary records (sequencedRest) or as a control batch (heldSequenceBatch) — so
 *    followers, a restart and a new leader know it too; if the leader moved meanwhile, it is
 *    sent on to the new one before the producer is answered (writeSequenceRange);
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
    @Inject(DELAY_CLUSTER) private readonly cluster: DelayCluster,
  ) {}

  /** undefined: no delayed records here, take the ordinary path. */
  divert(acks: number, timeoutMs: number, entry: ProduceEntry): undefined | AppendOutcome | Promise<AppendOutcome> {
    const records = entry.records;
    if (!this.config.delayEnable || records === null || records.length <= BATCH_HEADER_SIZE) return undefined;
    const compressed = (records.readInt16BE(BatchOffsets.attributes) & BatchAttributes.CompressionMask) !== CompressionType.None;
    // The miss is the hot path: looked at before the batch is validated (the ordinary path validates it).
    let payload: Buffer | undefined;
    if (compressed) {
      const parts = this.decompressedToLook(entry, records);
      if (!parts || !partsMayHoldDelayHeader(parts)) return undefined;
      payload = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    } else if (!mayHoldDelayHeader(records, BATCH_HEADER_SIZE, records.length)) {
      return undefined;
    }
    const partition = this.replicas.getPartition(entry.topic, entry.partition);
    // What the ordinary path would refuse outright is left to it, before anything is queued.
    if (!partition?.isLeader || acks < -1 || acks > 1 || !partition.hasEnoughReplicas(acks)) return undefined;
    if (this.validator.validate(records, partition.config.maxMessageBytes)) return undefined;
    const batch = this.validator.view;
    if (batch.isTransactional) return undefined;
    payload ??= batch.recordsPayload();
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
    const marker = recorded && (ordinary.length > 0 ? sequencedRest(ordinary, batch) : heldSequenceBatch(producerId, batch.producerEpoch, batch.baseSequence, batch.lastOffsetDelta + 1, batch.maxTimestamp));
    const rest = !recorded && ordinary.length > 0 ? encodeRecordBatch(ordinary, { compression: batch.compression }) : undefined;
    const forget = (): void => void (recorded && partition.producers.forget(producerId, recorded));
    return this.delays.enqueue(held, acks, timeoutMs).then(async (queued) => {
      if (queued.errorCode !== ErrorCode.NONE) {
        forget();
        return failedAppend(queued.errorCode as ErrorCode, queued.errorMessage ?? 'the delay queue did not take the records');
      }
      if (marker && recorded) {
        const written = await this.writeSequenceRange(entry, acks, timeoutMs, marker, producerId, recorded, partition);
        return written.errorCode !== ErrorCode.NONE || ordinary.length > 0 ? written : this.accepted(partition, -1);
      }
      if (!rest) return this.accepted(partition, -1);
      // Without a producer id a retry after a failure here queues the held records again, as any retry of such a producer may duplicate.
      const [outcome] = await this.replicas.appendRecords(acks, timeoutMs, [{ topic: entry.topic, partition: entry.partition, records: rest }]);
      return outcome;
    });
  }

  /**
   * Writes what stands for an idempotent producer's batch in its partition, once the held
   * records are queued. If the partition's leader moved meanwhile, the batch is sent on to
   * the new leader before the producer is answered, so its retry is a duplicate wherever it
   * lands (the new leader answers a copy that had already replicated to it as a duplicate too).
   */
  private async writeSequenceRange(
    entry: ProduceEntry,
    acks: number,
    timeoutMs: number,
    marker: Buffer,
    producerId: number,
    recorded: ProducerBatch,
    partition: Partition,
  ): Promise<AppendOutcome> {
    const deadline = Date.now() + timeoutMs;
    // The log writes offsets into the bytes it appends: the copy kept for sending on stays as built.
    const local = await this.replicas.appendBrokerBuilt(entry.topic, entry.partition, acks, timeoutMs, Buffer.from(marker), recorded);
    if (local.errorCode === ErrorCode.NONE) return local;
    // Not written here: the range recorded in memory must not answer the retry as a duplicate of nothing.
    partition.producers.forget(producerId, recorded);
    if (!isRetriable(local.errorCode)) return local;
    let outcome: AppendOutcome = local;
    for (let attempt = 0; isRetriable(outcome.errorCode) && Date.now() < deadline; attempt++) {
      if (attempt > 0) await clusterChangeOrPause(this.cluster, LEADER_RETRY_PAUSE_MS, deadline);
      const sent = await this.cluster.produce(entry.topic, entry.partition, marker, acks, Math.max(1, deadline - Date.now()));
      outcome =
        sent.errorCode === ErrorCode.NONE
          ? { errorCode: ErrorCode.NONE, baseOffset: sent.baseOffset, nextOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 }
          : failedAppend(sent.errorCode as ErrorCode, sent.errorMessage ?? `${entry.topic}-${entry.partition}: the held sequence range was not written`);
    }
    if (outcome.errorCode !== ErrorCode.NONE) this.logger.warn(`${partition.key}: held records are queued but their sequence range was not written (${outcome.errorMessage}); a retry queues them again`);
    return outcome;
  }

  /**
   * A compressed batch's records, decompressed (within the cap) without validating the batch
   * first; undefined when they cannot be read — then the batch is appended as without the
   * feature, and the ordinary path answers whatever is wrong with it.
   */
  private decompressedToLook(entry: ProduceEntry, records: Buffer): Buffer[] | undefined {
    try {
      // In pieces (lz4's blocks): joining them for a look that usually finds nothing would copy the whole payload.
      return new RecordBatchView(records).recordsPayloadParts(DEFAULT_MAX_DECOMPRESSED_BYTES);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.logger.warn(`${entry.topic}-${entry.partition}: a compressed batch was not checked for delay headers: ${error.message}`);
      return undefined;
    }
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
