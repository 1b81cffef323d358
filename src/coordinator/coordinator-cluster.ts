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
 * The coordinator of a group among `brokerIds` (sorted ascending): Java's String.hashCode
 * of the group id, made non-negative, modulo the count. Every broker computes the same
 * answer; FindCoordinator and the coordinator's own ownership check both use it.
 */
export function coordinatorOf(groupId: string, brokerIds: readonly number[]): number | undefined {
  if (brokerIds.length === 0) return undefined;
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(hash, 31) + groupId.charCodeAt(i)) | 0;
  return brokerIds[(Math.abs(hash) % 0x7fffffff) % brokerIds.length];
}
