// DeleteTopics (key 20) v0–v6, flexible v4+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DeleteTopicsApi = defineApi({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: {
    // v6+ names a topic by name or by id (the other left null / zero uuid); v0–v5 by name only.
    topics: t.array(
      {
        name: t.string('6+', { nullable: '6+', default: null }),
        topicId: t.uuid('6+'),
      },
      '6+',
    ),
    topicNames: t.array(t.string(), '0-5'),
    timeoutMs: t.int32(),
  },
  response: {
    throttleTimeMs: t.int32('1+'),
    responses: t.array({
      name: t.string('0+', { nullable: '6+' }),
      topicId: t.uuid('6+'),
      errorCode: t.int16(),
      errorMessage: t.string('5+', { nullable: '5+', default: null }),
    }),
  },
});

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopicsApi>;
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopicsApi>;
export type DeleteTopicState = DeleteTopicsRequest['topics'][number];
export type DeletableTopicResult = DeleteTopicsResponse['responses'][number];
