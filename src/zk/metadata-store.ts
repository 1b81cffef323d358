// The one interface the broker uses for cluster metadata. Two implementations hold the same
// tree: ZooKeeperMetadataStore (a real ensemble, Kafka's classic layout) and
// EmbeddedMetadataStore (in-process, persisted under the first log dir, for a single node).
// Values are JSON; on ZooKeeper they are stored as UTF-8 JSON bytes so zkCli or Kafka's own
// tools read them as Kafka would have written them.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `sequential` nodes get a 10-digit, zero-padded suffix (the parent's child version at
 * creation, as ZooKeeper does), so their names sort in creation order.
 */
export type CreateMode = 'persistent' | 'ephemeral' | 'sequential' | 'ephemeral_sequential';

export interface CreateOptions {
  mode?: CreateMode;
  /** Create missing ancestors as persistent nodes with null data (like `mkdir -p`). */
  createParents?: boolean;
}

export interface VersionedValue<T = JsonValue> {
  value: T;
  /** ZooKeeper's dataVersion: 0 at creation, +1 on every set. */
  version: number;
}

export interface NodeStat {
  version: number;
  /** Child version: +1 on every child create or delete. */
  cversion: number;
  numChildren: number;
  ephemeral: boolean;
}

export interface DataWatchEvent<T = JsonValue> {
  path: string;
  /** The node as read after the change; null when it was deleted. */
  node: VersionedValue<T> | null;
}

export interface ChildrenWatchEvent {
  path: string;
  /** Sorted child names after the change; null when the parent itself is gone. */
  children: string[] | null;
}

export interface DataSubscription<T = JsonValue> {
  /** The node when the watch was set, so callers need no separate read (and no race). */
  readonly initial: VersionedValue<T> | null;
  unsubscribe(): void;
}

export interface ChildrenSubscription {
  readonly initial: string[] | null;
  unsubscribe(): void;
}

/**
 * - connected: the first session is established.
 * - disconnected: the connection dropped; the session (and its ephemerals) may still live.
 * - reconnected: connected again. With newSession=false it is the same session; with
 *   newSession=true the old one expired, this store re-created its ephemeral nodes
 *   (recreatedEphemerals) and re-armed its watches, and `lostEphemerals` lists those it
 *   could not restore (parent gone, or now owned by another session). Callers that hold
 *   state tied to the session (controller election) must re-check it.
 * - expired: the session ended without close(); its ephemerals are gone on the server.
 */
export type SessionEvent =
  | { type: 'connected'; sessionId: string }
  | { type: 'disconnected'; sessionId: string }
  | { type: 'expired'; sessionId: string }
  | {
      type: 'reconnected';
      sessionId: string;
      newSession: boolean;
      recreatedEphemerals?: string[];
      lostEphemerals?: string[];
    };

export interface MetadataStore {
  /** Resolves with the created path (with its suffix for sequential modes). */
  create(path: string, value: JsonValue, options?: CreateOptions): Promise<string>;
  get<T = JsonValue>(path: string): Promise<VersionedValue<T> | null>;
  /** Resolves with the new version; BadVersionError when expectedVersion does not match. */
  set(path: string, value: JsonValue, expectedVersion?: number): Promise<number>;
  /** expectedVersion applies to `path` itself; recursive deletes descendants first. */
  delete(path: string, expectedVersion?: number, options?: { recursive?: boolean }): Promise<void>;
  /** Sorted child names; NoNodeError when the node is missing. */
  children(path: string): Promise<string[]>;
  exists(path: string): Promise<NodeStat | null>;
  /**
   * Calls the listener after every change of the node's data, its creation and its
   * deletion, until unsubscribed. Several changes in quick succession may arrive as one
   * event carrying the latest state (ZooKeeper watches are one-shot and re-armed).
   */
  watchData<T = JsonValue>(path: string, listener: (event: DataWatchEvent<T>) => void): Promise<DataSubscription<T>>;
  /** As watchData, for the set of children of `path`. */
  watchChildren(path: string, listener: (event: ChildrenWatchEvent) => void): Promise<ChildrenSubscription>;
  /** Returns a function that removes the listener. */
  onSessionEvent(listener: (event: SessionEvent) => void): () => void;
  /** The current session's id (hex for ZooKeeper, 'embedded' for the embedded store). */
  readonly sessionId: string;
  /** Ends the session: this store's ephemeral nodes disappear. Idempotent. */
  close(): Promise<void>;
}

export const METADATA_STORE = Symbol('METADATA_STORE');

/**
 * Where the stores report what they cannot throw (a failing watch listener, a session lost
 * in the background). Nest's Logger fits; the stores do not import Nest themselves so they
 * load anywhere (Nest 12 is ESM-only and Jest cannot require it).
 */
export interface MetadataStoreLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleMetadataStoreLogger = (context: string): MetadataStoreLogger => ({
  log: (m) => console.log(`[${context}] ${m}`),
  warn: (m) => console.warn(`[${context}] ${m}`),
  error: (m) => console.error(`[${context}] ${m}`),
});
