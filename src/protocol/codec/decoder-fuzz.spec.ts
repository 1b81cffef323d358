import { ProtocolError } from '../protocol-error';
import { apiVersionPlan, apiVersions, indexApis } from './api-plan';
import { decodeRequestBody, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse } from './message-codec';
import { ApiSpec } from './schema';
import { loadDeclaredApis } from './testing/declared-apis';
import { Prng, measureValue, randomStruct } from './testing/random-value';
import { SAMPLE_APIS, SampleApiVersionsApi } from './testing/sample-apis';
import { HOSTILE_COUNTS } from './testing/hostile-counts';

/**
 * Random and mutated frames for every decoder: each call returns a value or throws a
 * ProtocolError — never a RangeError, TypeError or anything else — and what it returns
 * holds no more array elements, characters and bytes than the frame has bytes (plus a
 * little slack for non-empty declared defaults), i.e. nothing was allocated on the
 * strength of a claimed length alone. Deterministic; KAFKANEST_FUZZ_ITERATIONS raises
 * the number of mutations per API version (default 40).
 */
const ITERATIONS = Number(process.env.KAFKANEST_FUZZ_ITERATIONS ?? 40);
const DEFAULTS_SLACK = 64;

function mutate(rng: Prng, frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const at = rng.int(0, Math.max(0, out.length - 1));
  switch (rng.int(0, 5)) {
    case 0: {
      for (let i = rng.int(1, 4); i > 0 && out.length > 0; i--) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return out;
    }
    case 1:
      return out.subarray(0, rng.int(0, out.length));
    case 2:
      return Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at)]);
    case 3:
      return Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 8)))]);
    case 4: {
      const huge = rng.pick(HOSTILE_COUNTS);
      huge.copy(out, at, 0, Math.min(huge.length, out.length - at));
      return out;
    }
    default: {
      const huge = rng.pick(HOSTILE_COUNTS);
      return Buffer.concat([out.subarray(0, at), huge, out.subarray(at)]);
    }
  }
}

interface Failure {
  what: string;
  frame: string;
  error: string;
}

/** Runs `decode`; records anything but a bounded value or a ProtocolError. */
function probe(failures: Failure[], what: string, frame: Buffer, decode: () => unknown): void {
  try {
    const value = decode();
    const held = measureValue(value);
    if (held > frame.length + DEFAULTS_SLACK) failures.push({ what, frame: frame.toString('hex'), error: `holds ${held} for a ${frame.length}-byte frame` });
  } catch (err) {
    if (!(err instanceof ProtocolError)) failures.push({ what, frame: frame.toString('hex'), error: String((err as Error)?.stack ?? err) });
  }
}

function fuzzApi(api: ApiSpec, version: number, seed: number): Failure[] {
  const rng = new Prng(seed);
  const plan = apiVersionPlan(api, version);
  const apis = new Map([[api.apiKey, api]]);
  const failures: Failure[] = [];
  const requests: Array<{ frame: Buffer; bodyOffset: number }> = [];
  const responses: Buffer[] = [];
  for (let i = 0; i < 3; i++) {
    const frame = encodeRequest(api, version, { correlationId: i, clientId: 'fuzz' }, randomStruct(plan.request, rng) as never);
    requests.push({ frame, bodyOffset: decodeRequestHeader(frame, apis).bodyOffset });
    responses.push(encodeResponse(api, version, i, randomStruct(plan.response, rng) as never));
  }
  const label = `${api.name} v${version}`;
  const checkRequest = (frame: Buffer, bodyOffset: number) => {
    probe(failures, `${label} request`, frame, () => {
      const h = decodeRequestHeader(frame, apis);
      return h.api ? decodeRequestBody(h.api, h.apiVersion, frame, h.bodyOffset) : h;
    });
    probe(failures, `${label} request body`, frame, () => decodeRequestBody(api, version, frame, Math.min(bodyOffset, frame.length)));
  };
  const checkResponse = (frame: Buffer) => probe(failures, `${label} response`, frame, () => decodeResponse(api, version, frame));

  for (let i = 0; i < ITERATIONS; i++) {
    const req = rng.pick(requests);
    checkRequest(mutate(rng, req.frame), req.bodyOffset);
    checkResponse(mutate(rng, rng.pick(responses)));
  }
  for (let i = 0; i < Math.ceil(ITERATIONS / 4); i++) {
    const noise = rng.bytes(rng.int(0, 64));
    checkRequest(noise, rng.int(0, noise.length));
    checkResponse(noise);
  }
  return failures;
}

const declared = loadDeclaredApis().found;
const cases = [...SAMPLE_APIS, ...declared].flatMap((api) => apiVersions(api).map((v): [string, ApiSpec, number] => [`${api.name} v${v}`, api, v]));

describe('decoders under random and mutated frames', () => {
  it.each(cases)('%s returns a bounded value or throws ProtocolError', (_name, api, version) => {
    expect(fuzzApi(api, version, api.apiKey * 1000 + version + 1).slice(0, 3)).toEqual([]);
  });

  it('reads any request header from noise without throwing anything but ProtocolError', () => {
    const rng = new Prng(99);
    const apis = indexApis([...declared.length ? declared : SAMPLE_APIS]);
    const failures: Failure[] = [];
    for (let i = 0; i < ITERATIONS * 10; i++) {
      const frame = rng.bytes(rng.int(0, 40));
      probe(failures, 'request header', frame, () => decodeRequestHeader(frame, apis));
    }
    expect(failures).toEqual([]);
  });
});

describe('claimed lengths far beyond the frame', () => {
  // ApiVersions response: header v0 (correlation id), error code, then the api_keys count.
  const classic = Buffer.from('00000001' + '0000' + '7fffffff' + '0012' + '0000' + '0004', 'hex');
  const compact = Buffer.from('00000001' + '0000' + '8080808008' + '0012000000040000', 'hex');

  it.each([
    ['classic int32 count 2^31-1', 0, classic],
    ['compact varint count 2^31', 3, compact],
  ] as const)('a %s fails fast with a ProtocolError before allocating', (_name, version, frame) => {
    const started = process.hrtime.bigint();
    let caught: unknown;
    try {
      decodeResponse(SampleApiVersionsApi, version, frame);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as Error).message).toMatch(/claims 2147483647 elements/);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });

  it('refuses a string length beyond the frame without reading it', () => {
    const frame = Buffer.from('0012' + '0003' + '00000007' + '7fff' + '61', 'hex');
    expect(() => decodeRequestHeader(frame, new Map([[18, SampleApiVersionsApi]]))).toThrow(ProtocolError);
  });
});
