/**
 * Spring's BackOff: how long to wait before each retry of a failed delivery, and when
 * to stop retrying. A BackOff is a stateless description; start() gives the state of
 * one run of retries (one failed record), which says the next interval each time it is
 * asked, or STOP once the retries are used up.
 */
export interface BackOff {
  start(): BackOffExecution;
}

export interface BackOffExecution {
  /** Milliseconds to wait before the next retry, or BACK_OFF_STOP: no more retries. */
  nextBackOff(): number;
}

/** What nextBackOff() returns when no retry is left (Spring's BackOffExecution.STOP). */
export const BACK_OFF_STOP = -1;

/** Spring's FixedBackOff.UNLIMITED_ATTEMPTS. */
export const UNLIMITED_ATTEMPTS = Number.POSITIVE_INFINITY;

/**
 * The same interval before each of `maxAttempts` retries (Spring's FixedBackOff). As in
 * Spring, maxAttempts counts retries, not deliveries: FixedBackOff(0, 9), the
 * DefaultErrorHandler's default, delivers a failing record 10 times.
 */
export class FixedBackOff implements BackOff {
  constructor(
    readonly intervalMs = 5000,
    readonly maxAttempts = UNLIMITED_ATTEMPTS,
  ) {
    checkMs('FixedBackOff interval', intervalMs);
    if (!(maxAttempts === UNLIMITED_ATTEMPTS || (Number.isInteger(maxAttempts) && maxAttempts >= 0))) {
      throw new RangeError(`FixedBackOff maxAttempts must be an integer >= 0 (or unlimited), not ${maxAttempts}`);
    }
  }

  start(): BackOffExecution {
    let attempts = 0;
    return {
      nextBackOff: () => {
        if (attempts >= this.maxAttempts) return BACK_OFF_STOP;
        attempts++;
        return this.intervalMs;
      },
    };
  }

  toString(): string {
    return `FixedBackOff{interval=${this.intervalMs}, maxAttempts=${this.maxAttempts === UNLIMITED_ATTEMPTS ? 'unlimited' : this.maxAttempts}}`;
  }
}

export interface ExponentialBackOffSettings {
  /** The first interval (Spring's default 2000 ms). */
  readonly initialIntervalMs?: number;
  /** Each interval is the previous one times this (1.5). */
  readonly multiplier?: number;
  /** No interval is longer than this (30000 ms). */
  readonly maxIntervalMs?: number;
  /** Stop once the intervals handed out add up to more than this (unlimited). */
  readonly maxElapsedTimeMs?: number;
  /** Stop after this many retries (unlimited). */
  readonly maxAttempts?: number;
}

/**
 * Growing intervals (Spring's ExponentialBackOff): initial, initial × multiplier, ...,
 * capped at maxInterval, until maxElapsedTime of intervals or maxAttempts retries.
 */
export class ExponentialBackOff implements BackOff {
  readonly initialIntervalMs: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
  readonly maxElapsedTimeMs: number;
  readonly maxAttempts: number;

  constructor(settings: ExponentialBackOffSettings = {}) {
    this.initialIntervalMs = settings.initialIntervalMs ?? 2000;
    this.multiplier = settings.multiplier ?? 1.5;
    this.maxIntervalMs = settings.maxIntervalMs ?? 30_000;
    this.maxElapsedTimeMs = settings.maxElapsedTimeMs ?? Number.POSITIVE_INFINITY;
    this.maxAttempts = settings.maxAttempts ?? UNLIMITED_ATTEMPTS;
    checkMs('ExponentialBackOff initialInterval', this.initialIntervalMs);
    checkMs('ExponentialBackOff maxInterval', this.maxIntervalMs);
    if (!(this.multiplier >= 1)) throw new RangeError(`ExponentialBackOff multiplier must be >= 1, not ${this.multiplier}`);
  }

  start(): BackOffExecution {
    let attempts = 0;
    let elapsed = 0;
    let next = Math.min(this.initialIntervalMs, this.maxIntervalMs);
    return {
      nextBackOff: () => {
        if (attempts >= this.maxAttempts || elapsed >= this.maxElapsedTimeMs) return BACK_OFF_STOP;
        const interval = next;
        attempts++;
        elapsed += interval;
        // Truncated as Spring truncates its long interval.
        next = Math.min(Math.floor(next * this.multiplier), this.maxIntervalMs);
        return interval;
      },
    };
  }
}

/**
 * A back-off from module options: a BackOff as is, or Spring's FixedBackOff settings
 * with the DefaultErrorHandler's defaults (0 ms, 9 retries) for what is left out.
 */
export function backOffFrom(spec: BackOff | { readonly intervalMs?: number; readonly maxAttempts?: number } | undefined): BackOff {
  if (spec !== undefined && typeof (spec as BackOff).start === 'function') return spec as BackOff;
  const settings = (spec ?? {}) as { intervalMs?: number; maxAttempts?: number };
  return new FixedBackOff(settings.intervalMs ?? 0, settings.maxAttempts ?? 9);
}

function checkMs(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a number of milliseconds >= 0, not ${value}`);
}
