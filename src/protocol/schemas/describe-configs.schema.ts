// DescribeConfigs (key 32) v0–v4, flexible v4+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DescribeConfigsApi = defineApi({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    resources: t.array({
      // ConfigResource.Type: 2 topic, 4 broker, 8 broker logger, 16 client metrics.
      resourceType: t.int8(),
      resourceName: t.string(),
      // Null lists every key.
      configurationKeys: t.array(t.string(), '0+', { nullable: '0+' }),
    }),
    includeSynonyms: t.bool('1+'),
    includeDocumentation: t.bool('3+'),
  },
  response: {
    throttleTimeMs: t.int32(),
    results: t.array({
      errorCode: t.int16(),
      errorMessage: t.string('0+', { nullable: '0+' }),
      resourceType: t.int8(),
      resourceName: t.string(),
      configs: t.array({
        name: t.string(),
        value: t.string('0+', { nullable: '0+' }),
        readOnly: t.bool(),
        // v0 only; from v1 the same fact is configSource == DEFAULT_CONFIG (5).
        isDefault: t.bool('0'),
        // ConfigSource: 1 dynamic topic, 2 dynamic broker, 3 dynamic default broker,
        // 4 static broker, 5 default, 6 dynamic broker logger, 7 client metrics; 0 unknown.
        configSource: t.int8('1+', { default: -1 }),
        isSensitive: t.bool(),
        // The config's value at each level that could set it, highest precedence first.
        synonyms: t.array(
          {
            name: t.string('1+'),
            value: t.string('1+', { nullable: '0+' }),
            source: t.int8('1+'),
          },
          '1+',
        ),
        // ConfigType: 0 unknown, 1 boolean, 2 string, 3 int, 4 short, 5 long, 6 double, 7 list, 8 class, 9 password.
        configType: t.int8('3+'),
        documentation: t.string('3+', { nullable: '0+' }),
      }),
    }),
  },
});

export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigsApi>;
export type DescribeConfigsResponse = ResponseOf<typeof DescribeConfigsApi>;
export type DescribeConfigsResource = DescribeConfigsRequest['resources'][number];
export type DescribeConfigsResult = DescribeConfigsResponse['results'][number];
export type DescribeConfigsResourceResult = DescribeConfigsResult['configs'][number];
export type DescribeConfigsSynonym = DescribeConfigsResourceResult['synonyms'][number];
