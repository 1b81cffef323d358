import { ErrorCode } from '../../protocol/errors/error-codes';

/** The sequence range and offsets of one appended batch of an idempotent producer. */
export interface ProducerBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly timestamp: number;
}

interface ProducerEntry {
  epoch: number;
  /** The most recent batches, oldest first, at most RETAINED_BATCHES. */
  batches: ProducerBatch[];
}

/**
 * Kafka keeps the last five batches per producer (ProducerStateEntry.NUM_BATCHES_TO_RETAIN),
 * matching the producer's max.in.flight.requests.per.connection limit for idempotence:
 * a retried batch is always one of the last five.
 */
export const RETAINED_BATCHES = 5;

export type SequenceVerdict =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly batch: ProducerBatch }
  | { readonly kind: 'reject'; readonly errorCode: ErrorCode; readonly message: string };

const APPEND: SequenceVerdict = { kind: 'append' };
const INT32_MAX = 2147483647;

/**
 * Per-partition state of idempotent producers (producer id ≥ 0): the current epoch and the
 * sequence ranges of the last batches, as Kafka 3.x checks them for client appends:
 *
 *  - an epoch older than the known one: INVALID_PRODUCER_EPOCH (the fenced zombie case);
 *  - the same epoch and a sequence range equal to a retained batch: a duplicate (a retry of
 *    a batch already written) — acknowledged with the original offsets, not appended again;
 *  - the same epoch: the first sequence must follow the last one (wrapping at 2^31), else
 *    OUT_OF_ORDER_SEQUENCE_NUMBER;
 *  - a newer epoch must start at sequence 0 unless the producer was unknown;
 *  - an unknown producer (never seen, or its batches were all deleted) is accepted at any
 *    sequence: since KIP-360 Kafka no longer answers UNKNOWN_PRODUCER_ID here.
 *
 * Rebuilt after a restart from batch headers only (see Partition), so it needs no snapshot
 * file; state is updated only after the log append succeeded.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /** The producer's current epoch, or undefined when unknown. */
  epochOf(producerId: number): number | undefined {
    return this.producers.get(producerId)?.epoch;
  }

  lastBatchOf(producerId: number): ProducerBatch | undefined {
    const batches = this.producers.get(producerId)?.batches;
    return batches?.[batches.length - 1];
  }

  /** What to do with a client batch from this producer (nothing is changed). */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceVerdict {
    const entry = this.producers.get(producerId);
    if (!entry) return APPEND;
    if (epoch < entry.epoch) {
      return reject(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${producerId} has epoch ${epoch}, older than the current epoch ${entry.epoch}`);
    }
    if (epoch > entry.epoch) {
      if (firstSeq !== 0) {
        return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} starts epoch ${epoch} at sequence ${firstSeq}, expected 0`);
      }
      return APPEND;
    }
    for (const batch of entry.batches) {
      if (batch.firstSeq === firstSeq && batch.lastSeq === lastSeq) return { kind: 'duplicate', batch };
    }
    const last = entry.batches[entry.batches.length - 1];
    if (!last) return APPEND;
    const inSequence = firstSeq === last.lastSeq + 1 || (firstSeq === 0 && last.lastSeq === INT32_MAX);
    if (!inSequence) {
      return reject(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${producerId} epoch ${epoch}: sequence ${firstSeq} does not follow the last written sequence ${last.lastSeq}`,
      );
    }
    return APPEND;
  }

  /** Records an appended batch (client append, or a batch found while rebuilding). */
  update(producerId: number, epoch: number, batch: ProducerBatch): void {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { epoch, batches: [] };
      this.producers.set(producerId, entry);
    } else if (epoch !== entry.epoch) {
      if (epoch < entry.epoch) return;
      entry.epoch = epoch;
      entry.batches = [];
    }
    // A range older than the last one (the control batch of delayed records, written once they
    // were queued, after a later batch of the producer) goes before it: the last stays the newest.
    let at = entry.batches.length;
    while (at > 0 && precedes(batch, entry.batches[at - 1])) at--;
    entry.batches.splice(at, 0, batch);
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift();
  }

  /**
   * Takes back a batch recorded before its records were durable elsewhere (held delayed
   * records whose queue append then failed), so the producer's retry is not taken for a
   * duplicate.
   */
  forget(producerId: number, batch: ProducerBatch): void {
    const entry = this.producers.get(producerId);
    if (!entry) return;
    entry.batches = entry.batches.filter((b) => b !== batch);
    if (entry.batches.length === 0) this.producers.delete(producerId);
  }

  /**
   * The log start moved (DeleteRecords, retention): batches below it are gone, and a
   * producer with none left is forgotten — it then counts as unknown, as in Kafka.
   */
  onLogStartOffsetChanged(logStartOffset: number): void {
    for (const [producerId, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset >= logStartOffset);
      if (entry.batches.length === 0) this.producers.delete(producerId);
    }
  }

  /** The log was cut back (replication): batches at or after `endOffset` are gone. */
  onTruncated(endOffset: number): void {
    for (const [producerId, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < endOffset);
      if (entry.batches.length === 0) this.producers.delete(producerId);
    }
  }

  clear(): void {
    this.producers.clear();
  }
}

/** Whether `a`'s sequences come before `b`'s (less than half the sequence space apart, so a wrap reads right). */
function precedes(a: ProducerBatch, b: ProducerBatch): boolean {
  const distance = b.firstSeq - a.lastSeq;
  return (distance > 0 && distance < 2 ** 30) || (distance < 0 && distance < -(2 ** 30));
}

function reject(errorCode: ErrorCode, message: string): SequenceVerdict {
  return { kind: 'reject', errorCode, message };
}
