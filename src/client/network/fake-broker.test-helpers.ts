// An in-process stand-in for a broker, for unit specs of the SDK's network and routing
// code: it decodes requests with our codec, answers ApiVersions with every API we
// declare (unless told otherwise) and lets each spec script the rest, including
// answering late, never, or out of the ordinary.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  ALL_APIS,
  ApiKey,
  ApiVersionsApi,
  decodeKnownRequestHeader,
  decodeRequestBody,
  encodeResponseFrame,
  highestVersion,
  indexApis,
  lowestVersion,
  type ApiSpec,
} from '../../protocol';
import { ResponseFrameReader } from './response-frame-reader';

const APIS = indexApis(ALL_APIS);

export interface FakeRequest {
  readonly api: ApiSpec<any, any>;
  readonly apiKey: number;
  readonly version: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly body: any;
  readonly socket: Socket;
}

/**
 * Returns the response body to send, undefined to send nothing (the request stays
 * unanswered), or a raw frame (size prefix included) to write as is.
 */
export type FakeHandler = (request: FakeRequest, broker: FakeBroker) => unknown;

export class FakeBroker {
  readonly requests: FakeRequest[] = [];
  readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(private handler: FakeHandler) {
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(handler: FakeHandler = () => undefined): Promise<FakeBroker> {
    const broker = new FakeBroker(handler);
    await new Promise<void>((resolve) => broker.server.listen(0, '127.0.0.1', resolve));
    return broker;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  requestsOf(apiKey: ApiKey): FakeRequest[] {
    return this.requests.filter((r) => r.apiKey === apiKey);
  }

  /** Writes a response for `request` (as its version encodes it). */
  reply(request: FakeRequest, body: unknown): void {
    request.socket.write(encodeResponseFrame(request.api, request.version, request.correlationId, body as never));
  }

  /** Destroys every client connection. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const frames = new ResponseFrameReader(64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk, (frame) => {
        const header = decodeKnownRequestHeader(frame, APIS);
        let body: unknown;
        try {
          body = decodeRequestBody(header.api, header.apiVersion, frame, header.bodyOffset);
        } catch {
          body = undefined;
        }
        const request: FakeRequest = {
          api: header.api,
          apiKey: header.apiKey,
          version: header.apiVersion,
          correlationId: header.correlationId,
          clientId: header.clientId,
          body,
          socket,
        };
        this.requests.push(request);
        const answer = this.handler(request, this);
        if (answer === undefined && request.apiKey === ApiKey.ApiVersions) {
          this.reply(request, apiVersionsBody());
        } else if (Buffer.isBuffer(answer)) {
          socket.write(answer);
        } else if (answer !== undefined) {
          this.reply(request, answer);
        }
      });
    });
  }
}

/** An ApiVersions answer listing every API we declare (or the given ranges). */
export function apiVersionsBody(ranges: Array<{ apiKey: number; minVersion: number; maxVersion: number }> = allRanges(), errorCode = 0) {
  return { errorCode, apiKeys: ranges, throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false };
}

function allRanges() {
  return ALL_APIS.map((api) => ({ apiKey: api.apiKey, minVersion: lowestVersion(api.validVersions), maxVersion: highestVersion(api.validVersions) }));
}

/** An ApiVersions error answer in the v0 layout, as a broker sends for a version it does not know. */
export function apiVersionsV0Error(request: FakeRequest, ranges: Array<{ apiKey: number; minVersion: number; maxVersion: number }>): Buffer {
  return encodeResponseFrame(ApiVersionsApi, 0, request.correlationId, apiVersionsBody(ranges, 35) as never);
}
