import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequestFrame } from '../../protocol/codec/message-codec';
import type { ApiSpec, RequestOf, ResponseOf } from '../../protocol/codec/schema';

/** A request/response connection to another broker (a follower's link to its leader). */
export interface BrokerChannel {
  request<A extends ApiSpec<any, any>>(api: A, version: number, body: RequestOf<A>, timeoutMs: number): Promise<ResponseOf<A>>;
  /** Fails every pending request and closes the socket. */
  close(): void;
  readonly isClosed: boolean;
}

export type BrokerChannelFactory = (host: string, port: number, timeoutMs: number) => Promise<BrokerChannel>;

interface Pending {
  readonly correlationId: number;
  readonly resolve: (frame: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The broker's own minimal Kafka client over one TCP socket, on src/protocol's codec (the
 * SDK in src/client is for applications and stays out of the broker). Requests are
 * written at once and answered in order, as Kafka guarantees per connection; a request
 * without an answer in time, or any socket error, closes the channel and fails everything
 * pending, and the caller reconnects.
 */
export class TcpBrokerChannel implements BrokerChannel {
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private nextCorrelationId = 1;
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the peer')));
  }

  static connect(host: string, port: number, timeoutMs: number, clientId: string): Promise<BrokerChannel> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpBrokerChannel(socket, clientId));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      });
    });
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  async request<A extends ApiSpec<any, any>>(api: A, version: number, body: RequestOf<A>, timeoutMs: number): Promise<ResponseOf<A>> {
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequestFrame(api, version, { correlationId, clientId: this.clientId }, body);
    const response = await this.send(frame, correlationId, timeoutMs, api.name);
    return decodeResponse(api, version, response).body;
  }

  close(): void {
    this.fail(new Error('channel closed'));
  }

  private send(frame: Buffer, correlationId: number, timeoutMs: number, what: string): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`no answer to ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.push({ correlationId, resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.flatten();
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const all = this.flatten();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.deliver(frame);
    }
  }

  /** Joins the buffered chunks into one (once per frame: a large fetch response arrives in many). */
  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0];
  }

  private deliver(frame: Buffer): void {
    const next = this.pending.shift();
    if (!next) return this.fail(new Error('a response arrived that no request is waiting for'));
    clearTimeout(next.timer);
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
    if (correlationId !== next.correlationId) {
      next.reject(new Error(`response correlation id ${correlationId}, expected ${next.correlationId}`));
      this.fail(new Error('responses out of order'));
      return;
    }
    next.resolve(frame);
  }

  private fail(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }
}
