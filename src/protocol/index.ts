/**
 * The protocol package's public face: codec only — no I/O, no Nest. One section per
 * area; each area's owner adds its exports in its own section.
 */

// Shared contracts.
export { ApiKey } from './api-key';
export { ProtocolError } from './protocol-error';

// Declaration vocabulary (the t.* builders) and its types.
export { t, defineApi, isFieldSpec } from './codec/schema';
export type { ApiSpec, FieldKind, FieldOptions, FieldSpec, Fields, Infer, InferFields, PrimitiveKind, RequestOf, ResponseOf, VersionRange } from './codec/schema';
export { parseVersionRange, inVersionRange, isEmptyRange, highestVersion, lowestVersion } from './codec/version-range';
export type { ParsedRange } from './codec/version-range';

// Generic codec: plans compiled per (declaration, version), walked by one encoder and one decoder.
export { ByteReader } from './codec/byte-reader';
export { compileStruct, defaultStruct, ZERO_UUID } from './codec/struct-plan';
export type { StructPlan, FieldStep } from './codec/struct-plan';
export { decodeStruct } from './codec/struct-decoder';
export { encodeParts, encodePartsChunks, RECORDS_CHUNK_MIN_BYTES } from './codec/struct-encoder';
export type { EncodePart } from './codec/struct-encoder';
export { apiVersionPlan, apiVersions, validateApi, indexApis } from './codec/api-plan';
export type { ApiLookup, ApiVersionPlan } from './codec/api-plan';
export {
  encodeRequest,
  encodeRequestFrame,
  decodeRequestHeader,
  decodeKnownRequestHeader,
  decodeRequestBody,
  encodeResponse,
  encodeResponseFrame,
  encodeResponseChunks,
  decodeResponse,
  peekCorrelationId,
  requestHeaderPlan,
  responseHeaderPlan,
} from './codec/message-codec';
export type { DecodedRequestHeader, DecodedResponse, RequestHeaderInput } from './codec/message-codec';
export * from './codec/varint';

// Headers.
export * from './headers/request-header';
export * from './headers/response-header';

// Errors.
export { ERRORS, ErrorCode, errorInfo, errorName, isErrorCode, isRetriable } from './errors/error-codes';
export type { ErrorInfo, ErrorName } from './errors/error-codes';
export { KafkaError, errorCodeOf } from './errors/kafka-error';

// API declarations (src/protocol/schemas): every API, ALL_APIS, and their request/response types.
export * from './schemas';

// RecordBatch v2 and compression (src/protocol/record-batch, src/protocol/compression).
export * from './record-batch';
