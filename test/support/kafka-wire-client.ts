// A minimal Kafka client over one socket, built on our own codec: typed requests for
// suites that need exact control of versions and bytes (bad input, raw fetches), and
// raw writes for frames no real client would send. Responses are matched to requests
// in order, as Kafka guarantees per connection.
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequestFrame, type ApiSpec, type RequestOf, type ResponseOf } from '../../src/protocol';

interface Pending {
  correlationId: number;
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export class KafkaWireClient {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private closedWith: Error | undefined;
  /** Settles when the peer or we close the socket. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closedWith = new Error('connection closed by the broker');
      for (const p of this.pending.splice(0)) p.reject(this.closedWith);
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<KafkaWireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new KafkaWireClient(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends one request and resolves with its decoded response body. */
  async request<A extends ApiSpec<any, any>>(api: A, version: number, body: Partial<RequestOf<A>>, timeoutMs = 10_000): Promise<ResponseOf<A>> {
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequestFrame(api, version, { correlationId, clientId: 'kafkanest-test' }, body as RequestOf<A>);
    const response = await this.send(frame, correlationId, timeoutMs);
    const decoded = decodeResponse(api, version, response);
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  /**
   * Writes `frame` as is (size prefix included, or not, as the caller built it) and
   * resolves with the next response frame (without its size prefix), which must carry
   * `correlationId`.
   */
  send(frame: Buffer, correlationId: number, timeoutMs = 10_000): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to correlation id ${correlationId} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.push({
        correlationId,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(frame);
    });
  }

  /** Writes bytes no response is expected for (or one the caller does not wait on). */
  write(bytes: Buffer): void {
    if (!this.closedWith) this.socket.write(bytes);
  }

  /** Resolves true if the broker closes the connection within `timeoutMs`, false otherwise. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true), expired]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const next = this.pending.shift();
      if (!next) continue;
      const correlationId = frame.readInt32BE(0);
      if (correlationId !== next.correlationId) next.reject(new Error(`response correlation id ${correlationId}, expected ${next.correlationId}`));
      else next.resolve(frame);
    }
  }
}
