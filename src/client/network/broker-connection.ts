import { connect as netConnect, type Socket } from 'node:net';
import {
  ApiVersionsApi,
  ErrorCode,
  apiVersionPlan,
  decodeResponse,
  encodePartsChunks,
  highestVersion,
  lowestVersion,
  requestHeaderPlan,
  requestHeaderVersion,
  type ApiSpec,
  type ApiVersionsResponse,
  type RequestOf,
  type ResponseOf,
} from '../../protocol';
import { ConnectionError, KafkaClientError, KafkaTimeoutError } from '../errors';
import { ResponseFrameReader } from './response-frame-reader';

export interface BrokerConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** The broker's node id when known, for messages only (bootstrap connections have none). */
  readonly nodeId?: number;
  readonly clientId?: string | null;
  /** socket.connection.setup.timeout.ms: TCP connect plus the ApiVersions exchange. */
  readonly connectTimeoutMs?: number;
  /** request.timeout.ms: the default wait for each response. */
  readonly requestTimeoutMs?: number;
  /** The largest response frame accepted; a bigger size prefix means the stream is broken. */
  readonly maxResponseBytes?: number;
  /** Sent in ApiVersions v3+ (KIP-511); letters, digits, dots and dashes. */
  readonly clientSoftwareName?: string;
  readonly clientSoftwareVersion?: string;
}

export interface SendOptions {
  /** The API version; the highest both sides support when omitted. */
  readonly version?: number;
  /**
   * The broker sends no response (Produce with acks=0): the promise settles once the
   * request is handed to the socket, and the request takes no in-flight slot.
   */
  readonly noResponse?: boolean;
  /** This request's timeout instead of request.timeout.ms (a Fetch adds its max wait). */
  readonly timeoutMs?: number;
}

export interface VersionRangeOf {
  readonly minVersion: number;
  readonly maxVersion: number;
}

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxResponseBytes: 512 * 1024 * 1024,
  clientSoftwareName: 'kafkanest-client',
  clientSoftwareVersion: '0.1.0',
};

/** The ApiVersions version tried first; older brokers answer UNSUPPORTED_VERSION in v0 form. */
const PREFERRED_API_VERSIONS_VERSION = 3;
const MAX_CORRELATION_ID = 0x7fffffff;
const RESPONSE_HEADER_V0_SIZE = 4;

interface InFlightRequest {
  readonly correlationId: number;
  readonly api: ApiSpec<any, any>;
  readonly version: number;
  readonly resolve: (body: any) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One TCP connection to one broker, ready once ApiVersions has told which versions the
 * broker serves. Requests pipeline: each is written at once with its own correlation
 * id, and responses, which Kafka sends in request order, are matched to the oldest
 * request still waiting (the id is checked, never searched for).
 *
 * A request that times out closes the connection, as Kafka's NetworkClient does: its
 * answer could still arrive, and everything queued behind it on the broker is suspect.
 * Whatever is in flight when the connection closes is rejected with ConnectionError,
 * oldest first, so callers see failures in the order they sent.
 */
export class BrokerConnection {
  private readonly frames: ResponseFrameReader;
  private readonly inFlight: InFlightRequest[] = [];
  private readonly closeListeners: Array<(reason: Error) => void> = [];
  private readonly requestTimeoutMs: number;
  private readonly clientId: string | null;
  private nextCorrelationId = 1;
  private versions = new Map<number, VersionRangeOf>();
  private closedWith: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
    readonly nodeId: number | undefined,
    options: BrokerConnectionOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.clientId = options.clientId ?? null;
    this.frames = new ResponseFrameReader(options.maxResponseBytes ?? DEFAULTS.maxResponseBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(new ConnectionError(`connection to ${this.describe()} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.close(new ConnectionError(`connection to ${this.describe()} closed by the peer`)));
  }

  /** Opens the socket and negotiates versions; rejects with ConnectionError or KafkaTimeoutError. */
  static async connect(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const timeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const socket = await openSocket(options.host, options.port, timeoutMs);
    const connection = new BrokerConnection(socket, options.host, options.port, options.nodeId, options);
    try {
      await connection.negotiateVersions(options, Math.max(1, deadline - Date.now()));
    } catch (err) {
      connection.close(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    return connection;
  }

  get isOpen(): boolean {
    return this.closedWith === null;
  }

  /** Requests written and still waiting for their response. */
  get inFlightCount(): number {
    return this.inFlight.length;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The broker's advertised range for an API key, or undefined when it does not serve it. */
  apiVersionRange(apiKey: number): VersionRangeOf | undefined {
    return this.versions.get(apiKey);
  }

  /** Whether some version of `api` is served by both sides. */
  supports(api: ApiSpec<any, any>, max = Infinity): boolean {
    return this.commonVersion(api, max) >= 0;
  }

  /**
   * The highest version of `api` both our codec and the broker serve, at most `max`.
   * UNSUPPORTED_VERSION when the ranges do not meet.
   */
  versionFor(api: ApiSpec<any, any>, max = Infinity): number {
    const version = this.commonVersion(api, max);
    if (version < 0) {
      const broker = this.versions.get(api.apiKey);
      throw new KafkaClientError(
        ErrorCode.UNSUPPORTED_VERSION,
        `${this.describe()} serves ${api.name} ${broker ? `v${broker.minVersion}-v${broker.maxVersion}` : 'not at all'}; ` +
          `this client speaks v${api.validVersions}${Number.isFinite(max) ? ` up to v${max}` : ''}`,
      );
    }
    return version;
  }

  /** Sends a request and resolves with the decoded response body. */
  send<A extends ApiSpec<any, any>>(api: A, body: RequestOf<A>, options: SendOptions & { noResponse: true }): Promise<undefined>;
  send<A extends ApiSpec<any, any>>(api: A, body: RequestOf<A>, options?: SendOptions): Promise<ResponseOf<A>>;
  send<A extends ApiSpec<any, any>>(api: A, body: RequestOf<A>, options: SendOptions = {}): Promise<ResponseOf<A> | undefined> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    let version: number;
    let chunks: Buffer[];
    const correlationId = this.takeCorrelationId();
    try {
      version = options.version ?? this.versionFor(api);
      chunks = encodePartsChunks(
        [
          { plan: requestHeaderPlan(requestHeaderVersion(api, version)), value: { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId: this.clientId } },
          { plan: apiVersionPlan(api, version).request, value: body as Record<string, unknown> },
        ],
        true,
      );
    } catch (err) {
      return Promise.reject(err instanceof KafkaClientError ? err : new KafkaClientError(ErrorCode.INVALID_REQUEST, `cannot encode ${api.name}: ${(err as Error).message}`, { cause: err }));
    }
    if (options.noResponse) {
      return new Promise((resolve, reject) => this.write(chunks, (err) => (err ? reject(this.closedWith ?? new ConnectionError(err.message)) : resolve(undefined))));
    }
    return new Promise((resolve, reject) => {
      const request: InFlightRequest = { correlationId, api, version, resolve, reject, timer: undefined };
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      request.timer = setTimeout(() => this.onRequestTimeout(request, timeoutMs), timeoutMs);
      this.inFlight.push(request);
      this.write(chunks);
    });
  }

  /** Called once with the reason when the connection closes, whoever closed it. */
  onClose(listener: (reason: Error) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Closes the socket; in-flight requests are rejected, oldest first, with `reason`. */
  close(reason: Error = new ConnectionError(`connection to ${this.describe()} closed by the client`)): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.socket.destroy();
    for (const request of this.inFlight.splice(0)) {
      clearTimeout(request.timer);
      request.reject(reason);
    }
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  describe(): string {
    return this.nodeId === undefined ? `bootstrap broker ${this.address}` : `broker ${this.nodeId} (${this.address})`;
  }

  private commonVersion(api: ApiSpec<any, any>, max: number): number {
    const broker = this.versions.get(api.apiKey);
    if (!broker) return -1;
    const high = Math.min(broker.maxVersion, highestVersion(api.validVersions), max);
    const low = Math.max(broker.minVersion, lowestVersion(api.validVersions));
    return high >= low ? high : -1;
  }

  /**
   * ApiVersions at v3 first, as Kafka's clients do. A broker that does not know v3
   * answers in the v0 layout with UNSUPPORTED_VERSION and, usually, its own range for
   * ApiVersions: the exchange is repeated at the highest version it named, else v0.
   */
  private async negotiateVersions(options: BrokerConnectionOptions, timeoutMs: number): Promise<void> {
    const body = {
      clientSoftwareName: options.clientSoftwareName ?? DEFAULTS.clientSoftwareName,
      clientSoftwareVersion: options.clientSoftwareVersion ?? DEFAULTS.clientSoftwareVersion,
    };
    let version = PREFERRED_API_VERSIONS_VERSION;
    for (;;) {
      const response = await this.send(ApiVersionsApi, body, { version, timeoutMs });
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
        const advertised = response.apiKeys.find((k) => k.apiKey === ApiVersionsApi.apiKey);
        version = advertised ? Math.max(0, Math.min(advertised.maxVersion, version - 1)) : 0;
        continue;
      }
      if (response.errorCode !== ErrorCode.NONE) throw KafkaClientError.fromCode(response.errorCode, `ApiVersions v${version} to ${this.describe()}`);
      this.versions = indexVersions(response);
      return;
    }
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id === MAX_CORRELATION_ID ? 0 : id + 1;
    return id;
  }

  private write(chunks: Buffer[], done?: (err?: Error | null) => void): void {
    const socket = this.socket;
    if (chunks.length === 1) {
      socket.write(chunks[0], done);
      return;
    }
    // Record batches arrive as their own chunks (never copied into the frame); cork so
    // the kernel still sees one write.
    socket.cork();
    for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i]);
    socket.write(chunks[chunks.length - 1], done);
    socket.uncork();
  }

  private onData(chunk: Buffer): void {
    try {
      this.frames.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.close(new ConnectionError(`connection to ${this.describe()}: ${(err as Error).message}`, { cause: err }));
    }
  }

  private onFrame(frame: Buffer): void {
    const request = this.inFlight.shift();
    if (!request) throw new Error(`a response arrived with no request waiting for it`);
    clearTimeout(request.timer);
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    if (correlationId !== request.correlationId) {
      request.reject(new ConnectionError(`response correlation id ${correlationId} from ${this.describe()}, expected ${request.correlationId}`));
      throw new Error(`responses out of order (correlation id ${correlationId}, expected ${request.correlationId})`);
    }
    let body: unknown;
    try {
      body = decodeResponse(request.api, this.responseVersion(request, frame), frame).body;
    } catch (err) {
      // The frame boundary is intact, so only this request failed; the connection stays.
      request.reject(
        new KafkaClientError(ErrorCode.CORRUPT_MESSAGE, `cannot decode ${request.api.name} v${request.version} response from ${this.describe()}: ${(err as Error).message}`, {
          retriable: false,
          cause: err,
        }),
      );
      return;
    }
    request.resolve(body);
  }

  /** A broker that does not serve the ApiVersions version asked answers in the v0 layout. */
  private responseVersion(request: InFlightRequest, frame: Buffer): number {
    if (request.api.apiKey !== ApiVersionsApi.apiKey || request.version === 0) return request.version;
    const errorCode = frame.length >= RESPONSE_HEADER_V0_SIZE + 2 ? frame.readInt16BE(RESPONSE_HEADER_V0_SIZE) : ErrorCode.NONE;
    return errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : request.version;
  }

  private onRequestTimeout(request: InFlightRequest, timeoutMs: number): void {
    const index = this.inFlight.indexOf(request);
    if (index < 0) return;
    this.inFlight.splice(index, 1);
    const message = `${request.api.name} v${request.version} (correlation id ${request.correlationId}) to ${this.describe()} got no response within ${timeoutMs} ms`;
    request.reject(new KafkaTimeoutError(message));
    this.close(new ConnectionError(`connection to ${this.describe()} closed: ${message}`));
  }
}

function indexVersions(response: ApiVersionsResponse): Map<number, VersionRangeOf> {
  const map = new Map<number, VersionRangeOf>();
  for (const k of response.apiKeys) map.set(k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion });
  return map;
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, noDelay: true });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new KafkaTimeoutError(`connecting to ${host}:${port} took longer than ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => fail(new ConnectionError(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err })));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setKeepAlive(true);
      resolve(socket);
    });
  });
}
