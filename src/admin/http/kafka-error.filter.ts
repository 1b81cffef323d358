import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { KafkaClientError } from '../../client/errors';
import { ErrorCode, errorName } from '../../protocol/errors/error-codes';
import { KafkaError } from '../../protocol/errors/kafka-error';
import type { HttpResponse } from './http-types';

/** Kafka errors that mean "no such thing" or "already so", by code. */
const STATUS_BY_CODE: ReadonlyMap<number, HttpStatus> = new Map([
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, HttpStatus.NOT_FOUND],
  [ErrorCode.UNKNOWN_TOPIC_ID, HttpStatus.NOT_FOUND],
  [ErrorCode.GROUP_ID_NOT_FOUND, HttpStatus.NOT_FOUND],
  [ErrorCode.TOPIC_ALREADY_EXISTS, HttpStatus.CONFLICT],
  // An admin rewriting offsets, or deleting a group, while consumers are in it.
  [ErrorCode.NON_EMPTY_GROUP, HttpStatus.CONFLICT],
  [ErrorCode.UNKNOWN_MEMBER_ID, HttpStatus.CONFLICT],
  [ErrorCode.REBALANCE_IN_PROGRESS, HttpStatus.CONFLICT],
  [ErrorCode.POLICY_VIOLATION, HttpStatus.BAD_REQUEST],
  [ErrorCode.OFFSET_OUT_OF_RANGE, HttpStatus.BAD_REQUEST],
  [ErrorCode.MESSAGE_TOO_LARGE, HttpStatus.PAYLOAD_TOO_LARGE],
  [ErrorCode.RECORD_LIST_TOO_LARGE, HttpStatus.PAYLOAD_TOO_LARGE],
  [ErrorCode.REQUEST_TIMED_OUT, HttpStatus.GATEWAY_TIMEOUT],
]);

export interface KafkaErrorBody {
  readonly statusCode: number;
  /** The Kafka error name, e.g. TOPIC_ALREADY_EXISTS. */
  readonly error: string;
  readonly message: string;
}

/** The HTTP status for a Kafka error code: the table above, then INVALID_* as 400, retriable faults as 503, the rest 500. */
export function httpStatusOf(code: number, retriable: boolean): HttpStatus {
  const mapped = STATUS_BY_CODE.get(code);
  if (mapped !== undefined) return mapped;
  if (errorName(code).startsWith('INVALID_')) return HttpStatus.BAD_REQUEST;
  // A moved controller or coordinator, a lost connection, a leader not yet elected: worth retrying.
  if (retriable) return HttpStatus.SERVICE_UNAVAILABLE;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** The one place Kafka error codes (from the SDK's admin client or the broker's own services) become HTTP answers. */
export function kafkaErrorBody(error: KafkaClientError | KafkaError): KafkaErrorBody {
  const code = error instanceof KafkaClientError ? error.code : error.errorCode;
  const statusCode = httpStatusOf(code, error.retriable);
  return { statusCode, error: errorName(code), message: error.message };
}

@Catch(KafkaClientError, KafkaError)
export class KafkaErrorFilter implements ExceptionFilter {
  catch(error: KafkaClientError | KafkaError, host: ArgumentsHost): void {
    const body = kafkaErrorBody(error);
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', '1');
    response.status(body.statusCode).json(body);
  }
}
