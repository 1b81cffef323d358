import { ProtocolError } from '../protocol-error';
import { ErrorCode, errorInfo, errorName } from './error-codes';

/**
 * A failure with a known Kafka error code, thrown where the fault is known (a service
 * that finds the partition has no leader throws NOT_LEADER_OR_FOLLOWER) and turned
 * into a response error code in one place, by `errorCodeOf`.
 */
export class KafkaError extends Error {
  override readonly name = 'KafkaError';

  constructor(
    readonly errorCode: ErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? errorInfo(errorCode)?.message ?? errorName(errorCode), options);
  }

  get errorName(): string {
    return errorName(this.errorCode);
  }

  get retriable(): boolean {
    return errorInfo(this.errorCode)?.retriable ?? false;
  }
}

/**
 * The error code to answer with for anything thrown while serving a request:
 * KafkaError and ProtocolError carry theirs; anything else is a bug, UNKNOWN_SERVER_ERROR.
 */
export function errorCodeOf(err: unknown): number {
  if (err instanceof KafkaError) return err.errorCode;
  if (err instanceof ProtocolError) return err.errorCode;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
