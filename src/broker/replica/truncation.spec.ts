import { truncationOffset, type EpochEndOffset, type LocalLogView } from './truncation';

/** A follower's log with epochs starting at the given offsets (ascending), ending at logEnd. */
function local(epochs: Array<[epoch: number, start: number]>, logEnd: number, highWatermark = 0): LocalLogView {
  return {
    logEndOffset: logEnd,
    highWatermark,
    endOffsetForEpoch(epoch: number): EpochEndOffset | undefined {
      const floor = [...epochs].reverse().find(([e]) => e <= epoch);
      if (!floor) return undefined;
      const next = epochs.find(([e]) => e > floor[0]);
      return { epoch: floor[0], endOffset: next ? next[1] : logEnd };
    },
  };
}

describe('truncationOffset', () => {
  it('keeps a log that holds the same epoch up to where the leader ends it', () => {
    // Follower: epoch 1 from 0, epoch 2 from 50 to 80; the leader ended epoch 2 at 70.
    expect(truncationOffset({ epoch: 2, endOffset: 70 }, local([[1, 0], [2, 50]], 80))).toEqual({ offset: 70, completed: true });
    // The leader has more of it than we do: nothing to cut.
    expect(truncationOffset({ epoch: 2, endOffset: 95 }, local([[1, 0], [2, 50]], 80))).toEqual({ offset: 80, completed: true });
  });

  it('cuts where our copy of the epoch ends when that is earlier (we asked about a later epoch)', () => {
    // We asked about epoch 4 (our latest); the leader never had 3 or 4 and answers epoch 2 ending at 90.
    expect(truncationOffset({ epoch: 2, endOffset: 90 }, local([[2, 0], [3, 60], [4, 75]], 100))).toEqual({ offset: 60, completed: true });
  });

  it('cuts to our last earlier epoch and asks again when our history skips the epoch the leader names', () => {
    // The leader answers epoch 3, which we never had: our epoch 2 ends at 40 (epoch 5 starts there).
    expect(truncationOffset({ epoch: 3, endOffset: 55 }, local([[2, 0], [5, 40]], 70))).toEqual({ offset: 40, completed: false });
  });

  it('goes by the leader offset when we hold no epoch at or below the one it names', () => {
    expect(truncationOffset({ epoch: 1, endOffset: 30 }, local([[4, 10]], 50))).toEqual({ offset: 30, completed: true });
  });

  it('falls back to the high watermark when the leader does not know the epoch', () => {
    expect(truncationOffset({ epoch: -1, endOffset: -1 }, local([[7, 0]], 50, 42))).toEqual({ offset: 42, completed: true });
  });

  it('uses the leader offset alone when the answer carries no epoch', () => {
    expect(truncationOffset({ epoch: -1, endOffset: 12 }, local([[1, 0]], 50))).toEqual({ offset: 12, completed: true });
  });

  it('never goes past the log end', () => {
    expect(truncationOffset({ epoch: -1, endOffset: 500 }, local([[1, 0]], 50))).toEqual({ offset: 50, completed: true });
    expect(truncationOffset({ epoch: -1, endOffset: -1 }, local([[1, 0]], 50, 80))).toEqual({ offset: 50, completed: true });
  });
});
