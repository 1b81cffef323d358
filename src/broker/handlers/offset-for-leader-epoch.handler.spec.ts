import { ErrorCode } from '../../protocol/errors/error-codes';
import { batch, createDataPath, FakeMetadataView, type DataPathFixture } from '../replica/replica-manager.test-helpers';
import { OffsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.handler';

describe('OffsetForLeaderEpochHandler', () => {
  let fx: DataPathFixture;
  let handler: OffsetForLeaderEpochHandler;

  beforeEach(async () => {
    const metadata = new FakeMetadataView(0);
    metadata.addBroker(1);
    fx = createDataPath({}, metadata);
    metadata.addTopic('t', 1);
    metadata.addTopic('elsewhere', 1, { leader: 1, replicas: [1, 0], isr: [1, 0] });
    await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(4) }]);
    metadata.updatePartition('t', 0, { leaderEpoch: 2 });
    await fx.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch(3) }]);
    metadata.updatePartition('t', 0, { leaderEpoch: 5 });
    handler = new OffsetForLeaderEpochHandler(fx.replicas);
  });

  afterEach(() => fx.close());

  const ask = (partitions: Array<{ topic?: string; currentLeaderEpoch?: number; leaderEpoch: number }>) =>
    handler
      .handle({
        replicaId: 1,
        topics: partitions.map((p) => ({ topic: p.topic ?? 't', partitions: [{ partition: 0, currentLeaderEpoch: p.currentLeaderEpoch ?? -1, leaderEpoch: p.leaderEpoch }] })),
      })
      .topics.map((t) => t.partitions[0]);

  it('answers where each epoch ends: the next epoch start, the log end for the current one', () => {
    // Epoch 0: offsets 0-3; epoch 2: 4-6; epoch 5 began at 7 with no records yet.
    expect(ask([{ leaderEpoch: 0 }, { leaderEpoch: 1 }, { leaderEpoch: 2 }, { leaderEpoch: 5 }])).toEqual([
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 4 },
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 4 },
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 2, endOffset: 7 },
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 5, endOffset: 7 },
    ]);
  });

  it('answers -1/-1 for an epoch newer than any the log holds, or UNDEFINED_EPOCH', () => {
    expect(ask([{ leaderEpoch: 9 }, { leaderEpoch: -1 }])).toEqual([
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 },
      { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 },
    ]);
  });

  it('fences by the current leader epoch and answers only as leader', () => {
    expect(ask([{ currentLeaderEpoch: 4, leaderEpoch: 0 }, { currentLeaderEpoch: 6, leaderEpoch: 0 }, { currentLeaderEpoch: 5, leaderEpoch: 2 }]).map((p) => p.errorCode)).toEqual([
      ErrorCode.FENCED_LEADER_EPOCH,
      ErrorCode.UNKNOWN_LEADER_EPOCH,
      ErrorCode.NONE,
    ]);
    expect(ask([{ topic: 'elsewhere', leaderEpoch: 0 }, { topic: 'nope', leaderEpoch: 0 }])).toEqual([
      { partition: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 },
      { partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1, endOffset: -1 },
    ]);
  });
});
