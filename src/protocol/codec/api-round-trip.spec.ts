import { ApiVersionPlan, apiVersionPlan, apiVersions, indexApis } from './api-plan';
import { ByteReader } from './byte-reader';
import { decodeRequestBody, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, encodeResponseChunks } from './message-codec';
import { ApiSpec } from './schema';
import { decodeStruct } from './struct-decoder';
import { StructPlan } from './struct-plan';
import { loadDeclaredApis } from './testing/declared-apis';
import { Prng, randomStruct } from './testing/random-value';
import { SAMPLE_APIS } from './testing/sample-apis';

/**
 * Every version of every declared API, request and response: a seeded pseudo-random
 * value encodes, decodes to the same value (fields absent in the version come back as
 * their defaults, which the generator already put there), consumes exactly the bytes
 * written, and encodes again to the same bytes.
 */
const declared = loadDeclaredApis();
const SAMPLES_PER_VERSION = Number(process.env.KAFKANEST_ROUND_TRIPS ?? 6);

function cases(apis: ApiSpec[]): Array<[string, ApiSpec, number]> {
  return apis.flatMap((api) => apiVersions(api).map((v): [string, ApiSpec, number] => [`${api.name} v${v}`, api, v]));
}

function expectConsumesAll(plan: StructPlan, buf: Buffer, offset: number): void {
  const r = new ByteReader(buf, offset);
  decodeStruct(plan, r);
  expect(r.offset).toBe(buf.length);
}

function roundTrip(api: ApiSpec, version: number, seed: number): void {
  const plan: ApiVersionPlan = apiVersionPlan(api, version);
  const rng = new Prng(seed);
  const apis = new Map([[api.apiKey, api]]);

  const request = randomStruct(plan.request, rng);
  const clientId = rng.chance(0.2) ? null : `client-${seed}`;
  const reqBytes = encodeRequest(api, version, { correlationId: seed, clientId }, request as never);
  const header = decodeRequestHeader(reqBytes, apis);
  expect(header).toMatchObject({ apiKey: api.apiKey, apiVersion: version, correlationId: seed, clientId, api });
  expect(decodeRequestBody(api, version, reqBytes, header.bodyOffset)).toEqual(request);
  expectConsumesAll(plan.request, reqBytes, header.bodyOffset);
  const reqAgain = encodeRequest(api, version, { correlationId: seed, clientId }, decodeRequestBody(api, version, reqBytes, header.bodyOffset));
  expect(reqAgain.equals(reqBytes)).toBe(true);

  const response = randomStruct(plan.response, rng);
  const resBytes = encodeResponse(api, version, seed, response as never);
  const decoded = decodeResponse(api, version, resBytes);
  expect(decoded.correlationId).toBe(seed);
  expect(decoded.body).toEqual(response);
  expect(encodeResponse(api, version, seed, decoded.body).equals(resBytes)).toBe(true);
  expect(Buffer.concat(encodeResponseChunks(api, version, seed, response as never)).equals(resBytes)).toBe(true);
}

describe('round trip of the sample declarations', () => {
  it.each(cases(SAMPLE_APIS))('%s', (_name, api, version) => {
    for (let i = 0; i < SAMPLES_PER_VERSION * 4; i++) roundTrip(api, version, version * 1000 + i + 1);
  });
});

describe('round trip of every declared API', () => {
  it('covers the 30 APIs of issue 3 and ControlledShutdown, every one registered in ALL_APIS', () => {
    expect(declared.found).toHaveLength(31);
    expect(declared.registered?.map((api) => api.apiKey)).toEqual(declared.found.map((api) => api.apiKey));
  });

  it('ALL_APIS registers every API declared in a schema file, once', () => {
    expect(declared.registered).not.toBeNull();
    const keys = declared.registered!.map((a) => a.apiKey);
    expect(indexApis(declared.registered!).size).toBe(keys.length);
    expect([...keys].sort((a, b) => a - b)).toEqual(declared.found.map((a) => a.apiKey));
  });

  it.each(cases(declared.found))('%s', (_name, api, version) => {
    for (let i = 0; i < SAMPLES_PER_VERSION; i++) roundTrip(api, version, api.apiKey * 100000 + version * 100 + i + 1);
  });
});
