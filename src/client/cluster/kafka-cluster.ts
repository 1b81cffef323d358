import {
  ErrorCode,
  FindCoordinatorApi,
  MetadataApi,
  ZERO_UUID,
  type ApiSpec,
  type MetadataRequest,
  type RequestOf,
  type ResponseOf,
} from '../../protocol';
import { ClientClosedError, ClientConfigError, ConnectionError, KafkaClientError, KafkaTimeoutError } from '../errors';
import type { BrokerConnection, SendOptions } from '../network/broker-connection';
import { retryPolicy, sleep, withRetries, type RetryPolicy } from '../retry';
import { ClusterMetadata, addressOf, type BrokerNode, type PartitionMetadata, type TopicMetadata } from './cluster-metadata';
import { ConnectionPool, type ConnectionPurpose } from './connection-pool';

export interface KafkaClusterOptions {
  /** bootstrap.servers: host:port entries, tried in turn until one answers. */
  readonly bootstrapServers: readonly string[] | string;
  readonly clientId?: string;
  /** socket.connection.setup.timeout.ms (10000). */
  readonly connectTimeoutMs?: number;
  /** request.timeout.ms (30000). */
  readonly requestTimeoutMs?: number;
  /** metadata.max.age.ms (300000): metadata older than this is refreshed even without errors. */
  readonly metadataMaxAgeMs?: number;
  /** default.api.timeout.ms (60000): how long a lookup (metadata for a topic, a coordinator) may take. */
  readonly defaultApiTimeoutMs?: number;
  /** retry.backoff.ms / retry.backoff.max.ms and jitter. */
  readonly retry?: Partial<RetryPolicy>;
  /** allow.auto.create.topics (true): Metadata asks the broker to create unknown topics. */
  readonly allowAutoTopicCreation?: boolean;
}

/** Coordinator key types of FindCoordinator. */
export enum CoordinatorType {
  Group = 0,
  Transaction = 1,
}

/**
 * Error codes after which the client's view of leaders is suspect: the next Metadata
 * response decides where requests go.
 */
const METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
]);

/** Error codes after which a cached coordinator must be looked up again. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NETWORK_EXCEPTION]);

/** FindCoordinator answers that mean "ask again shortly". */
const COORDINATOR_RETRY_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.NOT_COORDINATOR,
]);

export function isMetadataError(code: number): boolean {
  return METADATA_ERRORS.has(code);
}

export function isCoordinatorError(code: number): boolean {
  return COORDINATOR_ERRORS.has(code);
}

/**
 * The client's view of a Kafka cluster and its connections: where each partition's
 * leader is, where each group's coordinator is, and one connection per broker (per
 * purpose) to reach them. Producers and consumers ask it for a leader or coordinator,
 * send, and report error codes back; it refreshes what those codes made stale.
 *
 * Metadata is fetched for the topics in use (`ensureTopics`, `trackTopics`), or for
 * every topic once a pattern subscription asks for all (`watchAllTopics`), from the
 * least busy broker connection, falling back to the other known brokers and then to
 * the bootstrap list in turn. Refreshes are coalesced: callers that ask while one is
 * under way share the next one, and error-driven refreshes are spaced by
 * retry.backoff.ms.
 */
export class KafkaCluster {
  readonly metadata = new ClusterMetadata();
  private readonly bootstrap: Array<{ host: string; port: number }>;
  private readonly pool: ConnectionPool;
  private readonly policy: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly metadataMaxAgeMs: number;
  private readonly defaultApiTimeoutMs: number;
  private readonly allowAutoTopicCreation: boolean;
  private readonly abort = new AbortController();
  private readonly trackedTopics = new Set<string>();
  private allTopics = false;
  private refreshing: Promise<void> | undefined;
  private nextRefresh: Promise<void> | undefined;
  private scheduledRefresh: NodeJS.Timeout | undefined;
  private maxAgeTimer: NodeJS.Timeout | undefined;
  private lastRefreshEnded = 0;
  private nodeRotation = 0;
  private readonly coordinators = new Map<string, BrokerNode>();
  private readonly coordinatorLookups = new Map<string, Promise<BrokerNode>>();
  private readonly updateListeners = new Set<() => void>();
  private closed = false;

  constructor(options: KafkaClusterOptions) {
    this.bootstrap = parseBootstrap(options.bootstrapServers);
    this.policy = retryPolicy(options.retry);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.defaultApiTimeoutMs = options.defaultApiTimeoutMs ?? 60_000;
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.pool = new ConnectionPool(
      { clientId: options.clientId ?? null, connectTimeoutMs: options.connectTimeoutMs ?? 10_000, requestTimeoutMs: this.requestTimeoutMs },
      (connection) => this.onConnectionLost(connection),
    );
  }

  get retryPolicy(): RetryPolicy {
    return this.policy;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Fetches the first metadata (brokers, and the topics already tracked), retrying until the default API timeout. */
  async connect(timeoutMs = this.defaultApiTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await withRetries(() => this.refreshMetadata(), { policy: this.policy, deadline, signal: this.abort.signal });
  }

  /** Closes every connection; pending lookups fail with ClientClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    clearTimeout(this.scheduledRefresh);
    clearTimeout(this.maxAgeTimer);
    this.pool.close();
    this.updateListeners.clear();
  }

  // ---- metadata ----

  brokers(): BrokerNode[] {
    return this.metadata.brokers();
  }

  topic(name: string): TopicMetadata | undefined {
    return this.metadata.topic(name);
  }

  /** Topics the cache describes (every topic after watchAllTopics). */
  topicNames(): string[] {
    return this.metadata.topicNames();
  }

  partitionCount(topic: string): number | undefined {
    return this.metadata.topic(topic)?.partitions.length;
  }

  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.metadata.topic(topic)?.partitions[partition];
  }

  /** The leader's node id, or -1 when the partition is unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    return this.metadata.topic(topic)?.partitions[partition]?.leader ?? -1;
  }

  /** Called after every merged Metadata response. */
  onMetadataUpdate(listener: () => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /**
   * Waits until every topic in `names` has partitions in the cache, asking the broker
   * (which may auto-create them). Fails at once for an invalid or unauthorized topic,
   * else after `timeoutMs` (Kafka's "Topic x not present in metadata after n ms").
   */
  async ensureTopics(names: Iterable<string>, timeoutMs = this.defaultApiTimeoutMs): Promise<void> {
    const wanted = [...new Set(names)];
    for (const name of wanted) this.trackedTopics.add(name);
    if (this.missingTopics(wanted).length === 0) return;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      this.throwIfClosed();
      try {
        await this.refreshMetadata();
      } catch (err) {
        if (!(err instanceof KafkaClientError && err.retriable)) throw err;
      }
      const missing = this.missingTopics(wanted);
      if (missing.length === 0) return;
      for (const name of missing) {
        const code = this.metadata.topicError(name);
        if (ClusterMetadata.isFatalTopicError(code)) throw KafkaClientError.fromCode(code!, `metadata for topic ${name}`);
      }
      const delay = Math.min(this.backoff(attempt), deadline - Date.now());
      if (delay <= 0) {
        const codes = missing.map((name) => this.metadata.topicError(name)).filter((c) => c !== undefined);
        throw new KafkaTimeoutError(
          `Topic ${missing.join(', ')} not present in metadata after ${timeoutMs} ms${codes.length ? ` (last error ${KafkaClientError.fromCode(codes[0]!).codeName})` : ''}`,
        );
      }
      if (!(await sleep(delay, this.abort.signal))) this.throwIfClosed();
    }
  }

  /**
   * Tracks these topics from now on and, when some are not in the cache yet, refreshes
   * once for them without waiting for them to exist (a subscription or assignment whose
   * topics may be created later; every later refresh asks about them again).
   */
  trackTopics(names: Iterable<string>): void {
    const wanted = [...new Set(names)];
    for (const name of wanted) this.trackedTopics.add(name);
    if (this.missingTopics(wanted).length > 0) this.refreshMetadata().catch(() => undefined);
  }

  /** Stops tracking topics no longer used; the next refresh no longer asks about them. */
  untrackTopics(names: Iterable<string>): void {
    for (const name of names) this.trackedTopics.delete(name);
  }

  /**
   * Switches to metadata for every topic (what a pattern subscription needs) and returns
   * the current topic names. Later refreshes keep asking for all topics.
   */
  async watchAllTopics(): Promise<string[]> {
    this.allTopics = true;
    await withRetries(() => this.refreshMetadata(), { policy: this.policy, deadline: Date.now() + this.defaultApiTimeoutMs, signal: this.abort.signal });
    return this.topicNames();
  }

  /**
   * Resolves after a Metadata response requested after this call has been merged.
   * Callers during a refresh share the one that follows it.
   */
  refreshMetadata(): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError('the cluster client'));
    if (!this.refreshing) return this.startRefresh();
    this.nextRefresh ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.nextRefresh = undefined;
        return this.startRefresh();
      });
    return this.nextRefresh;
  }

  /**
   * Asks for a refresh without waiting for it (after NOT_LEADER_OR_FOLLOWER, a lost
   * connection...), no sooner than retry.backoff.ms after the previous one ended, so a
   * burst of errors costs one request.
   */
  requestRefresh(): void {
    if (this.closed || this.scheduledRefresh || this.nextRefresh) return;
    const wait = this.lastRefreshEnded + this.policy.backoffMs - Date.now();
    if (wait <= 0 && !this.refreshing) {
      this.refreshMetadata().catch(() => undefined);
      return;
    }
    this.scheduledRefresh = setTimeout(() => {
      this.scheduledRefresh = undefined;
      this.refreshMetadata().catch(() => undefined);
    }, Math.max(wait, 0));
    this.scheduledRefresh.unref?.();
  }

  /** Reports an error code from a response; refreshes metadata when the code calls for it. Returns whether it did. */
  handleErrorCode(code: number): boolean {
    if (!METADATA_ERRORS.has(code)) return false;
    this.requestRefresh();
    return true;
  }

  // ---- connections ----

  /** The open connection to a node, if one is ready now (no waiting). */
  readyConnection(nodeId: number, purpose: ConnectionPurpose = 'default'): BrokerConnection | undefined {
    const node = this.nodeById(nodeId);
    return node ? this.pool.ready(node.host, node.port, purpose) : undefined;
  }

  /** The connection to a node by id, opening it if needed. */
  connectionTo(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new ClientClosedError('the cluster client'));
    const node = this.nodeById(nodeId);
    if (!node) {
      this.requestRefresh();
      return Promise.reject(new KafkaClientError(ErrorCode.LEADER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`, { retriable: true }));
    }
    return this.pool.get(node.host, node.port, nodeId, purpose);
  }

  /** Sends to a node by id. */
  async send<A extends ApiSpec<any, any>>(nodeId: number, api: A, body: RequestOf<A>, options?: SendOptions & { purpose?: ConnectionPurpose }): Promise<ResponseOf<A>> {
    const connection = await this.connectionTo(nodeId, options?.purpose);
    return connection.send(api, body, options);
  }

  /**
   * A connection for requests any broker can answer (Metadata, FindCoordinator,
   * InitProducerId): the open one with the fewest requests in flight, else the first
   * known broker that accepts a connection, else the bootstrap servers in turn.
   */
  async anyConnection(): Promise<BrokerConnection> {
    this.throwIfClosed();
    const open = this.pool.openConnections();
    if (open.length > 0) {
      let best = open[0];
      for (const c of open) if (c.inFlightCount < best.inFlightCount) best = c;
      return best;
    }
    const known = this.metadata.brokers();
    const candidates: Array<{ host: string; port: number; nodeId?: number }> = [];
    const start = known.length > 0 ? this.nodeRotation++ % known.length : 0;
    for (let i = 0; i < known.length; i++) candidates.push(known[(start + i) % known.length]);
    for (const b of this.bootstrap) candidates.push(b);
    let lastError: unknown;
    for (const candidate of candidates) {
      try {
        return await this.pool.get(candidate.host, candidate.port, candidate.nodeId);
      } catch (err) {
        lastError = err;
        this.throwIfClosed();
      }
    }
    throw lastError instanceof KafkaClientError
      ? new ConnectionError(`no broker reachable (tried ${candidates.map(addressOf).join(', ')}); last: ${lastError.message}`, { cause: lastError })
      : new ConnectionError(`no broker reachable (tried ${candidates.map(addressOf).join(', ')})`, { cause: lastError });
  }

  // ---- coordinators ----

  /**
   * The coordinator of a group (or transactional id), from FindCoordinator, cached until
   * invalidated. Retries COORDINATOR_NOT_AVAILABLE and friends with back-off until
   * `timeoutMs`; concurrent lookups of one key share a request.
   */
  coordinatorFor(key: string, type: CoordinatorType = CoordinatorType.Group, timeoutMs = this.defaultApiTimeoutMs): Promise<BrokerNode> {
    const cacheKey = `${type}:${key}`;
    const cached = this.coordinators.get(cacheKey);
    if (cached) return Promise.resolve(cached);
    let lookup = this.coordinatorLookups.get(cacheKey);
    if (!lookup) {
      lookup = withRetries(() => this.findCoordinator(key, type), {
        policy: this.policy,
        deadline: Date.now() + timeoutMs,
        signal: this.abort.signal,
      }).then(
        (node) => {
          this.coordinatorLookups.delete(cacheKey);
          if (!this.closed) this.coordinators.set(cacheKey, node);
          return node;
        },
        (err) => {
          this.coordinatorLookups.delete(cacheKey);
          throw err;
        },
      );
      this.coordinatorLookups.set(cacheKey, lookup);
    }
    return lookup;
  }

  /** Forgets a cached coordinator (after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a lost connection). */
  invalidateCoordinator(key: string, type: CoordinatorType = CoordinatorType.Group): void {
    this.coordinators.delete(`${type}:${key}`);
  }

  /** Reports an error code from a coordinator; forgets the coordinator when the code calls for it. Returns whether it did. */
  handleCoordinatorError(key: string, code: number, type: CoordinatorType = CoordinatorType.Group): boolean {
    if (!COORDINATOR_ERRORS.has(code)) return false;
    this.invalidateCoordinator(key, type);
    return true;
  }

  /** The connection to a group's coordinator, on the connection reserved for coordinator calls. */
  async coordinatorConnection(key: string, type: CoordinatorType = CoordinatorType.Group): Promise<BrokerConnection> {
    const node = await this.coordinatorFor(key, type);
    try {
      return await this.pool.get(node.host, node.port, node.nodeId, 'coordinator');
    } catch (err) {
      this.invalidateCoordinator(key, type);
      throw err;
    }
  }

  // ---- internals ----

  private nodeById(nodeId: number): BrokerNode | undefined {
    const node = this.metadata.broker(nodeId);
    if (node) return node;
    for (const c of this.coordinators.values()) if (c.nodeId === nodeId) return c;
    return undefined;
  }

  private missingTopics(names: readonly string[]): string[] {
    return names.filter((name) => !this.metadata.topic(name));
  }

  private backoff(attempt: number): number {
    const { backoffMs, maxBackoffMs } = this.policy;
    return Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(attempt, 10));
  }

  private throwIfClosed(): void {
    if (this.closed) throw new ClientClosedError('the cluster client');
  }

  private startRefresh(): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError('the cluster client'));
    clearTimeout(this.scheduledRefresh);
    this.scheduledRefresh = undefined;
    const refresh = this.fetchMetadata().finally(() => {
      this.refreshing = undefined;
      this.lastRefreshEnded = Date.now();
    });
    this.refreshing = refresh;
    return refresh;
  }

  private async fetchMetadata(): Promise<void> {
    const requested = this.allTopics ? null : [...this.trackedTopics];
    let connection: BrokerConnection;
    let response: ResponseOf<typeof MetadataApi>;
    try {
      connection = await this.anyConnection();
      const version = connection.versionFor(MetadataApi);
      response = await connection.send(MetadataApi, metadataRequest(version, requested, this.allowAutoTopicCreation), { version });
    } catch (err) {
      this.armMaxAgeTimer(this.policy.backoffMs);
      throw err;
    }
    if (this.closed) return;
    this.metadata.update(response, requested);
    const known = new Set([...this.metadata.brokers(), ...this.coordinators.values()].map(addressOf));
    this.pool.closeIdleExcept((address) => known.has(address));
    this.armMaxAgeTimer(this.metadataMaxAgeMs);
    for (const listener of this.updateListeners) listener();
  }

  private armMaxAgeTimer(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.maxAgeTimer);
    this.maxAgeTimer = setTimeout(() => this.refreshMetadata().catch(() => undefined), ms);
    this.maxAgeTimer.unref?.();
  }

  private async findCoordinator(key: string, type: CoordinatorType): Promise<BrokerNode> {
    const connection = await this.anyConnection();
    const version = connection.versionFor(FindCoordinatorApi);
    const response = await connection.send(FindCoordinatorApi, { key, keyType: type, coordinatorKeys: [key] }, { version });
    const answer =
      version >= 4
        ? response.coordinators.find((c) => c.key === key)
        : { nodeId: response.nodeId, host: response.host, port: response.port, errorCode: response.errorCode, errorMessage: response.errorMessage };
    if (!answer) throw new KafkaClientError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `FindCoordinator for ${key}: no answer for the key`, { retriable: true });
    if (answer.errorCode !== ErrorCode.NONE) {
      const err = KafkaClientError.fromCode(answer.errorCode, `FindCoordinator for ${key}`, answer.errorMessage);
      if (COORDINATOR_RETRY_ERRORS.has(answer.errorCode)) throw new KafkaClientError(answer.errorCode, err.message, { retriable: true });
      throw err;
    }
    return { nodeId: answer.nodeId, host: answer.host, port: answer.port, rack: null };
  }

  private onConnectionLost(connection: BrokerConnection): void {
    for (const [cacheKey, node] of this.coordinators) {
      if (addressOf(node) === connection.address) this.coordinators.delete(cacheKey);
    }
    this.requestRefresh();
  }
}

function metadataRequest(version: number, topics: readonly string[] | null, allowAutoTopicCreation: boolean): MetadataRequest {
  // v0 has no "no topics" form: an empty list means all. Asking for all there is the
  // only way to learn the brokers before any topic is in use.
  const list = topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ topicId: ZERO_UUID, name }));
  return {
    topics: list,
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

/** `host:port` entries (a list or one comma-separated string); IPv6 hosts in brackets. */
export function parseBootstrap(servers: readonly string[] | string): Array<{ host: string; port: number }> {
  const entries = (typeof servers === 'string' ? servers.split(',') : servers).map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new ClientConfigError('bootstrap.servers is empty');
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) throw new ClientConfigError(`bootstrap.servers entry ${JSON.stringify(entry)} is not host:port`);
    return { host: match[1] ?? match[2], port };
  });
}
