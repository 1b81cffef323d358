/**
 * What a partition's leader knows of one follower (Kafka's ReplicaState), learned only
 * from the follower's fetches: its log end offset (the offset it fetches from) and how
 * recently it was caught up.
 *
 * "Caught up at time t" means a fetch received at t asked for the leader's log end as it
 * was at t. A follower whose fetches always trail the leader by a little (small produces
 * arriving between its fetches) still counts as caught up at the time of its previous
 * fetch when it has reached the log end the leader had then, so steady traffic cannot
 * push a healthy follower out of the ISR.
 */
export class FollowerReplica {
  /** -1 until its first fetch under this leader. */
  logEndOffset = -1;
  lastCaughtUpTimeMs: number;
  private lastFetchLeaderLogEndOffset = -1;
  private lastFetchTimeMs = 0;

  /**
   * A new leader starts each follower over: ISR members get the full lag time to show up
   * (caught up "now"), others must catch up before they can count.
   */
  constructor(inSync: boolean, nowMs: number) {
    this.lastCaughtUpTimeMs = inSync ? nowMs : 0;
  }

  /** A fetch from `fetchOffset` arrived at `nowMs`, when the leader's log ended at `leaderEndOffset`. */
  onFetch(fetchOffset: number, leaderEndOffset: number, nowMs: number): void {
    if (fetchOffset >= leaderEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    this.logEndOffset = fetchOffset;
    this.lastFetchLeaderLogEndOffset = Math.max(this.lastFetchLeaderLogEndOffset, leaderEndOffset);
    this.lastFetchTimeMs = nowMs;
  }

  /** In sync: it holds the leader's whole log, or was caught up within the last `maxLagMs`. */
  isCaughtUp(leaderEndOffset: number, nowMs: number, maxLagMs: number): boolean {
    return this.logEndOffset === leaderEndOffset || nowMs - this.lastCaughtUpTimeMs <= maxLagMs;
  }
}
