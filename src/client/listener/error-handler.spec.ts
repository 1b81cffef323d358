import { Logger } from '@nestjs/common';
import { FixedBackOff } from './backoff';
import { BatchListenerFailedError, DefaultErrorHandler, DeserializationError, isCommonErrorHandler, type ErrorHandlerContext, type FailedRecord } from './error-handler';
import type { ConsumerRecord } from './types';

beforeAll(() => Logger.overrideLogger(false));

const context: ErrorHandlerContext = { listenerId: 'orders', clientId: 'orders-0', groupId: 'g' };

function failed(offset: number, partition = 0, topic = 't'): FailedRecord {
  const record: ConsumerRecord = { topic, partition, offset, timestamp: 0, timestampType: 'CreateTime', key: null, value: `v${offset}`, headers: [] };
  return { record, rawKey: null, rawValue: Buffer.from(`v${offset}`) };
}

function handler(backOff = new FixedBackOff(100, 2)) {
  const recovered: Array<[number, string]> = [];
  const errorHandler = new DefaultErrorHandler({ backOff, recoverer: (f, error) => void recovered.push([f.record.offset, error.message]) });
  return { errorHandler, recovered };
}

describe('DefaultErrorHandler', () => {
  it('asks for redelivery after each back-off interval, then recovers and lets the container move on', async () => {
    const { errorHandler, recovered } = handler();
    const error = new Error('boom');
    expect(await errorHandler.handleRecord(error, failed(5), context)).toEqual({ retry: true, delayMs: 100 });
    expect(await errorHandler.handleRecord(error, failed(5), context)).toEqual({ retry: true, delayMs: 100 });
    expect(errorHandler.deliveryAttempts(context, failed(5).record)).toBe(2);
    expect(await errorHandler.handleRecord(error, failed(5), context)).toEqual({ retry: false });
    expect(recovered).toEqual([[5, 'boom']]);
    // Recovered: a later failure of the same offset starts over.
    expect(errorHandler.deliveryAttempts(context, failed(5).record)).toBe(0);
  });

  it('has Spring defaults: 9 retries at 0 ms, then the record is logged and skipped', async () => {
    const errorHandler = new DefaultErrorHandler();
    const decisions = [];
    for (let i = 0; i < 10; i++) decisions.push(await errorHandler.handleRecord(new Error('x'), failed(1), context));
    expect(decisions.slice(0, 9)).toEqual(Array(9).fill({ retry: true, delayMs: 0 }));
    expect(decisions[9]).toEqual({ retry: false });
  });

  it('starts counting again when another offset of the partition fails, and counts per consumer and partition', async () => {
    const { errorHandler } = handler(new FixedBackOff(0, 1));
    expect(await errorHandler.handleRecord(new Error('a'), failed(1), context)).toMatchObject({ retry: true });
    expect(await errorHandler.handleRecord(new Error('b'), failed(2), context)).toMatchObject({ retry: true });
    expect(await errorHandler.handleRecord(new Error('c'), failed(2, 1), context)).toMatchObject({ retry: true });
    expect(await errorHandler.handleRecord(new Error('d'), failed(2), { ...context, clientId: 'orders-1' })).toMatchObject({ retry: true });
    expect(await errorHandler.handleRecord(new Error('e'), failed(2), context)).toEqual({ retry: false });
  });

  it('recovers errors classified not retryable at once: DeserializationError and added classes', async () => {
    class ValidationError extends Error {}
    const { errorHandler, recovered } = handler();
    errorHandler.addNotRetryableErrors(ValidationError);
    expect(await errorHandler.handleRecord(new DeserializationError(false, Buffer.from('x'), new SyntaxError('bad json')), failed(1), context)).toEqual({ retry: false });
    expect(await errorHandler.handleRecord(new ValidationError('invalid'), failed(2), context)).toEqual({ retry: false });
    expect(recovered.map(([offset]) => offset)).toEqual([1, 2]);
    errorHandler.removeClassification(ValidationError);
    expect(await errorHandler.handleRecord(new ValidationError('invalid'), failed(3), context)).toMatchObject({ retry: true });
  });

  it('delivers the record again when the recoverer fails, and tries recovering again next time', async () => {
    let attempts = 0;
    const errorHandler = new DefaultErrorHandler({
      backOff: new FixedBackOff(0, 0),
      recoveryFailedDelayMs: 250,
      recoverer: () => {
        if (++attempts === 1) throw new Error('DLT unavailable');
      },
    });
    expect(await errorHandler.handleRecord(new Error('x'), failed(1), context)).toEqual({ retry: true, delayMs: 250 });
    expect(await errorHandler.handleRecord(new Error('x'), failed(1), context)).toEqual({ retry: false });
    expect(attempts).toBe(2);
  });

  it('tracks a batch by its first record and recovers every record of it', async () => {
    const { errorHandler, recovered } = handler(new FixedBackOff(0, 1));
    const batch = [failed(3), failed(4), failed(0, 1)];
    expect(await errorHandler.handleBatch(new Error('batch'), batch, context)).toEqual({ retry: true, delayMs: 0 });
    expect(await errorHandler.handleBatch(new Error('batch'), batch, context)).toEqual({ retry: false });
    expect(recovered).toEqual([
      [3, 'batch'],
      [4, 'batch'],
      [0, 'batch'],
    ]);
  });

  it('forgets the failures of revoked partitions', async () => {
    const { errorHandler } = handler(new FixedBackOff(0, 1));
    await errorHandler.handleRecord(new Error('x'), failed(1), context);
    errorHandler.partitionsRevoked(context, [{ topic: 't', partition: 0 }]);
    expect(await errorHandler.handleRecord(new Error('x'), failed(1), context)).toMatchObject({ retry: true });
  });

  it('is told apart from DefaultErrorHandler settings in module options', () => {
    expect(isCommonErrorHandler(new DefaultErrorHandler())).toBe(true);
    expect(isCommonErrorHandler({ backOff: { intervalMs: 1 } })).toBe(false);
    expect(isCommonErrorHandler(undefined)).toBe(false);
  });
});

describe('BatchListenerFailedError', () => {
  it('finds the failed record by index or by the record itself', () => {
    const records = [failed(1).record, failed(2).record];
    expect(new BatchListenerFailedError('x', 1).indexIn(records)).toBe(1);
    expect(new BatchListenerFailedError('x', 7).indexIn(records)).toBe(-1);
    expect(new BatchListenerFailedError('x', { ...records[0] }).indexIn(records)).toBe(0);
  });
});
