// Metadata (key 3) v0–v12, flexible v9+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

/** Kafka's "no authorized operations requested" marker (INT32_MIN) for the *AuthorizedOperations fields. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const MetadataApi = defineApi({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: {
    // v0: an empty array means every topic; v1+: null means every topic and an empty array none.
    topics: t.array(
      {
        topicId: t.uuid('10+'),
        name: t.string('0+', { nullable: '10+' }),
      },
      '0+',
      { nullable: '1+' },
    ),
    allowAutoTopicCreation: t.bool('4+', { default: true }),
    includeClusterAuthorizedOperations: t.bool('8-10'),
    includeTopicAuthorizedOperations: t.bool('8+'),
  },
  response: {
    throttleTimeMs: t.int32('3+'),
    brokers: t.array({
      nodeId: t.int32(),
      host: t.string(),
      port: t.int32(),
      rack: t.string('1+', { nullable: '1+', default: null }),
    }),
    clusterId: t.string('2+', { nullable: '2+', default: null }),
    controllerId: t.int32('1+', { default: -1 }),
    topics: t.array({
      errorCode: t.int16(),
      name: t.string('0+', { nullable: '12+' }),
      topicId: t.uuid('10+'),
      isInternal: t.bool('1+'),
      partitions: t.array({
        errorCode: t.int16(),
        partitionIndex: t.int32(),
        leaderId: t.int32(),
        leaderEpoch: t.int32('7+', { default: -1 }),
        replicaNodes: t.array(t.int32()),
        isrNodes: t.array(t.int32()),
        offlineReplicas: t.array(t.int32(), '5+'),
      }),
      topicAuthorizedOperations: t.int32('8+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
    }),
    clusterAuthorizedOperations: t.int32('8-10', { default: AUTHORIZED_OPERATIONS_OMITTED }),
  },
});

export type MetadataRequest = RequestOf<typeof MetadataApi>;
export type MetadataResponse = ResponseOf<typeof MetadataApi>;
export type MetadataRequestTopic = NonNullable<MetadataRequest['topics']>[number];
export type MetadataResponseBroker = MetadataResponse['brokers'][number];
export type MetadataResponseTopic = MetadataResponse['topics'][number];
export type MetadataResponsePartition = MetadataResponseTopic['partitions'][number];
