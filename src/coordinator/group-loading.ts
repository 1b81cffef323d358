import type { Logger } from '@nestjs/common';
import { ErrorCode } from '../protocol/errors/error-codes';
import type { StoredGroup } from '../zk/accessors/consumer-group-metadata';
import type { GroupStateStore, LoadedGroup } from './group-state-store';

/**
 * Which groups this broker has taken up: loaded from the store (whether or not there was
 * state to resume), loading, or lost to another coordinator that wrote their state since.
 * The first request for a group starts its load and every request meanwhile waits for it,
 * as Kafka's coordinator holds a group's requests while its partition loads — here they
 * wait rather than get COORDINATOR_LOAD_IN_PROGRESS, as one read and one write is quick.
 */
/**
 * How long a group lost to another coordinator's write is refused when this broker's view of
 * the brokers does not change. Views converge within a watch event, but this broker's may
 * already have changed before the other's claim landed (both flapped at once): without an
 * end, a broker that does coordinate the group by every view would refuse it for good.
 */
export const LOST_GROUP_RECHECK_MS = 3_000;

export class GroupLoading {
  private readonly loaded = new Set<string>();
  /** Each resolves with NONE once the group is installed, or the error to answer. */
  private readonly loads = new Map<string, Promise<ErrorCode>>();
  /** Lost groups, each with when it may be taken up again. */
  private readonly lost = new Map<string, number>();

  constructor(
    private readonly states: GroupStateStore,
    /** Takes up what a load found (null: nothing to resume); runs before any waiting request is served. */
    private readonly install: (groupId: string, stored: StoredGroup | null) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * Serves a request once the group is loaded: at once when it is, after the load otherwise.
   * `admit` decides whether this broker may serve the group at all; it is asked again after a
   * load, as the group may have moved on meanwhile.
   */
  whenLoaded<T>(groupId: string, admit: () => ErrorCode, refuse: (code: ErrorCode) => T, serve: () => T | Promise<T>): T | Promise<T> {
    const refused = admit();
    if (refused !== ErrorCode.NONE) return refuse(refused);
    if (this.loaded.has(groupId)) return serve();
    let load = this.loads.get(groupId);
    if (!load) {
      const loading: Promise<ErrorCode> = this.states.load(groupId).then(
        (loaded) => this.loadDone(groupId, loading, loaded),
        (err: Error) => this.loadFailed(groupId, loading, err),
      );
      this.loads.set(groupId, (load = loading));
    }
    return load.then((code) => (code === ErrorCode.NONE ? this.whenLoaded(groupId, admit, refuse, serve) : refuse(code)));
  }

  isLost(groupId: string): boolean {
    const until = this.lost.get(groupId);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.lost.delete(groupId);
    return false;
  }

  /**
   * Another coordinator wrote the group's state: this broker refuses it until the brokers
   * change or LOST_GROUP_RECHECK_MS pass; then, if it still coordinates the group by its
   * view, the next request loads (and so claims) the group again.
   */
  markLost(groupId: string): void {
    this.lost.set(groupId, Date.now() + LOST_GROUP_RECHECK_MS);
    this.forget(groupId);
  }

  /** The brokers changed: who coordinates a lost group is decided afresh. */
  clearLost(): void {
    this.lost.clear();
  }

  /** The group left this broker: the next request for it loads it again. */
  forget(groupId: string): void {
    this.loaded.delete(groupId);
    this.loads.delete(groupId);
    this.states.release(groupId);
  }

  /** Groups loaded or loading here. */
  held(): string[] {
    return [...this.loaded, ...this.loads.keys()];
  }

  private loadDone(groupId: string, load: Promise<ErrorCode>, { stored, version }: LoadedGroup): ErrorCode {
    // Forgotten while reading (coordination moved, or shutdown): the waiting requests are decided afresh.
    if (this.loads.get(groupId) !== load) return ErrorCode.NONE;
    this.loads.delete(groupId);
    this.states.hold(groupId, version);
    this.loaded.add(groupId);
    this.install(groupId, stored);
    return ErrorCode.NONE;
  }

  private loadFailed(groupId: string, load: Promise<ErrorCode>, err: Error): ErrorCode {
    if (this.loads.get(groupId) === load) this.loads.delete(groupId);
    this.logger.warn(`group ${groupId}: loading its state failed: ${err.message}`);
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}
