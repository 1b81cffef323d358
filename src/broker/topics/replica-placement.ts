// Where a topic's replicas go, the seed's rule (ARCHITECTURE.md): for each replica index r the
// broker of partition 0 is drawn at random, and partition p's replica r is the broker p steps
// further round the sorted live-broker list. The starting points of the replica indexes are
// distinct, so the replicas of every partition are on distinct brokers, and consecutive
// partitions rotate leadership over all brokers.
import { ErrorCode } from '../../protocol/errors/error-codes';
import { KafkaError } from '../../protocol/errors/kafka-error';

export type ReplicaAssignment = number[][];

export interface PlacementOptions {
  /** Existing partitions' assignment (CreatePartitions): new partitions continue their rotation. */
  existing?: ReplicaAssignment;
  /** Source of randomness in [0, 1); Math.random by default (tests pin it). */
  random?: () => number;
}

/** Replicas for partitions `existing.length .. numPartitions-1` (all of them when creating). */
export function placeReplicas(numPartitions: number, replicationFactor: number, liveBrokers: readonly number[], options: PlacementOptions = {}): ReplicaAssignment {
  const brokers = [...new Set(liveBrokers)].sort((a, b) => a - b);
  if (numPartitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (replicationFactor <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  if (replicationFactor > brokers.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  const existing = options.existing ?? [];
  const starts = startingPoints(replicationFactor, brokers, existing[0], options.random ?? Math.random);
  const out: ReplicaAssignment = [];
  for (let p = existing.length; p < numPartitions; p++) out.push(starts.map((s) => brokers[(s + p) % brokers.length]));
  return out;
}

/**
 * Distinct start indexes, one per replica index. When partition 0 exists and all its replicas
 * are live, its brokers are the starts, so added partitions follow the same rotation.
 */
function startingPoints(replicationFactor: number, brokers: number[], partition0: number[] | undefined, random: () => number): number[] {
  if (partition0 && partition0.length === replicationFactor) {
    const indexes = partition0.map((id) => brokers.indexOf(id));
    if (indexes.every((i) => i >= 0)) return indexes;
  }
  const pool = brokers.map((_, i) => i);
  const starts: number[] = [];
  for (let r = 0; r < replicationFactor; r++) {
    const pick = Math.min(pool.length - 1, Math.floor(random() * pool.length));
    starts.push(pool.splice(pick, 1)[0]);
  }
  return starts;
}

/**
 * Checks an explicit assignment as Kafka does: every partition has replicas, on distinct known
 * brokers, and all partitions the same number of them (also `expectedReplicas` when given).
 */
export function validateAssignment(assignment: readonly (readonly number[])[], knownBrokers: readonly number[], expectedReplicas?: number): void {
  const known = new Set(knownBrokers);
  const factor = expectedReplicas ?? assignment[0]?.length;
  assignment.forEach((replicas, p) => {
    if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${p} has no replicas.`);
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${p}.`);
    }
    const unknown = replicas.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`);
    }
    if (replicas.length !== factor) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `All partitions should have the same number of replicas (partition ${p} has ${replicas.length}, expected ${factor}).`);
    }
  });
}
