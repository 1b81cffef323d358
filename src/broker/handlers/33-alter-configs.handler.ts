// Api: AlterConfigs (key 33) v0–v2; not supported: dynamic broker configs (BROKER resources with entries get INVALID_REQUEST).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { AlterConfigsApi, type AlterConfigsRequest, type AlterConfigsResponse } from '../../protocol/schemas/alter-configs.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { ConfigAdmin } from '../topics/config-admin.service';

/** Replaces each topic's whole override set (entries left out return to their defaults). */
@Injectable()
@KafkaApi(ApiKey.AlterConfigs)
export class AlterConfigsHandler implements KafkaApiHandler<typeof AlterConfigsApi> {
  readonly api = AlterConfigsApi;
  readonly versions = '0-2';

  constructor(private readonly configAdmin: ConfigAdmin) {}

  async handle(request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
    return { throttleTimeMs: 0, responses: await this.configAdmin.alter(request.resources, request.validateOnly) };
  }
}
