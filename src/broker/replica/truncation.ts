// Where a follower cuts its log after asking the leader where an epoch ended (Kafka's
// AbstractFetcherThread.getOffsetTruncationState), as a pure function.

/** An epoch and the offset where it ended, as OffsetForLeaderEpoch (or a Fetch's divergingEpoch) answers; -1 = unknown. */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** What the follower knows of its own log. */
export interface LocalLogView {
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** The largest epoch <= `epoch` this log holds and where it ends here; undefined when none. */
  endOffsetForEpoch(epoch: number): EpochEndOffset | undefined;
}

export interface TruncationDecision {
  /** Truncate the log to this offset (nothing happens when it is at or past the log end). */
  readonly offset: number;
  /** False: the logs may still differ below `offset`; ask the leader again with the log's new latest epoch. */
  readonly completed: boolean;
}

/**
 * The leader said where `leader.epoch` (the largest epoch it has at or below the one we
 * asked about) ends in its log:
 *  - it does not know the epoch (end offset -1): fall back to the high watermark, which
 *    every ISR member held;
 *  - we hold that same epoch: the logs agree up to where both copies of it end;
 *  - we do not hold it (our history skips it): cut to where our last earlier epoch ends and
 *    ask again, since the logs may differ before it;
 *  - we hold no epoch at or below it: the leader's end offset is all we can go by.
 * Never past our own log end.
 */
export function truncationOffset(leader: EpochEndOffset, local: LocalLogView): TruncationDecision {
  const logEnd = local.logEndOffset;
  if (leader.endOffset < 0) return { offset: Math.min(local.highWatermark, logEnd), completed: true };
  if (leader.epoch < 0) return { offset: Math.min(leader.endOffset, logEnd), completed: true };
  const ours = local.endOffsetForEpoch(leader.epoch);
  if (!ours) return { offset: Math.min(leader.endOffset, logEnd), completed: true };
  if (ours.epoch !== leader.epoch) return { offset: Math.min(ours.endOffset, logEnd), completed: false };
  return { offset: Math.min(ours.endOffset, leader.endOffset, logEnd), completed: true };
}
