import { createServer, type Server, type AddressInfo } from 'node:net';
import { KafkaConnection, type ConnectionInfo, type RequestDispatcher } from './kafka-connection';
import type { ListenerAddress } from '../../config/listener-address';

export interface SocketServerOptions {
  listeners: readonly ListenerAddress[];
  maxRequestBytes: number;
  connectionsMaxIdleMs: number;
  maxInFlightPerConnection?: number;
  /** How long a graceful stop waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs?: number;
  onConnectionError?: (err: unknown, connection: ConnectionInfo) => void;
}

/**
 * Accepts Kafka connections on every configured listener and hands each one a
 * KafkaConnection. Owns the sockets and nothing else: what a request means is the
 * dispatcher's business.
 */
export class SocketServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<KafkaConnection>();
  private nextConnectionId = 1;
  private bound: ListenerAddress[] = [];

  constructor(
    private readonly options: SocketServerOptions,
    private readonly dispatch: RequestDispatcher,
  ) {}

  /** Binds every listener; resolves with the actual addresses (port 0 becomes a real port). */
  async start(): Promise<ListenerAddress[]> {
    this.bound = [];
    for (const listener of this.options.listeners) {
      const server = createServer({ noDelay: true }, (socket) => {
        const info: ConnectionInfo = {
          id: this.nextConnectionId++,
          listenerName: listener.name,
          remoteAddress: socket.remoteAddress ?? '',
          remotePort: socket.remotePort ?? 0,
        };
        const connection = new KafkaConnection(socket, info, this.dispatch, {
          maxRequestBytes: this.options.maxRequestBytes,
          idleTimeoutMs: this.options.connectionsMaxIdleMs,
          maxInFlight: this.options.maxInFlightPerConnection ?? 64,
          onError: this.options.onConnectionError,
        });
        this.connections.add(connection);
        socket.on('close', () => this.connections.delete(connection));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listener.port, listener.host || undefined, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      this.servers.push(server);
      this.bound.push({ name: listener.name, host: listener.host, port: address.port });
    }
    return this.bound;
  }

  get boundListeners(): readonly ListenerAddress[] {
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Graceful stop: no new connections, no new requests read; in-flight requests
   * finish and their responses are written; then every connection is closed.
   */
  async stop(): Promise<void> {
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const timeout = this.options.shutdownTimeoutMs ?? 10_000;
    const drained = Promise.all([...this.connections].map((c) => c.drain()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.close();
    // Peers that do not close their side are cut after a grace period so stop() always ends.
    const cut = setTimeout(() => this.connections.forEach((c) => c.destroy()), 1000);
    await closed;
    clearTimeout(cut);
    this.servers.length = 0;
  }
}
