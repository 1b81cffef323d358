import { ProtocolError } from '../protocol-error';
import { ErrorCode } from '../errors/error-codes';
import { REQUEST_HEADER_FIELDS, requestHeaderVersion } from '../headers/request-header';
import { RESPONSE_HEADER_FIELDS, responseHeaderVersion } from '../headers/response-header';
import { ApiLookup, apiVersionPlan } from './api-plan';
import { ByteReader } from './byte-reader';
import { ApiSpec, RequestOf, ResponseOf } from './schema';
import { decodeStruct } from './struct-decoder';
import { EncodePart, encodeParts, encodePartsChunks } from './struct-encoder';
import { StructPlan, compileStruct } from './struct-plan';

/**
 * Whole messages: header + body. Frames here never include the int32 size prefix
 * unless the function name ends in `Frame` — the broker's connection reads frames
 * without it and writes it in front of the response chunks itself; a client sends
 * `encodeRequestFrame` as is.
 */

export interface RequestHeaderInput {
  readonly correlationId: number;
  readonly clientId?: string | null;
}

export interface DecodedRequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** 1 or 2 (v0 is only ControlledShutdown v0, which we do not serve). */
  readonly headerVersion: number;
  /** Where the body starts in the buffer given. */
  readonly bodyOffset: number;
  /** The API's declaration, or undefined for a key nobody declared. */
  readonly api: ApiSpec | undefined;
}

export interface DecodedResponse<Body> {
  readonly correlationId: number;
  readonly body: Body;
}

const requestHeaderPlans = [0, 1, 2].map((v) => compileStruct(REQUEST_HEADER_FIELDS, v, v >= 2, `request header v${v}`));
const responseHeaderPlans = [0, 1].map((v) => compileStruct(RESPONSE_HEADER_FIELDS, v, v >= 1, `response header v${v}`));

export function requestHeaderPlan(headerVersion: number): StructPlan {
  return requestHeaderPlans[headerVersion];
}

export function responseHeaderPlan(headerVersion: number): StructPlan {
  return responseHeaderPlans[headerVersion];
}

function requestParts(api: ApiSpec, version: number, header: RequestHeaderInput, body: unknown): EncodePart[] {
  const plan = apiVersionPlan(api, version);
  const headerValue = {
    requestApiKey: api.apiKey,
    requestApiVersion: version,
    correlationId: header.correlationId,
    clientId: header.clientId ?? null,
  };
  return [
    { plan: requestHeaderPlans[requestHeaderVersion(api, version)], value: headerValue },
    { plan: plan.request, value: body as Record<string, unknown> },
  ];
}

function responseParts(api: ApiSpec, version: number, correlationId: number, body: unknown): EncodePart[] {
  const plan = apiVersionPlan(api, version);
  return [
    { plan: responseHeaderPlans[responseHeaderVersion(api, version)], value: { correlationId } },
    { plan: plan.response, value: body as Record<string, unknown> },
  ];
}

/** Request header + body, without the size prefix. */
export function encodeRequest<A extends ApiSpec<any, any>>(api: A, version: number, header: RequestHeaderInput, body: RequestOf<A>): Buffer {
  return encodeParts(requestParts(api, version, header, body), false);
}

/** Request header + body after the int32 size prefix: ready for the socket. */
export function encodeRequestFrame<A extends ApiSpec<any, any>>(
  api: A,
  version: number,
  header: RequestHeaderInput,
  body: RequestOf<A>,
): Buffer {
  return encodeParts(requestParts(api, version, header, body), true);
}

/**
 * Reads a request header. The header version depends on whether the API version is
 * flexible, so the API is looked up by key first; for an unknown key the v1 layout is
 * assumed (enough to read the correlation id) and `api` is undefined. The version is
 * not checked here: decodeRequestBody refuses it, after the broker has what it needs
 * to answer.
 */
export function decodeRequestHeader(buf: Buffer, apis: ApiLookup, offset = 0, end = buf.length): DecodedRequestHeader {
  const r = new ByteReader(buf, offset, end);
  r.need(8, 'request header');
  const apiKey = buf.readInt16BE(offset);
  const apiVersion = buf.readInt16BE(offset + 2);
  const api = apis.get(apiKey);
  const headerVersion = api ? requestHeaderVersion(api, apiVersion) : 1;
  const h = decodeStruct(requestHeaderPlans[headerVersion], r);
  return {
    apiKey,
    apiVersion,
    correlationId: h.correlationId as number,
    clientId: h.clientId as string | null,
    headerVersion,
    bodyOffset: r.offset,
    api,
  };
}

/** Like decodeRequestHeader, but an unknown API key is a ProtocolError (INVALID_REQUEST). */
export function decodeKnownRequestHeader(buf: Buffer, apis: ApiLookup, offset = 0, end = buf.length): DecodedRequestHeader & { api: ApiSpec } {
  const header = decodeRequestHeader(buf, apis, offset, end);
  if (!header.api) throw new ProtocolError(`unknown API key ${header.apiKey}`, ErrorCode.INVALID_REQUEST);
  return header as DecodedRequestHeader & { api: ApiSpec };
}

/**
 * Decodes a request body that starts at `offset`. Throws ProtocolError: UNSUPPORTED_VERSION
 * for a version outside validVersions, INVALID_REQUEST for malformed bytes. Bytes after
 * the body are ignored, as Kafka does.
 */
export function decodeRequestBody<A extends ApiSpec<any, any>>(api: A, version: number, buf: Buffer, offset = 0, end = buf.length): RequestOf<A> {
  const plan = apiVersionPlan(api, version);
  return decodeStruct(plan.request, new ByteReader(buf, offset, end)) as RequestOf<A>;
}

/** Response header + body, without the size prefix. */
export function encodeResponse<A extends ApiSpec<any, any>>(api: A, version: number, correlationId: number, body: ResponseOf<A>): Buffer {
  return encodeParts(responseParts(api, version, correlationId, body), false);
}

/** Response header + body after the int32 size prefix. */
export function encodeResponseFrame<A extends ApiSpec<any, any>>(api: A, version: number, correlationId: number, body: ResponseOf<A>): Buffer {
  return encodeParts(responseParts(api, version, correlationId, body), true);
}

/**
 * Response header + body as buffers for writev, without the size prefix: `records`
 * values of RECORDS_CHUNK_MIN_BYTES or more appear by reference (a Fetch response's
 * batches are never copied), everything else is in one allocation.
 */
export function encodeResponseChunks<A extends ApiSpec<any, any>>(api: A, version: number, correlationId: number, body: ResponseOf<A>): Buffer[] {
  return encodePartsChunks(responseParts(api, version, correlationId, body), false);
}

/** The correlation id that opens every response, whatever its header version. */
export function peekCorrelationId(frame: Buffer, offset = 0): number {
  if (frame.length - offset < 4) throw new ProtocolError('truncated frame: no correlation id');
  return frame.readInt32BE(offset);
}

/** Decodes a response (header + body) of the API version the request was sent with. */
export function decodeResponse<A extends ApiSpec<any, any>>(
  api: A,
  version: number,
  buf: Buffer,
  offset = 0,
  end = buf.length,
): DecodedResponse<ResponseOf<A>> {
  const plan = apiVersionPlan(api, version);
  const r = new ByteReader(buf, offset, end);
  const header = decodeStruct(responseHeaderPlans[responseHeaderVersion(api, version)], r);
  return { correlationId: header.correlationId as number, body: decodeStruct(plan.response, r) as ResponseOf<A> };
}
