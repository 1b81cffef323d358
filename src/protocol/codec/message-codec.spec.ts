import { ProtocolError } from '../protocol-error';
import { ApiVersionsApi } from '../schemas/api-versions.schema';
import { MetadataApi } from '../schemas/metadata.schema';
import { ErrorCode } from '../errors/error-codes';
import {
  decodeKnownRequestHeader,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeRequestFrame,
  encodeResponse,
  encodeResponseChunks,
  encodeResponseFrame,
  peekCorrelationId,
} from './message-codec';
import { RECORDS_CHUNK_MIN_BYTES } from './struct-encoder';
import { KitchenSinkApi } from './testing/sample-apis';

const apis = new Map<number, typeof ApiVersionsApi | typeof MetadataApi>([
  [ApiVersionsApi.apiKey, ApiVersionsApi],
  [MetadataApi.apiKey, MetadataApi],
]);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function thrown(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError');
}

describe('request headers', () => {
  it('uses header v1 (no tagged section) for a non-flexible version', () => {
    const bytes = encodeRequest(ApiVersionsApi, 2, { correlationId: 7, clientId: 'ab' }, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(bytes.toString('hex')).toBe('0012 0002 00000007 0002 6162'.replace(/ /g, ''));
    expect(decodeRequestHeader(bytes, apis)).toEqual({
      apiKey: 18,
      apiVersion: 2,
      correlationId: 7,
      clientId: 'ab',
      headerVersion: 1,
      bodyOffset: bytes.length,
      api: ApiVersionsApi,
    });
  });

  it('uses header v2 for a flexible version, with the client id still a classic string', () => {
    const bytes = encodeRequest(ApiVersionsApi, 3, { correlationId: 7, clientId: 'ab' }, { clientSoftwareName: 'k', clientSoftwareVersion: '1' });
    // header: key, version, correlation id, int16-length client id, empty tagged section | body: compact strings + tagged section
    expect(bytes.toString('hex')).toBe('0012 0003 00000007 0002 6162 00 | 02 6b 02 31 00'.replace(/[ |]/g, ''));
    const header = decodeRequestHeader(bytes, apis);
    expect(header).toMatchObject({ headerVersion: 2, clientId: 'ab', bodyOffset: 13 });
    expect(decodeRequestBody(ApiVersionsApi, 3, bytes, header.bodyOffset)).toEqual({ clientSoftwareName: 'k', clientSoftwareVersion: '1' });
  });

  it('encodes a missing client id as null', () => {
    const bytes = encodeRequest(MetadataApi, 1, { correlationId: 1 }, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(bytes.subarray(8, 10).toString('hex')).toBe('ffff');
    expect(decodeRequestHeader(bytes, apis).clientId).toBeNull();
  });

  it.each([3, 4])('decodes an ApiVersions v%i request carrying unknown tagged fields in header and body', (version) => {
    const frame = hex(
      `0012 000${version} 0000002a 0005 6b63617420` + // key 18, version, correlation 42, client id "kcat "
        '02 00 01 ff 7f 02 abcd' + // header tags: two unknown (tag 0 size 1, tag 127 size 2)
        '06 6b61666b61 04 322e30' + // body: compact "kafka", compact "2.0"
        '03 01 00 09 03 6869 21 02 0000', // body tags: three unknown, one empty
    );
    const header = decodeRequestHeader(frame, apis);
    expect(header).toMatchObject({ apiKey: 18, apiVersion: version, correlationId: 42, clientId: 'kcat ', headerVersion: 2 });
    expect(decodeRequestBody(ApiVersionsApi, version, frame, header.bodyOffset)).toEqual({
      clientSoftwareName: 'kafka',
      clientSoftwareVersion: '2.0',
    });
  });

  it('reads the header of an ApiVersions version newer than any it knows, and refuses the body with UNSUPPORTED_VERSION', () => {
    const frame = hex('0012 0009 00000005 0000 00 00 00');
    const header = decodeRequestHeader(frame, apis);
    expect(header).toMatchObject({ apiVersion: 9, correlationId: 5, headerVersion: 2, api: ApiVersionsApi });
    expect(thrown(() => decodeRequestBody(ApiVersionsApi, 9, frame, header.bodyOffset)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it('reads the correlation id of an unknown API key; the strict variant refuses it with INVALID_REQUEST', () => {
    const frame = hex('7fff 0000 00000009 ffff');
    expect(decodeRequestHeader(frame, apis)).toMatchObject({ apiKey: 0x7fff, correlationId: 9, api: undefined });
    expect(thrown(() => decodeKnownRequestHeader(frame, apis)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('refuses a truncated header with a ProtocolError', () => {
    expect(() => decodeRequestHeader(hex('0012 0003 0000'), apis)).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(hex('0012 0003 00000001 0005 61'), apis)).toThrow(/truncated/);
    expect(() => decodeRequestHeader(hex('0012 0003 00000001 0000'), apis)).toThrow(/truncated/);
  });

  it('prefixes the frame variant with its int32 size', () => {
    const body = { clientSoftwareName: 'k', clientSoftwareVersion: '1' };
    const plain = encodeRequest(ApiVersionsApi, 3, { correlationId: 1, clientId: 'c' }, body);
    const framed = encodeRequestFrame(ApiVersionsApi, 3, { correlationId: 1, clientId: 'c' }, body);
    expect(framed.readInt32BE(0)).toBe(plain.length);
    expect(framed.subarray(4).equals(plain)).toBe(true);
  });

  it('refuses to encode a version outside validVersions with UNSUPPORTED_VERSION', () => {
    const err = thrown(() => encodeRequest(ApiVersionsApi, 5, { correlationId: 1 }, { clientSoftwareName: '', clientSoftwareVersion: '' }));
    expect(err.errorCode).toBe(35);
    expect(err.message).toMatch(/ApiVersions \(key 18\) v5/);
  });
});

describe('response headers', () => {
  const apiVersionsBody = {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };

  it('keeps the ApiVersions response header at v0 even in flexible versions', () => {
    const bytes = encodeResponse(ApiVersionsApi, 3, 11, apiVersionsBody);
    // correlation id, then straight into the body: error code, compact array of 1, ...
    expect(bytes.subarray(0, 7).toString('hex')).toBe('0000000b' + '0000' + '02');
    expect(decodeResponse(ApiVersionsApi, 3, bytes)).toEqual({ correlationId: 11, body: apiVersionsBody });
  });

  it('uses header v1 (a tagged section after the correlation id) for other flexible responses', () => {
    const body = { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: 1, topics: [], clusterAuthorizedOperations: -2147483648 };
    const bytes = encodeResponse(MetadataApi, 9, 3, body);
    expect(bytes.subarray(0, 5).toString('hex')).toBe('00000003' + '00');
    expect(encodeResponse(MetadataApi, 8, 3, body).subarray(4, 8).toString('hex')).toBe('00000000');
    expect(decodeResponse(MetadataApi, 9, bytes).body).toEqual(body);
  });

  it('peeks the correlation id of any response', () => {
    expect(peekCorrelationId(encodeResponse(ApiVersionsApi, 0, 77, apiVersionsBody))).toBe(77);
    expect(() => peekCorrelationId(hex('0000'))).toThrow(ProtocolError);
  });

  it('prefixes the frame variant with its int32 size', () => {
    const framed = encodeResponseFrame(ApiVersionsApi, 0, 1, apiVersionsBody);
    expect(framed.readInt32BE(0)).toBe(framed.length - 4);
  });
});

describe('response chunks for writev', () => {
  const big = Buffer.alloc(RECORDS_CHUNK_MIN_BYTES, 7);
  const small = Buffer.from([1, 2, 3]);
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    partitions: [
      { index: 0, records: big, error: null },
      { index: 1, records: small, error: null },
      { index: 2, records: null, error: 'x' },
      { index: 3, records: big, error: null },
    ],
  };

  it.each([0, 3])('references large records instead of copying them (v%i), and matches the single-buffer encoding', (version) => {
    const chunks = encodeResponseChunks(KitchenSinkApi, version, 5, body);
    expect(chunks.filter((c) => c === big)).toHaveLength(2);
    expect(chunks.some((c) => c === small)).toBe(false);
    expect(Buffer.concat(chunks).equals(encodeResponse(KitchenSinkApi, version, 5, body))).toBe(true);
    // Everything but the referenced records shares one allocation.
    const own = chunks.filter((c) => c !== big);
    expect(new Set(own.map((c) => c.buffer)).size).toBe(1);
  });
});
