import type { Partition } from './partition';
import { ReplicaFetcher, type FetcherDeps } from './replica-fetcher';

/**
 * Which ReplicaFetcher follows each partition (Kafka's ReplicaFetcherManager): one fetcher
 * per leader broker, created when the first partition led there is followed and stopped
 * when its last one goes. The ReplicaManager tells it about every role change:
 * follow() when this broker follows a partition (a new leader or epoch restarts it with
 * truncation), unfollow() when it leads the partition, loses its replica or the topic goes.
 */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly leaderOf = new Map<string, number>();
  private stopped = false;

  constructor(private readonly deps: FetcherDeps) {}

  follow(partition: Partition, leaderId: number, leaderEpoch: number): void {
    if (this.stopped) return;
    const key = partition.key;
    const current = this.leaderOf.get(key);
    if (current === leaderId && this.fetchers.get(leaderId)?.epochOf(key) === leaderEpoch) return;
    if (current !== undefined && current !== leaderId) this.detach(key, current);
    let fetcher = this.fetchers.get(leaderId);
    if (!fetcher) this.fetchers.set(leaderId, (fetcher = new ReplicaFetcher(leaderId, this.deps)));
    fetcher.addPartition(partition, leaderEpoch);
    this.leaderOf.set(key, leaderId);
  }

  unfollow(key: string): void {
    const leaderId = this.leaderOf.get(key);
    if (leaderId === undefined) return;
    this.detach(key, leaderId);
    this.leaderOf.delete(key);
  }

  /** The leader `key` is fetched from, or undefined. */
  leaderFor(key: string): number | undefined {
    return this.leaderOf.get(key);
  }

  /** Leader ids with a running fetcher. */
  get fetcherLeaders(): number[] {
    return [...this.fetchers.keys()];
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.leaderOf.clear();
    await Promise.all(all.map((f) => f.stop()));
  }

  private detach(key: string, leaderId: number): void {
    const fetcher = this.fetchers.get(leaderId);
    if (!fetcher) return;
    fetcher.removePartition(key);
    if (fetcher.size > 0) return;
    this.fetchers.delete(leaderId);
    void fetcher.stop();
  }
}
