// Fetch (key 1) v4–v17, flexible v12+; v0–v3 left out: they answer with legacy message sets (magic 0/1) we never store.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const FetchApi = defineApi({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  validVersions: '4-17',
  flexibleVersions: '12+',
  request: {
    // Only KRaft controllers check it; brokers ignore it.
    clusterId: t.string('12+', { nullable: '12+', default: null, tag: 0, taggedVersions: '12+' }),
    // -1 for consumers; a broker id for follower fetches (moved into replicaState in v15+).
    replicaId: t.int32('0-14', { default: -1 }),
    replicaState: t.struct(
      {
        replicaId: t.int32('15+', { default: -1 }),
        replicaEpoch: t.int64('15+', { default: -1 }),
      },
      '15+',
      { tag: 1, taggedVersions: '15+' },
    ),
    maxWaitMs: t.int32(),
    minBytes: t.int32(),
    maxBytes: t.int32('3+', { default: 0x7fffffff }),
    // 0: READ_UNCOMMITTED, 1: READ_COMMITTED.
    isolationLevel: t.int8('4+'),
    // Incremental fetch sessions (KIP-227): id 0 with epoch -1 is a full fetch without a session.
    sessionId: t.int32('7+'),
    sessionEpoch: t.int32('7+', { default: -1 }),
    topics: t.array({
      topic: t.string('0-12'),
      topicId: t.uuid('13+'),
      partitions: t.array({
        partition: t.int32(),
        currentLeaderEpoch: t.int32('9+', { default: -1 }),
        fetchOffset: t.int64(),
        // Followers only: the epoch of the last fetched record, for divergence checks.
        lastFetchedEpoch: t.int32('12+', { default: -1 }),
        // Followers only; consumers send -1.
        logStartOffset: t.int64('5+', { default: -1 }),
        partitionMaxBytes: t.int32(),
        replicaDirectoryId: t.uuid('17+', { tag: 0, taggedVersions: '17+' }),
      }),
    }),
    // Partitions to drop from an incremental fetch session.
    forgottenTopicsData: t.array(
      {
        topic: t.string('7-12'),
        topicId: t.uuid('13+'),
        partitions: t.array(t.int32(), '7+'),
      },
      '7+',
    ),
    rackId: t.string('11+'),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    errorCode: t.int16('7+'),
    sessionId: t.int32('7+'),
    responses: t.array({
      topic: t.string('0-12'),
      topicId: t.uuid('13+'),
      partitions: t.array({
        partitionIndex: t.int32(),
        errorCode: t.int16(),
        highWatermark: t.int64(),
        lastStableOffset: t.int64('4+', { default: -1 }),
        logStartOffset: t.int64('5+', { default: -1 }),
        // Set when the follower's log diverged from the leader's (KIP-595).
        divergingEpoch: t.struct(
          {
            epoch: t.int32('12+', { default: -1 }),
            endOffset: t.int64('12+', { default: -1 }),
          },
          '12+',
          { tag: 0, taggedVersions: '12+' },
        ),
        currentLeader: t.struct(
          {
            leaderId: t.int32('12+', { default: -1 }),
            leaderEpoch: t.int32('12+', { default: -1 }),
          },
          '12+',
          { tag: 1, taggedVersions: '12+' },
        ),
        // KRaft only: the snapshot a follower must fetch instead of the log.
        snapshotId: t.struct(
          {
            endOffset: t.int64('0+', { default: -1 }),
            epoch: t.int32('0+', { default: -1 }),
          },
          '12+',
          { tag: 2, taggedVersions: '12+' },
        ),
        abortedTransactions: t.array(
          {
            producerId: t.int64('4+'),
            firstOffset: t.int64('4+'),
          },
          '4+',
          { nullable: '4+' },
        ),
        preferredReadReplica: t.int32('11+', { default: -1 }),
        records: t.records('0+', { nullable: '0+' }),
      }),
    }),
    // Endpoints of the brokers named in currentLeader (KIP-951).
    nodeEndpoints: t.array(
      {
        nodeId: t.int32('16+'),
        host: t.string('16+'),
        port: t.int32('16+'),
        rack: t.string('16+', { nullable: '16+', default: null }),
      },
      '16+',
      { tag: 0, taggedVersions: '16+' },
    ),
  },
});

export type FetchRequest = RequestOf<typeof FetchApi>;
export type FetchResponse = ResponseOf<typeof FetchApi>;
export type FetchRequestTopic = FetchRequest['topics'][number];
export type FetchRequestPartition = FetchRequestTopic['partitions'][number];
export type FetchForgottenTopic = FetchRequest['forgottenTopicsData'][number];
export type FetchResponseTopic = FetchResponse['responses'][number];
export type FetchResponsePartition = FetchResponseTopic['partitions'][number];
export type FetchAbortedTransaction = NonNullable<FetchResponsePartition['abortedTransactions']>[number];
export type FetchNodeEndpoint = FetchResponse['nodeEndpoints'][number];
