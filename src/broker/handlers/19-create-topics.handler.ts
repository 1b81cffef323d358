// Api: CreateTopics (key 19) v0–v7; not supported: create-topic policies (create.topic.policy.class.name).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { CreateTopicsApi, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/schemas/create-topics.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { ConfigAdmin } from '../topics/config-admin.service';
import { TopicAdmin } from '../topics/topic-admin.service';

/**
 * Creates topics through TopicAdmin (validation, placement, store writes) and answers once
 * every new partition has a leader or the request's timeout passed. v5+ also return the
 * created topic's partition count, replication factor and its configs as DescribeConfigs
 * would list them.
 */
@Injectable()
@KafkaApi(ApiKey.CreateTopics)
export class CreateTopicsHandler implements KafkaApiHandler<typeof CreateTopicsApi> {
  readonly api = CreateTopicsApi;
  readonly versions = '0-7';

  constructor(
    private readonly topicAdmin: TopicAdmin,
    private readonly configAdmin: ConfigAdmin,
  ) {}

  async handle(request: CreateTopicsRequest, ctx: RequestContext): Promise<CreateTopicsResponse> {
    const outcomes = await this.topicAdmin.createTopics(request.topics, { timeoutMs: request.timeoutMs, validateOnly: request.validateOnly });
    return {
      throttleTimeMs: 0,
      topics: outcomes.map((o) => {
        const ok = o.errorCode === ErrorCode.NONE;
        return {
          name: o.name,
          topicId: o.topicId,
          errorCode: o.errorCode,
          // v0 has no message field; from v1 Kafka sends null on success.
          errorMessage: ok ? null : o.errorMessage,
          topicConfigErrorCode: 0,
          numPartitions: ok ? o.numPartitions : -1,
          replicationFactor: ok ? o.replicationFactor : -1,
          configs:
            ok && ctx.apiVersion >= 5
              ? this.configAdmin.describeTopicConfigs(o.configs, { includeSynonyms: false, includeDocumentation: false }).map((c) => ({
                  name: c.name,
                  value: c.value,
                  readOnly: c.readOnly,
                  configSource: c.source,
                  isSensitive: c.isSensitive,
                }))
              : [],
        };
      }),
    };
  }
}
