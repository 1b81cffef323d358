import { Injectable, Logger } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { apiVersionPlan } from '../../protocol/codec/api-plan';
import { decodeRequestBody, decodeRequestHeader, encodeResponseChunks, type DecodedRequestHeader } from '../../protocol/codec/message-codec';
import type { ApiSpec } from '../../protocol/codec/schema';
import { defaultStruct } from '../../protocol/codec/struct-plan';
import { inVersionRange } from '../../protocol/codec/version-range';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { errorCodeOf } from '../../protocol/errors/kafka-error';
import { ProtocolError } from '../../protocol/protocol-error';
import type { ConnectionInfo } from '../network/kafka-connection';
import { ApiRegistry, type ServedApi } from './api-registry';
import type { RequestContext } from './kafka-api-handler';

/** Observes every served request (metrics hook up here). */
export interface RequestObserver {
  onRequest(apiKey: number, requestBytes: number, responseBytes: number, elapsedMs: number, errored: boolean): void;
}

/**
 * Frame in, response chunks out: decode the header, find the handler, decode the
 * body, call it, encode. Kafka's rules for requests it cannot serve:
 *  - a header that cannot be read, an unknown API key or a body that does not
 *    decode: the connection is closed (the error is thrown to the connection);
 *  - ApiVersions at a version we do not know: a v0 response with
 *    UNSUPPORTED_VERSION and our ranges, so any client can read it and retry;
 *  - another API at a version we declare but do not serve: a response whose
 *    top-level error code is UNSUPPORTED_VERSION, the connection lives;
 *  - a handler that throws: the top-level error code carries the fault when the
 *    response has one; otherwise the connection is closed.
 */
@Injectable()
export class RequestRouter {
  private readonly logger = new Logger('RequestRouter');
  private observer: RequestObserver | undefined;

  constructor(private readonly registry: ApiRegistry) {}

  setObserver(observer: RequestObserver): void {
    this.observer = observer;
  }

  readonly dispatch = (frame: Buffer, connection: ConnectionInfo): Buffer[] | null | Promise<Buffer[] | null> => {
    const started = performance.now();
    const header = decodeRequestHeader(frame, this.registry);
    const served = this.registry.handler(header.apiKey);
    if (!served) throw new ProtocolError(`unknown API key ${header.apiKey} from ${connection.remoteAddress}`, ErrorCode.INVALID_REQUEST);
    const api = served.handler.api;
    if (header.apiVersion < served.minVersion || header.apiVersion > served.maxVersion) {
      return this.unsupportedVersion(served, header);
    }
    const request = decodeRequestBody(api, header.apiVersion, frame, header.bodyOffset);
    const context: RequestContext = {
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      connection,
    };
    const finish = (response: unknown): Buffer[] | null => {
      const chunks = response === null ? null : encodeResponseChunks(api, header.apiVersion, header.correlationId, response as never);
      this.observe(header.apiKey, frame.length, chunks, started, false);
      return chunks;
    };
    const fail = (err: unknown): Buffer[] => {
      this.observe(header.apiKey, frame.length, null, started, true);
      return this.errorResponse(api, header, err);
    };
    try {
      const result = served.handler.handle(request, context);
      return result instanceof Promise ? result.then(finish, fail) : finish(result);
    } catch (err) {
      return fail(err);
    }
  };

  private unsupportedVersion(served: ServedApi, header: DecodedRequestHeader): Buffer[] {
    const api = served.handler.api;
    if (header.apiKey === ApiKey.ApiVersions) {
      // v0 layout, header v0: readable by a client whatever version it tried.
      const body = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.advertisedVersions(), throttleTimeMs: 0 };
      return encodeResponseChunks(api, 0, header.correlationId, body as never);
    }
    if (!inVersionRange(api.validVersions, header.apiVersion)) {
      throw new ProtocolError(`${api.name} v${header.apiVersion} cannot even be answered (declared ${api.validVersions})`, ErrorCode.UNSUPPORTED_VERSION);
    }
    return this.errorResponse(api, header, new ProtocolError(`${api.name} v${header.apiVersion} not served`, ErrorCode.UNSUPPORTED_VERSION));
  }

  /** The ApiVersions list: minimum 0 for every key (see ARCHITECTURE.md on librdkafka's overlap checks). */
  advertisedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return this.registry.list().map((s) => ({ apiKey: s.handler.api.apiKey, minVersion: 0, maxVersion: s.maxVersion }));
  }

  private errorResponse(api: ApiSpec, header: DecodedRequestHeader, err: unknown): Buffer[] {
    const code = errorCodeOf(err);
    const plan = apiVersionPlan(api, header.apiVersion).response;
    if (!plan.regular.some((step) => step.name === 'errorCode')) {
      throw err instanceof Error ? err : new Error(String(err));
    }
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR) this.logger.error(`${api.name} v${header.apiVersion} failed`, err instanceof Error ? err.stack : String(err));
    const body = { ...defaultStruct(plan), errorCode: code };
    return encodeResponseChunks(api, header.apiVersion, header.correlationId, body as never);
  }

  private observe(apiKey: number, requestBytes: number, chunks: Buffer[] | null, started: number, errored: boolean): void {
    if (!this.observer) return;
    let responseBytes = 0;
    if (chunks) for (const c of chunks) responseBytes += c.length;
    this.observer.onRequest(apiKey, requestBytes, responseBytes, performance.now() - started, errored);
  }
}
