import { ClientClosedError } from '../errors';
import { BrokerConnection, type BrokerConnectionOptions } from '../network/broker-connection';

/**
 * Why a connection exists. The consumer keeps its group calls (heartbeats, commits) on
 * a connection of their own, as Kafka's consumer does, so a long-polling Fetch to the
 * same broker never delays a heartbeat behind it.
 */
export type ConnectionPurpose = 'default' | 'coordinator';

interface PoolEntry {
  readonly key: string;
  readonly pending: Promise<BrokerConnection>;
  connection: BrokerConnection | undefined;
}

export type ConnectionSettings = Omit<BrokerConnectionOptions, 'host' | 'port' | 'nodeId'>;

/**
 * At most one connection per (purpose, host:port), opened on first use and forgotten
 * when it closes, so the next use reconnects. Keyed by address rather than node id: the
 * connection a client bootstrapped through is the same one it later reaches by id.
 */
export class ConnectionPool {
  private readonly entries = new Map<string, PoolEntry>();
  private closed = false;

  constructor(
    private readonly settings: ConnectionSettings,
    /** Told of every connection that closes after having been ready. */
    private readonly onConnectionClosed: (connection: BrokerConnection, reason: Error) => void,
  ) {}

  /** The open connection to `address`, if one is ready now. */
  ready(host: string, port: number, purpose: ConnectionPurpose = 'default'): BrokerConnection | undefined {
    const connection = this.entries.get(poolKey(host, port, purpose))?.connection;
    return connection?.isOpen ? connection : undefined;
  }

  /** The connection to `host:port`, opening it if needed; concurrent callers share one attempt. */
  get(host: string, port: number, nodeId: number | undefined, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new ClientClosedError('the connection pool'));
    const key = poolKey(host, port, purpose);
    const existing = this.entries.get(key);
    if (existing && (existing.connection === undefined || existing.connection.isOpen)) return existing.pending;
    const pending = BrokerConnection.connect({ ...this.settings, host, port, nodeId });
    const entry: PoolEntry = { key, pending, connection: undefined };
    this.entries.set(key, entry);
    pending.then(
      (connection) => {
        if (this.closed || this.entries.get(key) !== entry) {
          connection.close();
          return;
        }
        entry.connection = connection;
        connection.onClose((reason) => {
          // A connection the pool itself retired (closeIdleExcept, close) is no news.
          if (this.entries.get(key) !== entry) return;
          this.entries.delete(key);
          if (!this.closed) this.onConnectionClosed(connection, reason);
        });
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return pending;
  }

  /** Every connection that is open now. */
  openConnections(purpose: ConnectionPurpose = 'default'): BrokerConnection[] {
    const out: BrokerConnection[] = [];
    for (const entry of this.entries.values()) {
      if (entry.connection?.isOpen && entry.key.startsWith(`${purpose}|`)) out.push(entry.connection);
    }
    return out;
  }

  /** Closes idle default-purpose connections whose address `keep` rejects (a bootstrap address no broker advertises). */
  closeIdleExcept(keep: (address: string) => boolean): void {
    for (const [key, entry] of this.entries) {
      const connection = entry.connection;
      if (!connection || !key.startsWith('default|') || keep(connection.address) || connection.inFlightCount > 0) continue;
      this.entries.delete(key);
      connection.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) {
      entry.connection?.close();
      entry.pending.then((c) => c.close()).catch(() => undefined);
    }
    this.entries.clear();
  }
}

function poolKey(host: string, port: number, purpose: ConnectionPurpose): string {
  return `${purpose}|${host}:${port}`;
}
