import { topicPartitionKey, type TopicPartition, type TopicPartitionOffset } from '../listener/types';
import type { CompletedFetch } from './fetcher';

export type OffsetResetStrategy = 'earliest' | 'latest';

/** One assigned partition's fetch state (Kafka's SubscriptionState.TopicPartitionState). */
export interface PartitionState extends TopicPartition {
  readonly key: string;
  /** The next offset to return (and to fetch); null until resolved from a commit or a reset. */
  position: number | null;
  /** The leader epoch of the last record returned, -1 when unknown: what a commit records. */
  positionLeaderEpoch: number;
  paused: boolean;
  /** A reset asked for (seekToBeginning/End, OFFSET_OUT_OF_RANGE, no commit) and not yet done. */
  pendingReset: OffsetResetStrategy | null;
  highWatermark: number;
  logStartOffset: number;
  /** Fetched records not yet returned. */
  buffered: CompletedFetch | null;
  /** The response fetched ahead, starting where `buffered` ends; returned once `buffered` is used up. */
  prefetched: CompletedFetch | null;
  /** A Fetch for this partition is in flight: no second one until it is answered. */
  fetching: boolean;
  /** No fetch before this time (epoch ms), after a partition error. */
  retryAt: number;
}

/**
 * The partitions this consumer owns and where it stands in each: position, pause,
 * pending reset (the assignment half of Kafka's SubscriptionState; what the consumer
 * subscribes to stays with KafkaConsumer). Replaced by a rebalance or by assign(); a
 * partition kept across a change keeps its state. The Fetcher reads and advances it,
 * KafkaConsumer resolves missing positions and commits from it; neither keeps a copy.
 */
export class AssignedPartitions {
  private readonly states = new Map<string, PartitionState>();

  /** Replaces the assignment; partitions kept keep their position and pause. */
  set(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      next.set(key, this.states.get(key) ?? newPartitionState(tp, key));
    }
    this.states.clear();
    for (const [key, state] of next) this.states.set(key, state);
  }

  add(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      if (!this.states.has(key)) this.states.set(key, newPartitionState(tp, key));
    }
  }

  remove(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.states.delete(topicPartitionKey(tp));
  }

  clear(): void {
    this.states.clear();
  }

  get(tp: TopicPartition): PartitionState | undefined {
    return this.states.get(topicPartitionKey(tp));
  }

  /** The state of an assigned partition; IllegalStateException's message when it is not assigned. */
  require(tp: TopicPartition, action: string): PartitionState {
    const state = this.get(tp);
    if (!state) throw new Error(`cannot ${action} ${describePartition(tp)}: the partition is not assigned to this consumer`);
    return state;
  }

  has(tp: TopicPartition): boolean {
    return this.states.has(topicPartitionKey(tp));
  }

  get size(): number {
    return this.states.size;
  }

  all(): IterableIterator<PartitionState> {
    return this.states.values();
  }

  partitions(): TopicPartition[] {
    return [...this.states.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  topics(): string[] {
    return [...new Set([...this.states.values()].map((s) => s.topic))];
  }

  seek(tp: TopicPartition, offset: number, leaderEpoch = -1): void {
    const state = this.require(tp, 'seek');
    state.position = offset;
    state.positionLeaderEpoch = leaderEpoch;
    state.pendingReset = null;
    state.buffered = null;
    state.prefetched = null;
    state.retryAt = 0;
  }

  requestReset(tp: TopicPartition, strategy: OffsetResetStrategy): void {
    const state = this.require(tp, 'reset the offset of');
    state.pendingReset = strategy;
    state.buffered = null;
    state.prefetched = null;
  }

  /** Partitions with a reset to resolve now (not backing off after a failed attempt). */
  hasResetsDue(now = Date.now()): boolean {
    for (const s of this.states.values()) if (s.pendingReset !== null && s.retryAt <= now) return true;
    return false;
  }

  /** Positions of partitions that have one: what a commit of "everything consumed" sends (Kafka's allConsumed). */
  consumed(): Array<TopicPartitionOffset & { leaderEpoch: number }> {
    const out: Array<TopicPartitionOffset & { leaderEpoch: number }> = [];
    for (const s of this.states.values()) {
      if (s.position !== null) out.push({ topic: s.topic, partition: s.partition, offset: s.position, leaderEpoch: s.positionLeaderEpoch });
    }
    return out;
  }
}

function newPartitionState(tp: TopicPartition, key: string): PartitionState {
  return {
    topic: tp.topic,
    partition: tp.partition,
    key,
    position: null,
    positionLeaderEpoch: -1,
    paused: false,
    pendingReset: null,
    highWatermark: -1,
    logStartOffset: -1,
    buffered: null,
    prefetched: null,
    fetching: false,
    retryAt: 0,
  };
}

/** `topic-partition`, as Kafka's TopicPartition.toString() prints it in messages. */
export function describePartition(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
