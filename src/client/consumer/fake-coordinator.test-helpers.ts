// Answers a FakeBroker gives when it stands in for a one-broker cluster that is also the
// group coordinator, shared by the consumer's specs (membership, commits, the consumer).
import type { FakeBroker, FakeRequest } from '../network/fake-broker.test-helpers';

/** Metadata naming `broker` as node 0 and the leader of `partitions` partitions of every topic asked for. */
export function oneBrokerMetadata(request: FakeRequest, broker: FakeBroker, partitions: number) {
  return {
    brokers: [{ nodeId: 0, host: '127.0.0.1', port: broker.port, rack: null }],
    clusterId: 'fake',
    controllerId: 0,
    topics: (request.body.topics ?? []).map((t: { name: string }) => ({
      errorCode: 0,
      name: t.name,
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      isInternal: false,
      partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
        errorCode: 0,
        partitionIndex,
        leaderId: 0,
        leaderEpoch: 0,
        replicaNodes: [0],
        isrNodes: [0],
        offlineReplicas: [],
      })),
    })),
  };
}

/** FindCoordinator naming `broker` (node 0) for the key asked about, in the layouts before and after v4. */
export function coordinatorIsBroker(request: FakeRequest, broker: FakeBroker) {
  const key: string = request.body.coordinatorKeys?.[0] ?? request.body.key;
  const node = { nodeId: 0, host: '127.0.0.1', port: broker.port };
  return { errorCode: 0, ...node, coordinators: [{ key, ...node, errorCode: 0, errorMessage: null }] };
}

/** OffsetCommit answering `errorCode` for every partition committed. */
export function offsetCommitAnswer(request: FakeRequest, errorCode: number) {
  return {
    topics: request.body.topics.map((t: { name: string; partitions: Array<{ partitionIndex: number }> }) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}
