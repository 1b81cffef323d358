import { HttpStatus, type ArgumentsHost } from '@nestjs/common';
import { KafkaAdminError } from '../../client/admin/kafka-admin';
import { ConnectionError, KafkaClientError, KafkaTimeoutError } from '../../client/errors';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { KafkaError } from '../../protocol/errors/kafka-error';
import { httpStatusOf, KafkaErrorFilter } from './kafka-error.filter';

function answer(error: KafkaClientError | KafkaError) {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const response = {
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status: (status: number) => ((sent.status = status), { json: (body: unknown) => (sent.body = body) }),
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new KafkaErrorFilter().catch(error, host);
  return sent;
}

describe('KafkaErrorFilter', () => {
  it.each([
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, HttpStatus.NOT_FOUND],
    [ErrorCode.GROUP_ID_NOT_FOUND, HttpStatus.NOT_FOUND],
    [ErrorCode.TOPIC_ALREADY_EXISTS, HttpStatus.CONFLICT],
    [ErrorCode.NON_EMPTY_GROUP, HttpStatus.CONFLICT],
    [ErrorCode.INVALID_REPLICATION_FACTOR, HttpStatus.BAD_REQUEST],
    [ErrorCode.INVALID_PARTITIONS, HttpStatus.BAD_REQUEST],
    [ErrorCode.INVALID_CONFIG, HttpStatus.BAD_REQUEST],
    [ErrorCode.INVALID_TOPIC_EXCEPTION, HttpStatus.BAD_REQUEST],
    [ErrorCode.POLICY_VIOLATION, HttpStatus.BAD_REQUEST],
    [ErrorCode.REQUEST_TIMED_OUT, HttpStatus.GATEWAY_TIMEOUT],
  ])('maps Kafka error %i to HTTP %i', (code, status) => {
    expect(httpStatusOf(code, false)).toBe(status);
  });

  it('answers retriable faults with 503 and Retry-After, anything else with 500', () => {
    const unavailable = answer(new ConnectionError('connection to 127.0.0.1:9092 closed'));
    expect(unavailable.status).toBe(HttpStatus.SERVICE_UNAVAILABLE);
    expect(unavailable.headers['Retry-After']).toBe('1');
    expect(answer(new KafkaClientError(ErrorCode.UNKNOWN_SERVER_ERROR)).status).toBe(HttpStatus.INTERNAL_SERVER_ERROR);
    expect(answer(new KafkaTimeoutError('no answer within 10000 ms')).status).toBe(HttpStatus.GATEWAY_TIMEOUT);
  });

  it('says the Kafka error name and message in the body', () => {
    const error = new KafkaAdminError([{ name: 'orders', code: ErrorCode.TOPIC_ALREADY_EXISTS, message: "Topic 'orders' already exists." }]);
    expect(answer(error)).toEqual({
      status: HttpStatus.CONFLICT,
      headers: {},
      body: { statusCode: HttpStatus.CONFLICT, error: 'TOPIC_ALREADY_EXISTS', message: "orders: TOPIC_ALREADY_EXISTS (Topic 'orders' already exists.)" },
    });
  });

  it("maps the broker's own KafkaError the same way", () => {
    const sent = answer(new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'no such topic'));
    expect(sent.status).toBe(HttpStatus.NOT_FOUND);
    expect(sent.body).toEqual({ statusCode: HttpStatus.NOT_FOUND, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' });
  });
});
