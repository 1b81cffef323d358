// Api: DeleteTopics (key 20) v0–v6; not supported: nothing beyond Kafka's ZooKeeper mode.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { DeleteTopicsApi, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/schemas/delete-topics.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { TopicAdmin } from '../topics/topic-admin.service';

/**
 * Marks topics for deletion (by name, or from v6 by name or id) and answers once they are gone
 * from this broker's metadata or the timeout passed. With delete.topic.enable=false, v3+ get
 * TOPIC_DELETION_DISABLED and older versions INVALID_REQUEST (they predate that code), as Kafka does.
 */
@Injectable()
@KafkaApi(ApiKey.DeleteTopics)
export class DeleteTopicsHandler implements KafkaApiHandler<typeof DeleteTopicsApi> {
  readonly api = DeleteTopicsApi;
  readonly versions = '0-6';

  constructor(private readonly topicAdmin: TopicAdmin) {}

  async handle(request: DeleteTopicsRequest, ctx: RequestContext): Promise<DeleteTopicsResponse> {
    const refs = ctx.apiVersion >= 6 ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_UUID })) : request.topicNames.map((name) => ({ name, topicId: null }));
    const outcomes = await this.topicAdmin.deleteTopics(refs, { timeoutMs: request.timeoutMs });
    return {
      throttleTimeMs: 0,
      responses: outcomes.map((o) => ({
        name: o.name === '' && ctx.apiVersion >= 6 ? null : o.name,
        topicId: o.topicId,
        errorCode: o.errorCode === ErrorCode.TOPIC_DELETION_DISABLED && ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : o.errorCode,
        errorMessage: o.errorCode === ErrorCode.NONE ? null : o.errorMessage,
      })),
    };
  }
}
