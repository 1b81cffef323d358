import { ApiSpec, InferFields, t } from '../codec/schema';
import { inVersionRange } from '../codec/version-range';

/**
 * Request header v0–v2, declared like any message (Kafka's RequestHeader.json).
 * v0 has no client id (only ControlledShutdown v0 used it); v1 adds it; v2 is the
 * flexible form, with a tagged-field section after the client id. The client id stays
 * a classic int16-prefixed string even in v2 — its flexibleVersions is 'none' — so a
 * broker can read the header of an ApiVersions request of any version, even one too
 * new for it to know whether it is flexible.
 */
export const REQUEST_HEADER_FIELDS = {
  requestApiKey: t.int16(),
  requestApiVersion: t.int16(),
  correlationId: t.int32(),
  clientId: t.string('1+', { nullable: '1+', flexibleVersions: 'none', default: null }),
};

export const REQUEST_HEADER_VALID_VERSIONS = '0-2';
export const REQUEST_HEADER_FLEXIBLE_VERSIONS = '2+';

export type RequestHeaderData = InferFields<typeof REQUEST_HEADER_FIELDS>;

/**
 * v2 when the API version is flexible, else v1. A version above the API's highest
 * still gets v2 when the flexible range is open (as Kafka does), so the header of a
 * too-new ApiVersions request is read correctly and answered with UNSUPPORTED_VERSION.
 */
export function requestHeaderVersion(api: Pick<ApiSpec, 'flexibleVersions'>, apiVersion: number): 1 | 2 {
  return inVersionRange(api.flexibleVersions, apiVersion) ? 2 : 1;
}
