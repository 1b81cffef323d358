// Api: DescribeConfigs (key 32) v0–v4; not supported: BROKER_LOGGER and CLIENT_METRICS resources, dynamic broker configs.
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { DescribeConfigsApi, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/schemas/describe-configs.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { ConfigAdmin } from '../topics/config-admin.service';
import { ConfigSource } from '../topics/topic-config-definitions';

/** Topic configs with their sources and synonyms, and this broker's static configs (read-only). */
@Injectable()
@KafkaApi(ApiKey.DescribeConfigs)
export class DescribeConfigsHandler implements KafkaApiHandler<typeof DescribeConfigsApi> {
  readonly api = DescribeConfigsApi;
  readonly versions = '0-4';

  constructor(private readonly configAdmin: ConfigAdmin) {}

  handle(request: DescribeConfigsRequest, ctx: RequestContext): DescribeConfigsResponse {
    const results = this.configAdmin.describe(request.resources, {
      includeSynonyms: ctx.apiVersion >= 1 && request.includeSynonyms,
      includeDocumentation: ctx.apiVersion >= 3 && request.includeDocumentation,
    });
    return {
      throttleTimeMs: 0,
      results: results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          isDefault: c.source === ConfigSource.Default,
          configSource: c.source,
          isSensitive: c.isSensitive,
          synonyms: c.synonyms,
          configType: c.configType,
          documentation: c.documentation,
        })),
      })),
    };
  }
}
