import { ErrorCode } from '../../protocol/errors/error-codes';
import { ProducerStateManager, RETAINED_BATCHES } from './producer-state-manager';

const batchAt = (firstSeq: number, lastSeq: number, firstOffset: number) => ({ firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + lastSeq - firstSeq, timestamp: 0 });

describe('ProducerStateManager', () => {
  it('recognises a retry of any of the last five batches as a duplicate, and an older one as out of order', () => {
    const state = new ProducerStateManager();
    for (let i = 0; i < RETAINED_BATCHES + 1; i++) state.update(1, 0, batchAt(i * 10, i * 10 + 9, i * 10));
    expect(state.check(1, 0, 10, 19)).toEqual({ kind: 'duplicate', batch: batchAt(10, 19, 10) });
    expect(state.check(1, 0, 50, 59)).toMatchObject({ kind: 'duplicate' });
    expect(state.check(1, 0, 0, 9)).toMatchObject({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(state.check(1, 0, 60, 61)).toEqual({ kind: 'append' });
  });

  it('wraps sequences at 2^31 as Kafka does', () => {
    const state = new ProducerStateManager();
    state.update(1, 0, batchAt(2147483640, 2147483647, 0));
    expect(state.check(1, 0, 0, 4)).toEqual({ kind: 'append' });
    expect(state.check(1, 0, 1, 4)).toMatchObject({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('starts a new epoch at sequence 0, forgetting the old batches', () => {
    const state = new ProducerStateManager();
    state.update(1, 0, batchAt(0, 4, 0));
    expect(state.check(1, 1, 5, 9)).toMatchObject({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    state.update(1, 1, batchAt(0, 1, 5));
    expect(state.epochOf(1)).toBe(1);
    expect(state.check(1, 0, 5, 9)).toMatchObject({ kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(state.check(1, 1, 0, 1)).toMatchObject({ kind: 'duplicate' });
  });

  it('forgets producers whose batches all fell below the log start', () => {
    const state = new ProducerStateManager();
    state.update(1, 0, batchAt(0, 4, 0));
    state.update(2, 0, batchAt(0, 4, 5));
    state.onLogStartOffsetChanged(5);
    expect(state.epochOf(1)).toBeUndefined();
    expect(state.check(1, 0, 77, 78)).toEqual({ kind: 'append' });
    expect(state.epochOf(2)).toBe(0);
  });
});
