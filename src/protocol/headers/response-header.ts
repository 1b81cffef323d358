import { ApiKey } from '../api-key';
import { ApiSpec, InferFields, t } from '../codec/schema';
import { inVersionRange } from '../codec/version-range';

/** Response header v0–v1 (Kafka's ResponseHeader.json): v1 adds the tagged-field section. */
export const RESPONSE_HEADER_FIELDS = {
  correlationId: t.int32(),
};

export const RESPONSE_HEADER_VALID_VERSIONS = '0-1';
export const RESPONSE_HEADER_FLEXIBLE_VERSIONS = '1+';

export type ResponseHeaderData = InferFields<typeof RESPONSE_HEADER_FIELDS>;

/**
 * v1 when the API version is flexible, else v0 — except ApiVersions, whose response
 * header is always v0: a client that sent a version the broker does not know must
 * still be able to read the answer (the error and the supported ranges).
 */
export function responseHeaderVersion(api: Pick<ApiSpec, 'apiKey' | 'flexibleVersions'>, apiVersion: number): 0 | 1 {
  if (api.apiKey === ApiKey.ApiVersions) return 0;
  return inVersionRange(api.flexibleVersions, apiVersion) ? 1 : 0;
}
