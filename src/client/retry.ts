import { isRetriableError } from './errors';

/**
 * Back-off between retries, as Kafka's clients compute it (ExponentialBackoff with
 * retry.backoff.ms, retry.backoff.max.ms, multiplier 2 and ±20% jitter): attempt n
 * waits backoffMs·2^n, capped at maxBackoffMs, times a random factor in
 * [1 - jitter, 1 + jitter] so clients that failed together do not retry together.
 */
export interface RetryPolicy {
  /** retry.backoff.ms: the first wait. */
  readonly backoffMs: number;
  /** retry.backoff.max.ms: the cap. Below backoffMs it becomes a constant back-off. */
  readonly maxBackoffMs: number;
  /** Relative jitter, 0.2 = ±20%. */
  readonly jitter: number;
  /** Retries after the first attempt; Infinity = until the deadline (Kafka's producer default, retries=MAX_INT). */
  readonly retries: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ backoffMs: 100, maxBackoffMs: 1000, jitter: 0.2, retries: Infinity });

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(overrides) };
  if (!(policy.backoffMs >= 0) || !(policy.maxBackoffMs >= 0) || !(policy.jitter >= 0 && policy.jitter < 1) || !(policy.retries >= 0)) {
    throw new RangeError(`invalid retry policy ${JSON.stringify(policy)}`);
  }
  return Object.freeze(policy);
}

/** The wait before retry number `attempt` (0 = the first retry). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const { backoffMs, maxBackoffMs, jitter } = policy;
  let term: number;
  if (maxBackoffMs <= backoffMs) {
    term = maxBackoffMs;
  } else {
    const maxExponent = Math.log2(maxBackoffMs / Math.max(backoffMs, 1));
    term = Math.max(backoffMs, 1) * 2 ** Math.min(attempt, maxExponent);
  }
  const factor = jitter > 0 ? 1 - jitter + random() * 2 * jitter : 1;
  return Math.round(term * factor);
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  /** Epoch ms after which no new attempt starts: the last error is thrown. */
  readonly deadline?: number;
  /** Whether `err` may be retried; retriable KafkaClientErrors by default. */
  readonly shouldRetry?: (err: unknown, attempt: number) => boolean;
  /** Called before each wait: refresh metadata, drop a cached coordinator, log. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  /** Stops waiting (the client closed): the last error is thrown at once. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `fn` until it succeeds, the error is not retriable, retries run out, or the next
 * attempt would start after the deadline. The caller sees one result or one error: the
 * last one, so a timeout caused by, say, NOT_COORDINATOR still says NOT_COORDINATOR.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const shouldRetry = options.shouldRetry ?? isRetriableError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.retries || !shouldRetry(err, attempt) || options.signal?.aborted) throw err;
      const delay = backoffDelay(policy, attempt);
      // Waiting past the deadline only to fail then would hide the error for nothing.
      if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw err;
      await options.onRetry?.(err, attempt, delay);
      if (!(await sleep(delay, options.signal))) throw err;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
