import { ErrorCode } from '../../protocol/errors/error-codes';
import { placeReplicas, validateAssignment } from './replica-placement';

/** A random source returning the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('replica placement', () => {
  it('puts every replica on the only broker when there is one', () => {
    expect(placeReplicas(3, 1, [0], { random: Math.random })).toEqual([[0], [0], [0]]);
  });

  it('rotates partitions in order around the sorted live brokers from a random start per replica index', () => {
    // Replica 0 starts at index 1 (broker 20), replica 1 at the pool's index 0 of the rest (broker 10).
    const assignment = placeReplicas(4, 2, [30, 10, 20], { random: sequence(0.5, 0) });
    expect(assignment).toEqual([
      [20, 10],
      [30, 20],
      [10, 30],
      [20, 10],
    ]);
  });

  it('never puts two replicas of a partition on one broker, for any random draw', () => {
    for (let trial = 0; trial < 200; trial++) {
      const brokers = [0, 1, 2, 3, 4];
      const assignment = placeReplicas(17, 3, brokers);
      for (const replicas of assignment) expect(new Set(replicas).size).toBe(3);
      // Leaders (replica 0) rotate over every broker.
      expect(new Set(assignment.map((r) => r[0])).size).toBe(5);
    }
  });

  it('continues the rotation of partition 0 when partitions are added', () => {
    const existing = [
      [2, 0],
      [0, 1],
    ];
    expect(placeReplicas(4, 2, [0, 1, 2], { existing, random: () => 0.99 })).toEqual([
      [1, 2],
      [2, 0],
    ]);
  });

  it('refuses a replication factor above the live broker count as INVALID_REPLICATION_FACTOR', () => {
    expect(() => placeReplicas(1, 2, [0])).toThrow(expect.objectContaining({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, message: 'Replication factor: 2 larger than available brokers: 1.' }));
    expect(() => placeReplicas(1, 0, [0])).toThrow(expect.objectContaining({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR }));
    expect(() => placeReplicas(0, 1, [0])).toThrow(expect.objectContaining({ errorCode: ErrorCode.INVALID_PARTITIONS }));
  });

  it('validates explicit assignments: distinct, known brokers and one replica count', () => {
    expect(() => validateAssignment([[0, 1], [1, 0]], [0, 1])).not.toThrow();
    const invalid = expect.objectContaining({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
    expect(() => validateAssignment([[0, 0]], [0, 1])).toThrow(invalid);
    expect(() => validateAssignment([[0, 7]], [0, 1])).toThrow(invalid);
    expect(() => validateAssignment([[0, 1], [1]], [0, 1])).toThrow(invalid);
    expect(() => validateAssignment([[]], [0, 1])).toThrow(invalid);
    expect(() => validateAssignment([[1]], [0, 1], 2)).toThrow(invalid);
  });
});
