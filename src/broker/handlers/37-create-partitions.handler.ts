// Api: CreatePartitions (key 37) v0–v3; not supported: nothing beyond Kafka's ZooKeeper mode.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { CreatePartitionsApi, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/schemas/create-partitions.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { TopicAdmin } from '../topics/topic-admin.service';

/** Grows topics to the requested partition count (validate_only honoured) and answers once the new partitions have leaders. */
@Injectable()
@KafkaApi(ApiKey.CreatePartitions)
export class CreatePartitionsHandler implements KafkaApiHandler<typeof CreatePartitionsApi> {
  readonly api = CreatePartitionsApi;
  readonly versions = '0-3';

  constructor(private readonly topicAdmin: TopicAdmin) {}

  async handle(request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    const outcomes = await this.topicAdmin.createPartitions(
      request.topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null })),
      { timeoutMs: request.timeoutMs, validateOnly: request.validateOnly },
    );
    return {
      throttleTimeMs: 0,
      results: outcomes.map((o) => ({ name: o.name, errorCode: o.errorCode, errorMessage: o.errorCode === ErrorCode.NONE ? null : o.errorMessage })),
    };
  }
}
