import { ProtocolError } from '../protocol-error';
import { ErrorCode } from '../errors/error-codes';
import { ApiSpec } from './schema';
import { StructPlan, compileStruct } from './struct-plan';
import { inVersionRange, parseVersionRange } from './version-range';

/** The compiled request and response plans of one API version. */
export interface ApiVersionPlan {
  readonly api: ApiSpec;
  readonly version: number;
  readonly flexible: boolean;
  readonly request: StructPlan;
  readonly response: StructPlan;
}

const cache = new WeakMap<ApiSpec, Map<number, ApiVersionPlan>>();

/**
 * Plans for `api` at `version`, compiled on first use. A version outside the API's
 * validVersions is a ProtocolError with UNSUPPORTED_VERSION: the broker answers it
 * with that code (ApiVersions in its v0 form) and keeps the connection.
 */
export function apiVersionPlan(api: ApiSpec, version: number): ApiVersionPlan {
  let byVersion = cache.get(api);
  if (!byVersion) {
    byVersion = new Map();
    cache.set(api, byVersion);
  }
  let plan = byVersion.get(version);
  if (plan) return plan;
  if (!inVersionRange(api.validVersions, version)) {
    throw new ProtocolError(
      `${api.name} (key ${api.apiKey}) v${version} is not supported (valid versions ${api.validVersions})`,
      ErrorCode.UNSUPPORTED_VERSION,
    );
  }
  const flexible = inVersionRange(api.flexibleVersions, version);
  plan = {
    api,
    version,
    flexible,
    request: compileStruct(api.request, version, flexible, `${api.name} request v${version}`),
    response: compileStruct(api.response, version, flexible, `${api.name} response v${version}`),
  };
  byVersion.set(version, plan);
  return plan;
}

/** Every version in the API's validVersions, lowest first. */
export function apiVersions(api: ApiSpec): number[] {
  const { min, max } = parseVersionRange(api.validVersions);
  if (!Number.isFinite(max)) throw new Error(`${api.name}: validVersions '${api.validVersions}' must have an upper bound`);
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}

/**
 * Compiles every version of the API, so a declaration mistake (bad range, duplicate
 * tag, nullable int) surfaces at start-up or in a unit test rather than mid-request.
 */
export function validateApi(api: ApiSpec): void {
  for (const v of apiVersions(api)) apiVersionPlan(api, v);
}

/** What a request header decoder needs to find an API by key; a Map<number, ApiSpec> is one. */
export interface ApiLookup {
  get(apiKey: number): ApiSpec | undefined;
}

/** Indexes APIs by key, refusing two declarations of the same key. */
export function indexApis(apis: Iterable<ApiSpec>): Map<number, ApiSpec> {
  const map = new Map<number, ApiSpec>();
  for (const api of apis) {
    if (map.has(api.apiKey)) throw new Error(`API key ${api.apiKey} declared twice (${map.get(api.apiKey)!.name}, ${api.name})`);
    map.set(api.apiKey, api);
  }
  return map;
}
