// AlterConfigs (key 33) v0–v2, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const AlterConfigsApi = defineApi({
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    // Replaces the whole config set of each resource (unlike IncrementalAlterConfigs).
    resources: t.array({
      resourceType: t.int8(),
      resourceName: t.string(),
      configs: t.array({
        name: t.string(),
        value: t.string('0+', { nullable: '0+' }),
      }),
    }),
    validateOnly: t.bool(),
  },
  response: {
    throttleTimeMs: t.int32(),
    responses: t.array({
      errorCode: t.int16(),
      errorMessage: t.string('0+', { nullable: '0+' }),
      resourceType: t.int8(),
      resourceName: t.string(),
    }),
  },
});

export type AlterConfigsRequest = RequestOf<typeof AlterConfigsApi>;
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigsApi>;
export type AlterConfigsResource = AlterConfigsRequest['resources'][number];
export type AlterConfigsResourceResponse = AlterConfigsResponse['responses'][number];
