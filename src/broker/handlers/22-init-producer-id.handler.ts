// Api: InitProducerId (key 22) v0–v5; not supported: transactional ids (no transaction coordinator: COORDINATOR_NOT_AVAILABLE).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { InitProducerIdApi, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/schemas/init-producer-id.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { ProducerIdManager } from '../replica/producer-id-manager';

/**
 * An idempotent producer (no transactional id) gets a fresh producer id with epoch 0 —
 * also when it names the id and epoch it held (v3+): Kafka's coordinator hands a
 * non-transactional producer a new id every time rather than bumping its epoch.
 *
 * A transactional id needs the transaction coordinator, which this broker does not run;
 * the answer is COORDINATOR_NOT_AVAILABLE, what Kafka says while its coordinator cannot
 * serve: clients retry until their own timeout and then report it.
 */
@Injectable()
@KafkaApi(ApiKey.InitProducerId)
export class InitProducerIdHandler implements KafkaApiHandler<typeof InitProducerIdApi> {
  readonly api = InitProducerIdApi;
  readonly versions = '0-5';

  constructor(private readonly producerIds: ProducerIdManager) {}

  async handle(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
    const producerId = await this.producerIds.generate();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  }
}
