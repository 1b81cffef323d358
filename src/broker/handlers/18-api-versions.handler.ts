// Api: ApiVersions (key 18) v0–v4; not supported: supported/finalized features (none to announce).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ApiVersionsApi, type ApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/schemas/api-versions.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { RequestRouter } from '../api/request-router';

/**
 * Lists every API a handler serves, from the registry. An unknown ApiVersions
 * version never reaches here: the router answers it in v0 form with
 * UNSUPPORTED_VERSION and the same list.
 */
@Injectable()
@KafkaApi(ApiKey.ApiVersions)
export class ApiVersionsHandler implements KafkaApiHandler<typeof ApiVersionsApi> {
  readonly api = ApiVersionsApi;
  readonly versions = '0-4';

  constructor(private readonly router: RequestRouter) {}

  handle(_request: ApiVersionsRequest): ApiVersionsResponse {
    return {
      errorCode: 0,
      apiKeys: this.router.advertisedVersions(),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  }
}
