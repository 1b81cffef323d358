// In-process MetadataStore for a single node: the ZooKeeper tree in memory with ZooKeeper's
// semantics (data and child versions, sequential suffixes from the parent's cversion,
// ephemerals that cannot have children, watches delivered asynchronously), persisted to
//
//   {dataDir}/kafkanest-metadata.json        (dataDir = the first log dir)
//
// a plain file beside Kafka's own checkpoint files, so a log-dir scan that looks for
// {topic}-{partition} directories never mistakes it for a partition.
//
// File format (JSON): {"format":1,"nodes":{"/path":{"data":"<JSON text>"|null,"version":N,
// "cversion":N,"ctime":ms,"mtime":ms},...}}; "/" is implicit. Ephemeral nodes are never
// written: they live as long as this process, like a session.
//
// Durability: a mutation is applied in memory at once (so later operations see it, as on
// ZooKeeper where operations of one client are ordered) and its promise resolves only after
// a file containing it has been fsynced and renamed into place. Mutations in the same tick
// share one write. A leftover .tmp file from a crash mid-write is ignored on open. If a
// write fails the store stops (every later call rejects): memory and disk have diverged,
// and going on would acknowledge changes that a restart would lose.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file-write';
import {
  ancestorsOf,
  baseName,
  childPath,
  decodeJson,
  encodeJson,
  parentOf,
  sequenceSuffix,
  validatePath,
} from './metadata-path';
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
  MetadataStoreError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  StoreClosedError,
} from './metadata-store.errors';

export const EMBEDDED_METADATA_FILE = 'kafkanest-metadata.json';
const FILE_FORMAT = 1;

interface TreeNode {
  /** UTF-8 JSON bytes, or null for a node created without data (a plain directory). */
  data: Buffer | null;
  version: number;
  cversion: number;
  ctime: number;
  mtime: number;
  ephemeral: boolean;
  children: Set<string>;
}

interface PersistedNode {
  data: string | null;
  version: number;
  cversion: number;
  ctime: number;
  mtime: number;
}

type Notification = { kind: 'data'; path: string; node: TreeNode | null } | { kind: 'children'; path: string; children: string[] | null };

export interface EmbeddedMetadataStoreOptions {
  /** Directory for the tree file (the first log dir); omitted = memory only (tests). */
  dataDir?: string;
  logger?: MetadataStoreLogger;
  /** Replaces the atomic file write; for fault-injection tests only. */
  writeFile?: (file: string, data: string) => Promise<void>;
}

export class EmbeddedMetadataStore implements MetadataStore {
  readonly sessionId = 'embedded';
  private readonly logger: MetadataStoreLogger;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly dataListeners = new Map<string, Set<(event: DataWatchEvent<any>) => void>>();
  private readonly childListeners = new Map<string, Set<(event: ChildrenWatchEvent) => void>>();
  private readonly file: string | null;
  private readonly writeFile: (file: string, data: string) => Promise<void>;
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | null = null;
  private failure: MetadataStoreError | null = null;
  private closed = false;

  private constructor(options: EmbeddedMetadataStoreOptions) {
    this.logger = options.logger ?? consoleMetadataStoreLogger(EmbeddedMetadataStore.name);
    this.file = options.dataDir ? join(options.dataDir, EMBEDDED_METADATA_FILE) : null;
    this.writeFile = options.writeFile ?? writeFileAtomic;
    this.nodes.set('/', newNode(null, false, Date.now()));
  }

  static async open(options: EmbeddedMetadataStoreOptions = {}): Promise<EmbeddedMetadataStore> {
    const store = new EmbeddedMetadataStore(options);
    if (store.file && options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      // A temp file is a write that never reached its rename; the main file is the truth.
      rmSync(store.file + TEMP_SUFFIX, { force: true });
      if (existsSync(store.file)) store.load(readFileSync(store.file, 'utf8'));
    }
    return store;
  }

  async create(path: string, value: JsonValue, options: CreateOptions = {}): Promise<string> {
    this.checkOpen();
    validatePath(path, { allowRoot: false });
    const data = encodeJson(path, value);
    const mode = options.mode ?? 'persistent';
    const ephemeral = mode === 'ephemeral' || mode === 'ephemeral_sequential';
    const parentPath = parentOf(path);
    // Every check comes before the first insert, so a refused create leaves the tree as it was.
    const missing: string[] = [];
    for (const ancestor of ancestorsOf(path)) {
      const node = this.nodes.get(ancestor);
      if (node?.ephemeral) throw new NoChildrenForEphemeralsError(ancestor);
      if (!node) {
        if (!options.createParents) throw new NoNodeError(parentPath);
        missing.push(ancestor);
      }
    }
    const parentCversion = this.nodes.get(parentPath)?.cversion ?? 0;
    const actual = mode === 'sequential' || mode === 'ephemeral_sequential' ? path + sequenceSuffix(parentCversion) : path;
    if (this.nodes.has(actual)) throw new NodeExistsError(actual);
    const notes: Notification[] = [];
    for (const ancestor of missing) this.insert(ancestor, null, false, notes);
    this.insert(actual, data, ephemeral, notes);
    await this.commit(!ephemeral || missing.length > 0, notes);
    return actual;
  }

  async get<T = JsonValue>(path: string): Promise<VersionedValue<T> | null> {
    this.checkOpen();
    validatePath(path);
    const node = this.nodes.get(path);
    return node ? { value: decodeJson<T>(path, node.data), version: node.version } : null;
  }

  async set(path: string, value: JsonValue, expectedVersion?: number): Promise<number> {
    this.checkOpen();
    validatePath(path);
    const data = encodeJson(path, value);
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    checkVersion(path, node, expectedVersion);
    node.data = data;
    node.version += 1;
    node.mtime = Date.now();
    const version = node.version;
    await this.commit(!node.ephemeral, [{ kind: 'data', path, node: snapshot(node) }]);
    return version;
  }

  async delete(path: string, expectedVersion?: number, options: { recursive?: boolean } = {}): Promise<void> {
    this.checkOpen();
    validatePath(path, { allowRoot: false });
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    checkVersion(path, node, expectedVersion);
    if (node.children.size > 0 && !options.recursive) throw new NotEmptyError(path);
    const notes: Notification[] = [];
    const persistent = this.remove(path, notes);
    await this.commit(persistent, notes);
  }

  async children(path: string): Promise<string[]> {
    this.checkOpen();
    validatePath(path);
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    return [...node.children].sort();
  }

  async exists(path: string): Promise<NodeStat | null> {
    this.checkOpen();
    validatePath(path);
    const node = this.nodes.get(path);
    return node ? { version: node.version, cversion: node.cversion, numChildren: node.children.size, ephemeral: node.ephemeral } : null;
  }

  async watchData<T = JsonValue>(path: string, listener: (event: DataWatchEvent<T>) => void): Promise<DataSubscription<T>> {
    const initial = await this.get<T>(path);
    const set = getOrCreate(this.dataListeners, path);
    set.add(listener);
    return {
      initial,
      unsubscribe: () => {
        set.delete(listener);
        if (set.size === 0 && this.dataListeners.get(path) === set) this.dataListeners.delete(path);
      },
    };
  }

  async watchChildren(path: string, listener: (event: ChildrenWatchEvent) => void): Promise<ChildrenSubscription> {
    this.checkOpen();
    validatePath(path);
    const node = this.nodes.get(path);
    const initial = node ? [...node.children].sort() : null;
    const set = getOrCreate(this.childListeners, path);
    set.add(listener);
    return {
      initial,
      unsubscribe: () => {
        set.delete(listener);
        if (set.size === 0 && this.childListeners.get(path) === set) this.childListeners.delete(path);
      },
    };
  }

  /** The embedded "session" lasts as long as the process, so no event is ever emitted. */
  onSessionEvent(_listener: (event: SessionEvent) => void): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Like a ZooKeeper session ending: this process's ephemerals go, and watchers see it.
    const notes: Notification[] = [];
    for (const [path, node] of [...this.nodes]) {
      if (node.ephemeral && this.nodes.has(path)) this.remove(path, notes);
    }
    this.dispatch(notes);
    while (this.flushing || this.flushScheduled) await (this.flushing ?? new Promise((r) => setImmediate(r)));
    this.closed = true;
  }

  // ---- tree mutation (synchronous; callers commit afterwards) ----

  private insert(path: string, data: Buffer | null, ephemeral: boolean, notes: Notification[]): void {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath)!;
    const now = Date.now();
    const node = newNode(data, ephemeral, now);
    this.nodes.set(path, node);
    parent.children.add(baseName(path));
    parent.cversion += 1;
    notes.push({ kind: 'data', path, node: snapshot(node) });
    notes.push({ kind: 'children', path, children: [] });
    notes.push({ kind: 'children', path: parentPath, children: [...parent.children].sort() });
  }

  /** Removes path and its descendants; returns whether any persistent node went. */
  private remove(path: string, notes: Notification[]): boolean {
    const node = this.nodes.get(path)!;
    let persistent = !node.ephemeral;
    for (const child of [...node.children]) persistent = this.remove(childPath(path, child), notes) || persistent;
    this.nodes.delete(path);
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath)!;
    parent.children.delete(baseName(path));
    parent.cversion += 1;
    notes.push({ kind: 'data', path, node: null });
    notes.push({ kind: 'children', path, children: null });
    notes.push({ kind: 'children', path: parentPath, children: [...parent.children].sort() });
    return persistent;
  }

  private async commit(persistent: boolean, notes: Notification[]): Promise<void> {
    if (persistent) await this.persist();
    this.dispatch(notes);
  }

  /** Watches fire after the operation completes, never inside it, as ZooKeeper's do. */
  private dispatch(notes: Notification[]): void {
    const deliveries: (() => void)[] = [];
    for (const note of notes) {
      if (note.kind === 'data') {
        const listeners = this.dataListeners.get(note.path);
        if (!listeners) continue;
        const node = note.node;
        for (const listener of listeners) {
          deliveries.push(() => {
            if (!listeners.has(listener)) return;
            listener({
              path: note.path,
              node: node ? { value: decodeJson(note.path, node.data), version: node.version } : null,
            });
          });
        }
      } else {
        const listeners = this.childListeners.get(note.path);
        if (!listeners) continue;
        for (const listener of listeners) {
          deliveries.push(() => {
            if (!listeners.has(listener)) return;
            listener({ path: note.path, children: note.children ? [...note.children] : null });
          });
        }
      }
    }
    if (deliveries.length === 0) return;
    setImmediate(() => {
      for (const deliver of deliveries) {
        try {
          deliver();
        } catch (err) {
          this.logger.error(`metadata watch listener failed: ${(err as Error).stack ?? err}`);
        }
      }
    });
  }

  // ---- persistence ----

  private persist(): Promise<void> {
    if (!this.file) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushScheduled && !this.flushing) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    const text = this.serialize();
    let done!: () => void;
    this.flushing = new Promise((r) => (done = r));
    try {
      await this.writeFile(this.file!, text);
      for (const w of waiters) w.resolve();
    } catch (err) {
      this.failure = new StoreClosedError(`embedded metadata store stopped: writing ${this.file} failed: ${(err as Error).message}`);
      this.logger.error(this.failure.message);
      for (const w of [...waiters, ...this.waiters]) w.reject(this.failure);
      this.waiters = [];
    } finally {
      this.flushing = null;
      done();
    }
    if (this.waiters.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  private serialize(): string {
    const nodes: Record<string, PersistedNode> = {};
    // Map order is insertion order, so every parent precedes its children in the file.
    for (const [path, node] of this.nodes) {
      if (node.ephemeral) continue;
      nodes[path] = {
        data: node.data ? node.data.toString('utf8') : null,
        version: node.version,
        cversion: node.cversion,
        ctime: node.ctime,
        mtime: node.mtime,
      };
    }
    return JSON.stringify({ format: FILE_FORMAT, nodes });
  }

  private load(text: string): void {
    const fail = (why: string): never => {
      throw new MetadataStoreError(-5, `embedded metadata file ${this.file} is unreadable (${why}); restore it from a backup or remove it to start empty`);
    };
    let parsed: { format?: unknown; nodes?: Record<string, PersistedNode> };
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return fail((err as Error).message);
    }
    if (parsed.format !== FILE_FORMAT || typeof parsed.nodes !== 'object' || parsed.nodes === null) {
      return fail(`unknown format ${JSON.stringify(parsed.format)}`);
    }
    for (const [path, p] of Object.entries(parsed.nodes)) {
      try {
        validatePath(path);
      } catch {
        fail(`bad path ${JSON.stringify(path)}`);
      }
      if (!Number.isInteger(p.version) || !Number.isInteger(p.cversion)) fail(`bad versions at ${path}`);
      if (path === '/') {
        this.nodes.get('/')!.cversion = p.cversion;
        continue;
      }
      const parent = this.nodes.get(parentOf(path));
      if (!parent) fail(`${path} listed before its parent`);
      parent!.children.add(baseName(path));
      this.nodes.set(path, {
        data: p.data === null ? null : Buffer.from(p.data, 'utf8'),
        version: p.version,
        cversion: p.cversion,
        ctime: p.ctime,
        mtime: p.mtime,
        ephemeral: false,
        children: new Set(),
      });
    }
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StoreClosedError();
  }
}

function newNode(data: Buffer | null, ephemeral: boolean, now: number): TreeNode {
  return { data, version: 0, cversion: 0, ctime: now, mtime: now, ephemeral, children: new Set() };
}

/** Data and version as of now; the tree node itself keeps changing. */
function snapshot(node: TreeNode): TreeNode {
  return { ...node, children: new Set() };
}

function checkVersion(path: string, node: TreeNode, expected: number | undefined): void {
  if (expected === undefined || expected === -1) return;
  if (!Number.isInteger(expected)) throw new BadArgumentsError(`expected version for ${path} must be an integer`, path);
  if (node.version !== expected) throw new BadVersionError(path, expected, node.version);
}

function getOrCreate<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
