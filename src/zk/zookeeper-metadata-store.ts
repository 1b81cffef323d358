// MetadataStore over a real ZooKeeper ensemble, through the npm `zookeeper` package (the
// official C client as a native addon, callback API: a_* for plain calls, aw_* to set a
// watch with its own callback; every callback gets ZooKeeper's return code first).
//
// What the C client gives and what this class adds:
// - Connection loss: the client reconnects by itself within the session timeout and
//   re-registers watches; we report 'disconnected' / 'reconnected' and make calls made while
//   disconnected wait (up to connectionTimeoutMs) instead of failing at once. Reads that
//   lose the connection mid-flight are retried; writes are not (the write may have been
//   applied: ZooKeeper cannot say), they fail with ConnectionLossError.
// - Session expiry: node-zookeeper closes the handle for good (it may not be reused), so we
//   open a new session, re-create the ephemeral nodes this store created with mode
//   'ephemeral' (with their latest data), re-arm every watch and report 'expired' then
//   'reconnected' with newSession=true. ephemeral_sequential nodes are not re-created: a new
//   node would get a new name, which only the caller can reconcile.
// - Watches are one-shot in ZooKeeper; each subscription re-arms after every firing by
//   reading again, and delivers the state it read. Watch callbacks also receive session
//   events (type -1) for every state change; those are ignored here.
// - No multi/transactions: node-zookeeper 7.3 does not expose zoo_amulti.
import type { EventEmitter } from 'node:events';
import { ancestorsOf, childPath, decodeJson, encodeJson, validatePath } from './metadata-path';
import type {
  ChildrenSubscription,
  ChildrenWatchEvent,
  CreateOptions,
  DataSubscription,
  DataWatchEvent,
  JsonValue,
  MetadataStore,
  MetadataStoreLogger,
  NodeStat,
  SessionEvent,
  VersionedValue,
} from './metadata-store';
import { consoleMetadataStoreLogger } from './metadata-store';
import {
  BadArgumentsError,
  BadVersionError,
  ConnectionLossError,
  MetadataStoreError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  SessionExpiredError,
  StoreClosedError,
  ZooKeeperError,
} from './metadata-store.errors';

/** ZooKeeper C client return codes and constants used here (zookeeper.h). */
const ZOK = 0;
const ZCONNECTIONLOSS = -4;
const ZOPERATIONTIMEOUT = -7;
const ZBADARGUMENTS = -8;
const ZINVALIDSTATE = -9;
const ZNONODE = -101;
const ZBADVERSION = -103;
const ZNOCHILDRENFOREPHEMERALS = -108;
const ZNODEEXISTS = -110;
const ZNOTEMPTY = -111;
const ZSESSIONEXPIRED = -112;
const ZCLOSING = -116;
const ZOO_EPHEMERAL = 1;
const ZOO_SEQUENCE = 2;
const ZOO_SESSION_EVENT = -1;
const ZOO_NOTWATCHING_EVENT = -2;

interface ZkStat {
  czxid: number;
  mzxid: number;
  pzxid: number;
  version: number;
  cversion: number;
  numChildren: number;
  /** Owning session id in hex, '0' for persistent nodes. */
  ephemeralOwner: string;
}

type WatchCallback = (type: number, state: number, path: string) => void;

/** The part of node-zookeeper's callback API this store uses. */
interface NativeZooKeeper extends EventEmitter {
  init(config: Record<string, unknown>): NativeZooKeeper;
  close(): void;
  a_create(path: string, data: Buffer, flags: number, cb: (rc: number, error: string, path: string) => void): number;
  a_get(path: string, watch: boolean, cb: (rc: number, error: string, stat: ZkStat, data: Buffer | null) => void): number;
  aw_get(path: string, watchCb: WatchCallback, cb: (rc: number, error: string, stat: ZkStat, data: Buffer | null) => void): number;
  a_exists(path: string, watch: boolean, cb: (rc: number, error: string, stat: ZkStat) => void): number;
  aw_exists(path: string, watchCb: WatchCallback, cb: (rc: number, error: string, stat: ZkStat) => void): number;
  a_get_children(path: string, watch: boolean, cb: (rc: number, error: string, children: string[]) => void): number;
  aw_get_children2(path: string, watchCb: WatchCallback, cb: (rc: number, error: string, children: string[], stat: ZkStat) => void): number;
  a_set(path: string, data: Buffer, version: number, cb: (rc: number, error: string, stat: ZkStat) => void): number;
  a_delete_(path: string, version: number, cb: (rc: number, error: string) => void): number;
  readonly client_id: string;
  readonly client_password: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ZooKeeperClient = require('zookeeper') as new (config: Record<string, unknown>) => NativeZooKeeper;

export interface ZooKeeperMetadataStoreOptions {
  /** host:port[,host:port...][/chroot], as zookeeper.connect. */
  connect: string;
  /** Requested session timeout (zookeeper.session.timeout.ms; Kafka's default 18000). */
  sessionTimeoutMs?: number;
  /** How long a call waits for a connection before ConnectionLossError (and the initial connect). */
  connectionTimeoutMs?: number;
  /** C client log level (0 = silent, 1 error ... 4 debug); it is process-wide. */
  clientLogLevel?: number;
  logger?: MetadataStoreLogger;
}

interface DataWatch {
  path: string;
  listener: (event: DataWatchEvent<any>) => void;
  active: boolean;
  identity: string;
}

interface ChildWatch {
  path: string;
  listener: (event: ChildrenWatchEvent) => void;
  active: boolean;
  identity: string;
}

const ABSENT = 'absent';
const READ_RETRY_BACKOFF_MS = 100;

export class ZooKeeperMetadataStore implements MetadataStore {
  private readonly logger: MetadataStoreLogger;
  private readonly sessionTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private client: NativeZooKeeper | null = null;
  /** True while the current client is connected and (after an expiry) recovery is done. */
  private ready = false;
  private wasConnected = false;
  private closed = false;
  private readyWaiters = new Set<() => void>();
  private readonly sessionListeners = new Set<(event: SessionEvent) => void>();
  /** Ephemerals created by this store (mode 'ephemeral'), with their latest data. */
  private readonly ownedEphemerals = new Map<string, Buffer>();
  /** Sessions this store held before; a node they own is ours to replace. */
  private readonly pastSessions = new Set<string>();
  private readonly dataWatches = new Set<DataWatch>();
  private readonly childWatches = new Set<ChildWatch>();
  private currentSessionId = '0';

  private constructor(private readonly options: ZooKeeperMetadataStoreOptions) {
    this.logger = options.logger ?? consoleMetadataStoreLogger(ZooKeeperMetadataStore.name);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 18_000;
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? this.sessionTimeoutMs;
  }

  /** Connects and resolves once the first session is established. */
  static async connect(options: ZooKeeperMetadataStoreOptions): Promise<ZooKeeperMetadataStore> {
    if (!options.connect || !/^[^,/]+(,[^,/]+)*(\/.*)?$/.test(options.connect)) {
      throw new BadArgumentsError(`zookeeper connect string must be host:port[,host:port...][/chroot], got ${JSON.stringify(options.connect)}`);
    }
    const chroot = /\/.*$/.exec(options.connect)?.[0];
    if (chroot && chroot !== '/') await ZooKeeperMetadataStore.ensureChroot(options, chroot);
    const store = new ZooKeeperMetadataStore(options);
    store.openClient();
    try {
      await store.waitReady();
    } catch {
      await store.close();
      throw new ConnectionLossError(`could not connect to ZooKeeper at ${options.connect} within ${store.connectionTimeoutMs} ms`);
    }
    return store;
  }

  /** Creates the connect string's chroot (and its parents) if missing, as Kafka does at start. */
  private static async ensureChroot(options: ZooKeeperMetadataStoreOptions, chroot: string): Promise<void> {
    const root = await ZooKeeperMetadataStore.connect({ ...options, connect: options.connect.slice(0, -chroot.length) });
    try {
      await root.create(chroot, null, { createParents: true });
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    } finally {
      await root.close();
    }
  }

  get sessionId(): string {
    return this.currentSessionId;
  }

  /**
   * Id and password of the live session. A second client that attaches to this session and
   * closes it expires it on the server: tests use that to force an expiry deterministically.
   */
  sessionCredentials(): { clientId: string; password: string } | null {
    return this.client && this.ready ? { clientId: this.client.client_id, password: this.client.client_password } : null;
  }

  // ---- operations ----

  async create(path: string, value: JsonValue, options: CreateOptions = {}): Promise<string> {
    validatePath(path, { allowRoot: false });
    const data = encodeJson(path, value);
    const mode = options.mode ?? 'persistent';
    const flags =
      (mode === 'ephemeral' || mode === 'ephemeral_sequential' ? ZOO_EPHEMERAL : 0) | (mode === 'sequential' || mode === 'ephemeral_sequential' ? ZOO_SEQUENCE : 0);
    const client = await this.readyClient(path);
    if (options.createParents) {
      for (const ancestor of ancestorsOf(path)) {
        try {
          await this.call<string>(path, (cb) => client.a_create(ancestor, Buffer.alloc(0), 0, (rc, e, p) => cb(rc, e, ancestor, p)));
        } catch (err) {
          if (!(err instanceof NodeExistsError)) throw err;
        }
      }
    }
    const created = await this.call<string>(path, (cb) => client.a_create(path, data, flags, (rc, e, p) => cb(rc, e, path, p)));
    if (mode === 'ephemeral') this.ownedEphemerals.set(created, data);
    return created;
  }

  async get<T = JsonValue>(path: string): Promise<VersionedValue<T> | null> {
    validatePath(path);
    return this.retryRead(path, async (client) => {
      try {
        const [stat, data] = await this.call<[ZkStat, Buffer | null]>(path, (cb) => client.a_get(path, false, (rc, e, s, d) => cb(rc, e, path, [s, d])));
        return { value: decodeJson<T>(path, data), version: stat.version };
      } catch (err) {
        if (err instanceof NoNodeError) return null;
        throw err;
      }
    });
  }

  async set(path: string, value: JsonValue, expectedVersion?: number): Promise<number> {
    validatePath(path);
    const data = encodeJson(path, value);
    const version = checkedVersion(path, expectedVersion);
    const client = await this.readyClient(path);
    try {
      const stat = await this.call<ZkStat>(path, (cb) => client.a_set(path, data, version, (rc, e, s) => cb(rc, e, path, s)));
      if (this.ownedEphemerals.has(path)) this.ownedEphemerals.set(path, data);
      return stat.version;
    } catch (err) {
      if (err instanceof BadVersionError) throw new BadVersionError(path, expectedVersion);
      throw err;
    }
  }

  async delete(path: string, expectedVersion?: number, options: { recursive?: boolean } = {}): Promise<void> {
    validatePath(path, { allowRoot: false });
    const version = checkedVersion(path, expectedVersion);
    const client = await this.readyClient(path);
    if (options.recursive) {
      // Check the version before touching descendants, so a stale caller deletes nothing.
      if (version !== -1) {
        const stat = await this.exists(path);
        if (!stat) throw new NoNodeError(path);
        if (stat.version !== version) throw new BadVersionError(path, expectedVersion, stat.version);
      }
      await this.deleteTree(client, path, version, true);
    } else {
      await this.deleteOne(client, path, version);
    }
  }

  async children(path: string): Promise<string[]> {
    validatePath(path);
    return this.retryRead(path, async (client) => {
      const children = await this.call<string[]>(path, (cb) => client.a_get_children(path, false, (rc, e, c) => cb(rc, e, path, c)));
      return [...children].sort();
    });
  }

  async exists(path: string): Promise<NodeStat | null> {
    validatePath(path);
    return this.retryRead(path, async (client) => {
      try {
        const stat = await this.call<ZkStat>(path, (cb) => client.a_exists(path, false, (rc, e, s) => cb(rc, e, path, s)));
        return { version: stat.version, cversion: stat.cversion, numChildren: stat.numChildren, ephemeral: stat.ephemeralOwner !== '0' };
      } catch (err) {
        if (err instanceof NoNodeError) return null;
        throw err;
      }
    });
  }

  async watchData<T = JsonValue>(path: string, listener: (event: DataWatchEvent<T>) => void): Promise<DataSubscription<T>> {
    validatePath(path);
    const watch: DataWatch = { path, listener, active: true, identity: '' };
    const read = await this.retryRead(path, (client) => this.armData(client, watch));
    watch.identity = read.identity;
    this.dataWatches.add(watch);
    return {
      initial: read.node as VersionedValue<T> | null,
      unsubscribe: () => {
        watch.active = false;
        this.dataWatches.delete(watch);
      },
    };
  }

  async watchChildren(path: string, listener: (event: ChildrenWatchEvent) => void): Promise<ChildrenSubscription> {
    validatePath(path);
    const watch: ChildWatch = { path, listener, active: true, identity: '' };
    const read = await this.retryRead(path, (client) => this.armChildren(client, watch));
    watch.identity = read.identity;
    this.childWatches.add(watch);
    return {
      initial: read.children,
      unsubscribe: () => {
        watch.active = false;
        this.childWatches.delete(watch);
      },
    };
  }

  onSessionEvent(listener: (event: SessionEvent) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    this.wakeWaiters();
    this.dataWatches.clear();
    this.childWatches.clear();
    this.ownedEphemerals.clear();
    const client = this.client;
    this.client = null;
    // Closing the session makes the server drop this session's ephemerals (/brokers/ids/{id},
    // /controller) now rather than after the session timeout, so a restart can re-register at
    // once. The npm client sends CloseSession on a later turn of the event loop: give it that
    // turn, or a process exiting right after close() leaves the session to time out.
    client?.close();
    if (client) await new Promise((resolve) => setImmediate(resolve));
  }

  // ---- session handling ----

  private openClient(): void {
    const client = new ZooKeeperClient({
      connect: this.options.connect,
      timeout: this.sessionTimeoutMs,
      debug_level: this.options.clientLogLevel ?? 0,
      host_order_deterministic: false,
    });
    this.client = client;
    let disconnected = false;
    const recovering = this.wasConnected;
    client.on('connect', () => {
      if (client !== this.client || this.closed) return;
      this.currentSessionId = client.client_id;
      if (!this.wasConnected) {
        this.wasConnected = true;
        this.setReady();
        this.emitSession({ type: 'connected', sessionId: this.currentSessionId });
      } else if (disconnected) {
        disconnected = false;
        this.setReady();
        this.emitSession({ type: 'reconnected', sessionId: this.currentSessionId, newSession: false });
      } else if (recovering && !this.ready) {
        void this.recoverSession(client);
      }
    });
    client.on('connecting', () => {
      if (client !== this.client || this.closed || !this.ready) return;
      disconnected = true;
      this.ready = false;
      this.emitSession({ type: 'disconnected', sessionId: this.currentSessionId });
    });
    client.on('close', (code: number) => {
      if (client !== this.client || this.closed) return;
      // The handle is dead (expired, auth failed, or the addon gave up); only a new one helps.
      const lost = this.currentSessionId;
      this.pastSessions.add(lost);
      this.ready = false;
      this.client = null;
      this.logger.warn(`ZooKeeper session 0x${lost} ended (code ${code}); opening a new session`);
      this.emitSession({ type: 'expired', sessionId: lost });
      this.openClient();
    });
    client.init({});
  }

  /** After an expiry: restore this store's ephemerals and watches on the new session. */
  private async recoverSession(client: NativeZooKeeper): Promise<void> {
    const recreated: string[] = [];
    const lost: string[] = [];
    try {
      for (const [path, data] of [...this.ownedEphemerals]) {
        if (await this.recreateEphemeral(client, path, data)) recreated.push(path);
        else {
          lost.push(path);
          this.ownedEphemerals.delete(path);
        }
      }
      for (const watch of [...this.dataWatches]) {
        const read = await this.armData(client, watch);
        this.deliverData(watch, read);
      }
      for (const watch of [...this.childWatches]) {
        const read = await this.armChildren(client, watch);
        this.deliverChildren(watch, read);
      }
    } catch (err) {
      // Lost this session too (connection or expiry): the next 'connect'/'close' retries.
      if (client === this.client && !this.closed) {
        this.logger.warn(`restoring state on session 0x${this.currentSessionId} failed: ${(err as Error).message}; retrying on reconnect`);
      }
      return;
    }
    if (client !== this.client || this.closed) return;
    this.setReady();
    this.emitSession({ type: 'reconnected', sessionId: this.currentSessionId, newSession: true, recreatedEphemerals: recreated, lostEphemerals: lost });
  }

  private async recreateEphemeral(client: NativeZooKeeper, path: string, data: Buffer): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.call<string>(path, (cb) => client.a_create(path, data, ZOO_EPHEMERAL, (rc, e, p) => cb(rc, e, path, p)));
        return true;
      } catch (err) {
        if (err instanceof NoNodeError) return false;
        if (!(err instanceof NodeExistsError)) throw err;
      }
      // The node exists: ours already, left by one of our dead sessions not yet reaped, or
      // someone else's (e.g. another broker won /controller meanwhile).
      let stat: ZkStat;
      try {
        stat = await this.call<ZkStat>(path, (cb) => client.a_exists(path, false, (rc, e, s) => cb(rc, e, path, s)));
      } catch (err) {
        if (err instanceof NoNodeError) continue;
        throw err;
      }
      if (stat.ephemeralOwner === client.client_id) return true;
      if (!this.pastSessions.has(stat.ephemeralOwner)) return false;
      try {
        await this.call<void>(path, (cb) => client.a_delete_(path, stat.version, (rc, e) => cb(rc, e, path, undefined)));
      } catch (err) {
        if (!(err instanceof NoNodeError) && !(err instanceof BadVersionError)) throw err;
      }
    }
    return false;
  }

  private setReady(): void {
    this.ready = true;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const waiters = [...this.readyWaiters];
    this.readyWaiters.clear();
    for (const wake of waiters) wake();
  }

  private waitReady(path?: string): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters.delete(wake);
        reject(new ConnectionLossError(`not connected to ${this.options.connect} for ${this.connectionTimeoutMs} ms`, path));
      }, this.connectionTimeoutMs);
      const wake = () => {
        clearTimeout(timer);
        if (this.closed) reject(new StoreClosedError());
        else resolve();
      };
      this.readyWaiters.add(wake);
    });
  }

  private async readyClient(path?: string): Promise<NativeZooKeeper> {
    for (;;) {
      await this.waitReady(path);
      if (this.client && this.ready) return this.client;
    }
  }

  private emitSession(event: SessionEvent): void {
    for (const listener of [...this.sessionListeners]) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(`session listener failed: ${(err as Error).stack ?? err}`);
      }
    }
  }

  // ---- call plumbing ----

  /**
   * Runs one C-client call. `start` gets a completion that takes the return code, the
   * client's error text, the path for error messages and the result; a negative value
   * returned synchronously by the call (e.g. ZINVALIDSTATE on a closed handle) fails it too.
   */
  private call<T>(path: string, start: (cb: (rc: number, error: string, path: string, result: T) => void) => number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let rc: number;
      try {
        rc = start((code, error, p, result) => (code === ZOK ? resolve(result) : reject(toStoreError(code, error, p))));
      } catch (err) {
        reject(err instanceof MetadataStoreError ? err : new BadArgumentsError((err as Error).message, path));
        return;
      }
      if (typeof rc === 'number' && rc < 0) reject(toStoreError(rc, 'call refused by the client', path));
    });
  }

  /** Reads are safe to repeat, so a connection lost mid-read is waited out and retried. */
  private async retryRead<T>(path: string, read: (client: NativeZooKeeper) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.connectionTimeoutMs;
    for (;;) {
      const client = await this.readyClient(path);
      try {
        return await read(client);
      } catch (err) {
        const retriable = err instanceof ConnectionLossError || err instanceof SessionExpiredError;
        if (!retriable || this.closed || Date.now() >= deadline) throw err;
        // The 'connecting'/'close' event that goes with the loss may not have arrived yet;
        // a short pause lets it, after which readyClient() waits for the new connection.
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_BACKOFF_MS));
      }
    }
  }

  private async deleteOne(client: NativeZooKeeper, path: string, version: number): Promise<void> {
    try {
      await this.call<void>(path, (cb) => client.a_delete_(path, version, (rc, e) => cb(rc, e, path, undefined)));
    } catch (err) {
      if (err instanceof BadVersionError) throw new BadVersionError(path, version);
      throw err;
    }
    this.forgetEphemerals(path);
  }

  private async deleteTree(client: NativeZooKeeper, path: string, version: number, top: boolean): Promise<void> {
    // A child created between listing and deleting makes the delete fail with NotEmpty:
    // list again and retry a few times before giving up.
    for (let attempt = 0; attempt < 5; attempt++) {
      let children: string[];
      try {
        children = await this.call<string[]>(path, (cb) => client.a_get_children(path, false, (rc, e, c) => cb(rc, e, path, c)));
      } catch (err) {
        if (err instanceof NoNodeError && !top) return;
        throw err;
      }
      for (const child of children) await this.deleteTree(client, childPath(path, child), -1, false);
      try {
        await this.deleteOne(client, path, version);
        return;
      } catch (err) {
        if (err instanceof NoNodeError && !top) return;
        if (!(err instanceof NotEmptyError)) throw err;
      }
    }
    throw new NotEmptyError(path);
  }

  private forgetEphemerals(path: string): void {
    for (const owned of this.ownedEphemerals.keys()) {
      if (owned === path || owned.startsWith(path + '/')) this.ownedEphemerals.delete(owned);
    }
  }

  // ---- watches ----

  /**
   * Reads the node and leaves a watch on it: getData's watch when it exists, exists()'s
   * watch (which also fires on creation) when it does not.
   */
  private async armData(client: NativeZooKeeper, watch: DataWatch): Promise<{ node: VersionedValue | null; identity: string }> {
    const onFire: WatchCallback = (type) => this.onWatchFired(client, type, watch, () => this.armData(client, watch).then((r) => this.deliverData(watch, r)));
    try {
      const [stat, data] = await this.call<[ZkStat, Buffer | null]>(watch.path, (cb) =>
        client.aw_get(watch.path, onFire, (rc, e, s, d) => cb(rc, e, watch.path, [s, d])),
      );
      return { node: { value: decodeJson(watch.path, data), version: stat.version }, identity: `${stat.czxid}:${stat.mzxid}` };
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
    }
    try {
      await this.call<ZkStat>(watch.path, (cb) => client.aw_exists(watch.path, onFire, (rc, e, s) => cb(rc, e, watch.path, s)));
    } catch (err) {
      if (err instanceof NoNodeError) return { node: null, identity: ABSENT };
      throw err;
    }
    // Created between the two calls; exists() left a data watch on it, so a plain read will do.
    try {
      const [stat, data] = await this.call<[ZkStat, Buffer | null]>(watch.path, (cb) => client.a_get(watch.path, false, (rc, e, s, d) => cb(rc, e, watch.path, [s, d])));
      return { node: { value: decodeJson(watch.path, data), version: stat.version }, identity: `${stat.czxid}:${stat.mzxid}` };
    } catch (err) {
      if (err instanceof NoNodeError) return { node: null, identity: ABSENT };
      throw err;
    }
  }

  private async armChildren(client: NativeZooKeeper, watch: ChildWatch): Promise<{ children: string[] | null; identity: string }> {
    const onFire: WatchCallback = (type) =>
      this.onWatchFired(client, type, watch, () => this.armChildren(client, watch).then((r) => this.deliverChildren(watch, r)));
    for (;;) {
      try {
        const [children, stat] = await this.call<[string[], ZkStat]>(watch.path, (cb) =>
          client.aw_get_children2(watch.path, onFire, (rc, e, c, s) => cb(rc, e, watch.path, [c, s])),
        );
        return { children: [...children].sort(), identity: `${stat.czxid}:${stat.cversion}` };
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
      try {
        await this.call<ZkStat>(watch.path, (cb) => client.aw_exists(watch.path, onFire, (rc, e, s) => cb(rc, e, watch.path, s)));
      } catch (err) {
        if (err instanceof NoNodeError) return { children: null, identity: ABSENT };
        throw err;
      }
    }
  }

  private onWatchFired(client: NativeZooKeeper, type: number, watch: DataWatch | ChildWatch, rearm: () => Promise<void>): void {
    // Session events reach every watcher on each state change; the watch itself stays set.
    if (type === ZOO_SESSION_EVENT || type === ZOO_NOTWATCHING_EVENT) return;
    if (!watch.active || client !== this.client || this.closed) return;
    rearm().catch((err) => {
      if (!watch.active || this.closed) return;
      if (err instanceof ConnectionLossError) {
        // The C client re-sends watches it holds, but this one was consumed before the
        // loss; re-arm once connected again (same session) or in recoverSession (new one).
        client.once('connect', () => client === this.client && watch.active && void rearm().catch(() => undefined));
      } else if (!(err instanceof SessionExpiredError)) {
        this.logger.error(`re-arming watch on ${watch.path} failed: ${(err as Error).message}`);
      }
    });
  }

  private deliverData(watch: DataWatch, read: { node: VersionedValue | null; identity: string }): void {
    if (!watch.active || read.identity === watch.identity) return;
    watch.identity = read.identity;
    try {
      watch.listener({ path: watch.path, node: read.node });
    } catch (err) {
      this.logger.error(`metadata watch listener failed: ${(err as Error).stack ?? err}`);
    }
  }

  private deliverChildren(watch: ChildWatch, read: { children: string[] | null; identity: string }): void {
    if (!watch.active || read.identity === watch.identity) return;
    watch.identity = read.identity;
    try {
      watch.listener({ path: watch.path, children: read.children });
    } catch (err) {
      this.logger.error(`metadata watch listener failed: ${(err as Error).stack ?? err}`);
    }
  }
}

function checkedVersion(path: string, expected: number | undefined): number {
  if (expected === undefined) return -1;
  if (!Number.isInteger(expected) || expected < -1 || expected > 0x7fffffff) {
    throw new BadArgumentsError(`expected version for ${path} must be an int32 >= -1`, path);
  }
  return expected;
}

function toStoreError(rc: number, error: string, path: string): MetadataStoreError {
  switch (rc) {
    case ZNONODE:
      return new NoNodeError(path);
    case ZNODEEXISTS:
      return new NodeExistsError(path);
    case ZBADVERSION:
      return new BadVersionError(path);
    case ZNOTEMPTY:
      return new NotEmptyError(path);
    case ZNOCHILDRENFOREPHEMERALS:
      return new NoChildrenForEphemeralsError(path);
    case ZSESSIONEXPIRED:
      return new SessionExpiredError(path);
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZINVALIDSTATE:
      return new ConnectionLossError(error || `code ${rc}`, path);
    case ZCLOSING:
      return new StoreClosedError();
    case ZBADARGUMENTS:
      return new BadArgumentsError(`ZooKeeper refused the arguments for ${path}`, path);
    default:
      return new ZooKeeperError(rc, `ZooKeeper error ${rc} (${error}) on ${path}`, path);
  }
}
