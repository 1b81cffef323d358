import { ErrorCode, errorInfo, errorName, isRetriable } from '../protocol';

/**
 * What the SDK throws. Every failure carries a Kafka error code, so callers branch on
 * one field whatever went wrong: a code a broker answered with, or the code Kafka's
 * Java client would report for a fault found on this side (a lost connection is
 * NETWORK_EXCEPTION, a deadline REQUEST_TIMED_OUT). `retriable` follows Kafka's
 * RetriableException hierarchy: retrying the same call may succeed.
 */
export class KafkaClientError extends Error {
  override readonly name: string = 'KafkaClientError';
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    message?: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message ?? errorInfo(code)?.message ?? errorName(code), options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? isRetriable(code);
  }

  /** The code's name, e.g. NOT_LEADER_OR_FOLLOWER. */
  get codeName(): string {
    return errorName(this.code);
  }

  /** An error for a code a broker answered with; `context` says what was asked. */
  static fromCode(code: number, context?: string, serverMessage?: string | null): KafkaClientError {
    const parts = [errorName(code)];
    if (context) parts.unshift(`${context}:`);
    const detail = serverMessage || errorInfo(code)?.message;
    if (detail) parts.push(`(${detail})`);
    return new KafkaClientError(code, parts.join(' '));
  }
}

/**
 * The connection to a broker failed or closed before an answer arrived (Kafka's
 * NetworkException). Always retriable: whatever was in flight may or may not have
 * been processed, which is what idempotence is for.
 */
export class ConnectionError extends KafkaClientError {
  override readonly name = 'ConnectionError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.NETWORK_EXCEPTION, message, { retriable: true, cause: options.cause });
  }
}

/**
 * A deadline passed: no answer within request.timeout.ms, no buffer space or metadata
 * within max.block.ms, no delivery within delivery.timeout.ms (Kafka's TimeoutException,
 * retriable as there).
 */
export class KafkaTimeoutError extends KafkaClientError {
  override readonly name = 'KafkaTimeoutError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.REQUEST_TIMED_OUT, message, { retriable: true, cause: options.cause });
  }
}

/** A call made after close(): nothing more will be sent. */
export class ClientClosedError extends KafkaClientError {
  override readonly name = 'ClientClosedError';

  constructor(what: string) {
    super(ErrorCode.NETWORK_EXCEPTION, `${what} is closed`, { retriable: false });
  }
}

/** A setting that cannot work (Kafka's ConfigException): never retriable. */
export class ClientConfigError extends KafkaClientError {
  override readonly name = 'ClientConfigError';

  constructor(message: string) {
    super(ErrorCode.INVALID_CONFIG, message, { retriable: false });
  }
}

/** Whether retrying the failed call may succeed; errors from outside the SDK are not. */
export function isRetriableError(err: unknown): boolean {
  return err instanceof KafkaClientError && err.retriable;
}

/** The Kafka error code of an SDK error, or UNKNOWN_SERVER_ERROR for anything else. */
export function errorCodeOfClientError(err: unknown): number {
  return err instanceof KafkaClientError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
}
