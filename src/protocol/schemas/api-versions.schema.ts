// ApiVersions (key 18) v0–v4, flexible v3+; every Kafka 3.9 version and field declared.
// The response header stays v0 (no tagged fields) even in flexible versions: that quirk
// belongs to the header codec, not to this body.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const ApiVersionsApi = defineApi({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    clientSoftwareName: t.string('3+'),
    clientSoftwareVersion: t.string('3+'),
  },
  response: {
    errorCode: t.int16(),
    apiKeys: t.array({
      apiKey: t.int16(),
      minVersion: t.int16(),
      maxVersion: t.int16(),
    }),
    throttleTimeMs: t.int32('1+'),
    supportedFeatures: t.array(
      {
        name: t.string('3+'),
        minVersion: t.int16('3+'),
        maxVersion: t.int16('3+'),
      },
      '3+',
      { tag: 0, taggedVersions: '3+' },
    ),
    finalizedFeaturesEpoch: t.int64('3+', { default: -1, tag: 1, taggedVersions: '3+' }),
    finalizedFeatures: t.array(
      {
        name: t.string('3+'),
        maxVersionLevel: t.int16('3+'),
        minVersionLevel: t.int16('3+'),
      },
      '3+',
      { tag: 2, taggedVersions: '3+' },
    ),
    zkMigrationReady: t.bool('3+', { tag: 3, taggedVersions: '3+' }),
  },
});

export type ApiVersionsRequest = RequestOf<typeof ApiVersionsApi>;
export type ApiVersionsResponse = ResponseOf<typeof ApiVersionsApi>;
export type ApiVersionsApiKey = ApiVersionsResponse['apiKeys'][number];
export type ApiVersionsSupportedFeature = ApiVersionsResponse['supportedFeatures'][number];
export type ApiVersionsFinalizedFeature = ApiVersionsResponse['finalizedFeatures'][number];
