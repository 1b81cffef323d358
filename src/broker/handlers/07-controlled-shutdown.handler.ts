// Api: ControlledShutdown (key 7) v1–v3; not supported: v0 (its header has no client id; brokers since Kafka 0.10 send v1+).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ControlledShutdownApi, type ControlledShutdownRequest, type ControlledShutdownResponse } from '../../protocol/schemas/controlled-shutdown.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { KafkaController } from '../controller/kafka-controller.service';

/**
 * A broker about to stop asks the controller to move its leaderships first, so clients
 * switch leaders at once instead of after the broker's ZooKeeper session runs out. Only the
 * active controller answers (NOT_CONTROLLER elsewhere); the answer lists the partitions the
 * broker still leads, and the broker asks again until that list is empty. A request from an
 * earlier run of the broker (its broker epoch, v2+, is not the current registration's) gets
 * STALE_BROKER_EPOCH, so a late retry cannot empty a restarted broker (KIP-380).
 */
@Injectable()
@KafkaApi(ApiKey.ControlledShutdown)
export class ControlledShutdownHandler implements KafkaApiHandler<typeof ControlledShutdownApi> {
  readonly api = ControlledShutdownApi;
  readonly versions = '1-3';

  constructor(private readonly controller: KafkaController) {}

  async handle(request: ControlledShutdownRequest): Promise<ControlledShutdownResponse> {
    const { errorCode, remaining } = await this.controller.controlledShutdown(request.brokerId, Number(request.brokerEpoch));
    return { errorCode, remainingPartitions: remaining.map(({ topic, partition }) => ({ topicName: topic, partitionIndex: partition })) };
  }
}
