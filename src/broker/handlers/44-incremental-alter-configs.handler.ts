// Api: IncrementalAlterConfigs (key 44) v0–v1; not supported: dynamic broker configs (BROKER resources with entries get INVALID_REQUEST).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import {
  IncrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from '../../protocol/schemas/incremental-alter-configs.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { ConfigAdmin } from '../topics/config-admin.service';

/** SET, DELETE, APPEND and SUBTRACT on topic config overrides, validated as a whole before they are written. */
@Injectable()
@KafkaApi(ApiKey.IncrementalAlterConfigs)
export class IncrementalAlterConfigsHandler implements KafkaApiHandler<typeof IncrementalAlterConfigsApi> {
  readonly api = IncrementalAlterConfigsApi;
  readonly versions = '0-1';

  constructor(private readonly configAdmin: ConfigAdmin) {}

  async handle(request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
    return { throttleTimeMs: 0, responses: await this.configAdmin.incrementalAlter(request.resources, request.validateOnly) };
  }
}
