import { BACK_OFF_STOP, ExponentialBackOff, FixedBackOff, UNLIMITED_ATTEMPTS, backOffFrom, type BackOffExecution } from './backoff';

function intervals(execution: BackOffExecution, max = 20): number[] {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const next = execution.nextBackOff();
    if (next === BACK_OFF_STOP) break;
    out.push(next);
  }
  return out;
}

describe('FixedBackOff', () => {
  it('gives the same interval maxAttempts times, then STOP; maxAttempts counts retries as in Spring', () => {
    expect(intervals(new FixedBackOff(250, 3).start())).toEqual([250, 250, 250]);
    expect(intervals(new FixedBackOff(0, 0).start())).toEqual([]);
    expect(new FixedBackOff().maxAttempts).toBe(UNLIMITED_ATTEMPTS);
    expect(intervals(new FixedBackOff(5).start(), 50)).toHaveLength(50);
  });

  it('starts every run afresh', () => {
    const backOff = new FixedBackOff(10, 1);
    const first = backOff.start();
    expect(intervals(first)).toEqual([10]);
    expect(intervals(backOff.start())).toEqual([10]);
  });

  it('refuses negative intervals and fractional attempts', () => {
    expect(() => new FixedBackOff(-1, 1)).toThrow(RangeError);
    expect(() => new FixedBackOff(0, 1.5)).toThrow('FixedBackOff maxAttempts must be an integer >= 0');
  });
});

describe('ExponentialBackOff', () => {
  it('multiplies the interval up to the maximum, until maxAttempts or maxElapsedTime', () => {
    expect(intervals(new ExponentialBackOff({ initialIntervalMs: 100, multiplier: 2, maxIntervalMs: 500, maxAttempts: 6 }).start())).toEqual([100, 200, 400, 500, 500, 500]);
    expect(intervals(new ExponentialBackOff({ initialIntervalMs: 100, multiplier: 2, maxElapsedTimeMs: 700 }).start())).toEqual([100, 200, 400]);
    expect(() => new ExponentialBackOff({ multiplier: 0.5 })).toThrow('multiplier must be >= 1');
  });

  it("has Spring's defaults: 2 s, times 1.5, at most 30 s", () => {
    expect(intervals(new ExponentialBackOff().start(), 10)).toEqual([2000, 3000, 4500, 6750, 10125, 15187, 22780, 30000, 30000, 30000]);
  });
});

describe('backOffFrom', () => {
  it("fills FixedBackOff settings with the DefaultErrorHandler's defaults (0 ms, 9 retries)", () => {
    expect(intervals(backOffFrom(undefined).start())).toEqual(Array(9).fill(0));
    expect(intervals(backOffFrom({ intervalMs: 40 }).start())).toEqual(Array(9).fill(40));
    expect(intervals(backOffFrom({ maxAttempts: 2 }).start())).toEqual([0, 0]);
    const custom = new ExponentialBackOff({ maxAttempts: 1 });
    expect(backOffFrom(custom)).toBe(custom);
  });
});
