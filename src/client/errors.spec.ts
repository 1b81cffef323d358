import { ErrorCode } from '../protocol';
import { ClientConfigError, ConnectionError, KafkaClientError, KafkaTimeoutError, errorCodeOfClientError, isRetriableError } from './errors';

describe('KafkaClientError', () => {
  it('takes retriability from the Kafka error table', () => {
    expect(new KafkaClientError(ErrorCode.NOT_LEADER_OR_FOLLOWER).retriable).toBe(true);
    expect(new KafkaClientError(ErrorCode.TOPIC_AUTHORIZATION_FAILED).retriable).toBe(false);
    expect(new KafkaClientError(9999).retriable).toBe(false);
  });

  it('names the code and what was asked when built from a broker answer', () => {
    const err = KafkaClientError.fromCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Produce to orders-3');
    expect(err.message).toMatch(/^Produce to orders-3: UNKNOWN_TOPIC_OR_PARTITION \(.+\)$/);
    expect(err.codeName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(KafkaClientError.fromCode(ErrorCode.INVALID_RECORD, undefined, 'key required').message).toBe('INVALID_RECORD (key required)');
  });

  it('reports local faults with the codes the Java client uses', () => {
    const lost = new ConnectionError('socket closed');
    expect([lost.code, lost.retriable, lost instanceof KafkaClientError]).toEqual([ErrorCode.NETWORK_EXCEPTION, true, true]);
    const late = new KafkaTimeoutError('no answer');
    expect([late.code, late.retriable]).toEqual([ErrorCode.REQUEST_TIMED_OUT, true]);
    const bad = new ClientConfigError('acks=1 with idempotence');
    expect([bad.code, bad.retriable, bad.name]).toEqual([ErrorCode.INVALID_CONFIG, false, 'ClientConfigError']);
  });

  it('treats errors from outside the SDK as not retriable, code UNKNOWN_SERVER_ERROR', () => {
    expect(isRetriableError(new Error('boom'))).toBe(false);
    expect(isRetriableError(new ConnectionError('x'))).toBe(true);
    expect(errorCodeOfClientError(new Error('boom'))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(errorCodeOfClientError(new KafkaClientError(ErrorCode.NOT_COORDINATOR))).toBe(ErrorCode.NOT_COORDINATOR);
  });
});
