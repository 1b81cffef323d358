/**
 * What the group coordinator needs from the cluster, and nothing more: whether this
 * broker coordinates a group, how many partitions a topic has, and word when either
 * changes. The broker implements it over its metadata cache; keeping it this narrow
 * keeps src/coordinator free of src/broker (dependencies point broker → coordinator).
 */
export interface CoordinatorCluster {
  isLocalCoordinator(groupId: string): boolean;
  /** 0 when the topic does not exist. */
  partitionCount(topic: string): number;
  /** Called after the live brokers or a topic's partitions changed; returns an unsubscribe function. */
  onChange(listener: (change: CoordinatorClusterChange) => void): () => void;
}

export type CoordinatorClusterChange =
  | { readonly kind: 'coordinators' }
  | { readonly kind: 'partitions'; readonly topic: string }
  | { readonly kind: 'topic-deleted'; readonly topic: string };

export const COORDINATOR_CLUSTER = Symbol('COORDINATOR_CLUSTER');

/**
 * The coordinator of a group among the live `brokerIds`: rendezvous (highest random
 * weight) hashing of the group id with each broker id. Every broker computes the same
 * answer; FindCoordinator and the coordinator's own ownership check both use it.
 *
 * Rendezvous rather than hash-modulo-count so that membership changes move only the
 * groups they must, as Kafka's placement by __consumer_offsets partition leader does:
 * a broker that dies hands over just the groups it coordinated, one that joins takes
 * about 1/n of them, and every other group keeps its coordinator and its members.
 */
export function coordinatorOf(groupId: string, brokerIds: readonly number[]): number | undefined {
  let groupHash = 0;
  for (let i = 0; i < groupId.length; i++) groupHash = (Math.imul(groupHash, 31) + groupId.charCodeAt(i)) | 0;
  let best: number | undefined;
  let bestWeight = -1;
  for (const id of brokerIds) {
    const weight = mix32(groupHash ^ mix32(id + 0x9e3779b9));
    // Ties (vanishingly rare) go to the lower id, so the answer never depends on list order.
    if (weight > bestWeight || (weight === bestWeight && id < best!)) {
      best = id;
      bestWeight = weight;
    }
  }
  return best;
}

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the whole word; unsigned result. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
