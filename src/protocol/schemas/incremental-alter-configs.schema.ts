// IncrementalAlterConfigs (key 44) v0–v1, flexible v1+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const IncrementalAlterConfigsApi = defineApi({
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: {
    resources: t.array({
      resourceType: t.int8(),
      resourceName: t.string(),
      configs: t.array({
        name: t.string(),
        // AlterConfigOp.OpType: 0 set, 1 delete, 2 append, 3 subtract (the last two for list configs).
        configOperation: t.int8(),
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

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigsApi>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigsApi>;
export type IncrementalAlterConfigsResource = IncrementalAlterConfigsRequest['resources'][number];
export type IncrementalAlterableConfig = IncrementalAlterConfigsResource['configs'][number];
export type IncrementalAlterConfigsResourceResponse = IncrementalAlterConfigsResponse['responses'][number];
