import { ErrorCode } from '../protocol';
import { ConnectionError, KafkaClientError } from './errors';
import { backoffDelay, retryPolicy, sleep, withRetries } from './retry';

describe('backoffDelay', () => {
  const policy = retryPolicy({ backoffMs: 100, maxBackoffMs: 1000, jitter: 0 });

  it('doubles from retry.backoff.ms up to retry.backoff.max.ms', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads each wait over ±jitter', () => {
    const jittered = retryPolicy({ backoffMs: 100, maxBackoffMs: 1000, jitter: 0.2 });
    expect(backoffDelay(jittered, 1, () => 0)).toBe(160);
    expect(backoffDelay(jittered, 1, () => 0.5)).toBe(200);
    expect(backoffDelay(jittered, 1, () => 0.999999)).toBe(240);
  });

  it('is constant when the cap is below the first wait, as Kafka documents', () => {
    const constant = retryPolicy({ backoffMs: 500, maxBackoffMs: 200, jitter: 0 });
    expect([0, 3].map((n) => backoffDelay(constant, n))).toEqual([200, 200]);
  });

  it('refuses a policy that cannot work', () => {
    expect(() => retryPolicy({ jitter: 1.5 })).toThrow(RangeError);
    expect(() => retryPolicy({ backoffMs: -1 })).toThrow(RangeError);
  });
});

describe('withRetries', () => {
  const fast = retryPolicy({ backoffMs: 1, maxBackoffMs: 2, jitter: 0 });

  it('retries retriable failures and returns the first success', async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await withRetries(
      async () => {
        if (++calls < 3) throw new ConnectionError('lost');
        return 'ok';
      },
      { policy: fast, onRetry: (_err, attempt) => void seen.push(attempt) },
    );
    expect([result, calls, seen]).toEqual(['ok', 3, [0, 1]]);
  });

  it('gives up at once on an error that is not retriable', async () => {
    let calls = 0;
    const fatal = new KafkaClientError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    await expect(
      withRetries(async () => {
        calls++;
        throw fatal;
      }, { policy: fast }),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('stops after `retries` retries with the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        throw new ConnectionError(`attempt ${++calls}`);
      }, { policy: retryPolicy({ ...fast, retries: 2 }) }),
    ).rejects.toThrow('attempt 3');
  });

  it('throws the last error rather than waiting past the deadline', async () => {
    const started = Date.now();
    let calls = 0;
    await expect(
      withRetries(async () => {
        throw new KafkaClientError(ErrorCode.NOT_COORDINATOR, `try ${++calls}`);
      }, { policy: retryPolicy({ backoffMs: 40, maxBackoffMs: 40, jitter: 0 }), deadline: started + 100 }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_COORDINATOR });
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('honours a custom shouldRetry and stops waiting when aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withRetries(
      async () => {
        calls++;
        throw new Error('anything');
      },
      { policy: retryPolicy({ backoffMs: 10_000, maxBackoffMs: 10_000, jitter: 0 }), shouldRetry: () => true, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 10);
    await expect(run).rejects.toThrow('anything');
    expect(calls).toBe(1);
  });
});

describe('sleep', () => {
  it('resolves false when aborted and true when the time is up', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await sleep(10_000, controller.signal)).toBe(false);
    expect(await sleep(1)).toBe(true);
  });
});
