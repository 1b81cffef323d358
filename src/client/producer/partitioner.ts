/**
 * Where a record goes, exactly as Kafka's Java producer decides, so that a keyed
 * record lands on the same partition whichever client wrote it:
 *
 *  - an explicit partition wins;
 *  - a key goes to toPositive(murmur2(keyBytes)) % numPartitions, over all partitions
 *    (available or not: the mapping must not move while a leader is elected);
 *  - no key: the sticky partition of the topic (see StickyPartitioner).
 */

export { murmur2, partitionForKey, toPositive } from '../../protocol/murmur2';

/** What the sticky partitioner needs to know about a topic's partitions and open batches. */
export interface StickyPartitionView {
  /** Partitions with a leader now; the sticky choice is made among these when there are any. */
  availablePartitions(topic: string): readonly number[];
  /** Whether the partition still has a batch taking records (not yet sent). */
  hasOpenBatch(topic: string, partition: number): boolean;
}

interface StickyState {
  partition: number;
  /** Bytes appended to `partition` since it became the sticky one. */
  producedBytes: number;
}

/**
 * Records without a key stick to one partition of their topic, so they fill batches
 * instead of spreading one record per partition (KIP-480), and the partition changes
 * once a batch's worth has gone to it: after batch.size bytes (Kafka's
 * BuiltInPartitioner, KIP-794), or sooner when the batch it was filling is sent (by
 * linger.ms or a flush), since the next record would start a new batch anyway.
 * The next partition is chosen at random among those with a leader, never the same
 * one twice in a row when there is a choice.
 */
export class StickyPartitioner {
  private readonly sticky = new Map<string, StickyState>();

  constructor(
    private readonly batchSize: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The partition for a record without key. */
  partition(topic: string, numPartitions: number, view: StickyPartitionView): number {
    let state = this.sticky.get(topic);
    if (state === undefined) {
      state = { partition: this.choose(topic, numPartitions, -1, view), producedBytes: 0 };
      this.sticky.set(topic, state);
    } else if (
      state.partition >= numPartitions ||
      state.producedBytes >= this.batchSize ||
      (state.producedBytes > 0 && !view.hasOpenBatch(topic, state.partition))
    ) {
      state.partition = this.choose(topic, numPartitions, state.partition, view);
      state.producedBytes = 0;
    }
    return state.partition;
  }

  /** Counts bytes appended to the sticky partition of `topic`. */
  onAppend(topic: string, partition: number, bytes: number): void {
    const state = this.sticky.get(topic);
    if (state !== undefined && state.partition === partition) state.producedBytes += bytes;
  }

  private choose(topic: string, numPartitions: number, previous: number, view: StickyPartitionView): number {
    const available = view.availablePartitions(topic);
    if (available.length > 0) return pickOther(available.length, (i) => available[i], previous, this.random);
    return pickOther(Math.max(numPartitions, 1), (i) => i, previous, this.random);
  }
}

/** A random element of a list of `count`, other than `previous` when there is another. */
function pickOther(count: number, at: (index: number) => number, previous: number, random: () => number): number {
  if (count === 1) return at(0);
  const index = Math.floor(random() * count);
  if (at(index) !== previous) return at(index);
  // Shift by 1..count-1 places: uniform over the others.
  return at((index + 1 + Math.floor(random() * (count - 1))) % count);
}
