// CreateTopics (key 19) v0–v7, flexible v5+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const CreateTopicsApi = defineApi({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: {
    topics: t.array({
      name: t.string(),
      // -1 when `assignments` is given or the broker default applies.
      numPartitions: t.int32(),
      // -1 when `assignments` is given or the broker default applies.
      replicationFactor: t.int16(),
      // Empty for automatic placement.
      assignments: t.array({
        partitionIndex: t.int32(),
        brokerIds: t.array(t.int32()),
      }),
      configs: t.array({
        name: t.string(),
        value: t.string('0+', { nullable: '0+' }),
      }),
    }),
    timeoutMs: t.int32('0+', { default: 60000 }),
    validateOnly: t.bool('1+'),
  },
  response: {
    throttleTimeMs: t.int32('2+'),
    topics: t.array({
      name: t.string(),
      topicId: t.uuid('7+'),
      errorCode: t.int16(),
      // Kafka's spec says present from v1 yet nullable from v0; kept as written.
      errorMessage: t.string('1+', { nullable: '0+' }),
      // Set when the topic was created but its configs could not be described back.
      topicConfigErrorCode: t.int16('5+', { tag: 0, taggedVersions: '5+' }),
      numPartitions: t.int32('5+', { default: -1 }),
      replicationFactor: t.int16('5+', { default: -1 }),
      configs: t.array(
        {
          name: t.string('5+'),
          value: t.string('5+', { nullable: '5+' }),
          readOnly: t.bool('5+'),
          // A ConfigSource as in DescribeConfigs.
          configSource: t.int8('5+', { default: -1 }),
          isSensitive: t.bool('5+'),
        },
        '5+',
        { nullable: '5+' },
      ),
    }),
  },
});

export type CreateTopicsRequest = RequestOf<typeof CreateTopicsApi>;
export type CreateTopicsResponse = ResponseOf<typeof CreateTopicsApi>;
export type CreatableTopic = CreateTopicsRequest['topics'][number];
export type CreatableTopicResult = CreateTopicsResponse['topics'][number];
export type CreatableTopicConfigs = NonNullable<CreatableTopicResult['configs']>[number];
