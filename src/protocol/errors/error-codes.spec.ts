import { ERRORS, ErrorCode, errorInfo, errorName, isErrorCode, isRetriable } from './error-codes';
import { KafkaError, errorCodeOf } from './kafka-error';
import { ProtocolError } from '../protocol-error';

describe('error code table', () => {
  it('covers Kafka 3.9 from UNKNOWN_SERVER_ERROR (-1) to VOTER_NOT_FOUND (127) without gaps or repeats', () => {
    expect(ERRORS.map((e) => e.code)).toEqual(Array.from({ length: 129 }, (_, i) => i - 1));
    expect(new Set(ERRORS.map((e) => e.name)).size).toBe(ERRORS.length);
    expect(ERRORS.at(-1)).toMatchObject({ code: 127, name: 'VOTER_NOT_FOUND' });
  });

  it('names codes for use in code', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.INVALID_REQUEST).toBe(42);
    expect(ErrorCode.UNKNOWN_TOPIC_ID).toBe(100);
  });

  it('marks retriable exactly the codes Kafka clients retry', () => {
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.LEADER_NOT_AVAILABLE)).toBe(true);
    expect(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)).toBe(true);
    expect(isRetriable(ErrorCode.NOT_ENOUGH_REPLICAS)).toBe(true);
    expect(isRetriable(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(true);
    expect(isRetriable(ErrorCode.REBALANCE_IN_PROGRESS)).toBe(false);
    expect(isRetriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED)).toBe(false);
    expect(isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE)).toBe(false);
    expect(isRetriable(ErrorCode.UNKNOWN_SERVER_ERROR)).toBe(false);
    expect(ERRORS.filter((e) => e.retriable)).toHaveLength(31);
  });

  it('looks codes up, and says so for a code it does not know', () => {
    expect(errorInfo(3)).toMatchObject({ name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(errorName(36)).toBe('TOPIC_ALREADY_EXISTS');
    expect(errorName(999)).toBe('UNKNOWN_ERROR_CODE(999)');
    expect(isErrorCode(999)).toBe(false);
    expect(isRetriable(999)).toBe(false);
    expect(ERRORS.every((e) => e.code === 0 || e.message.length > 0)).toBe(true);
  });
});

describe('KafkaError', () => {
  it('carries its code, name, retriability and a default message', () => {
    const err = new KafkaError(ErrorCode.NOT_COORDINATOR);
    expect(err).toBeInstanceOf(Error);
    expect(err.errorCode).toBe(16);
    expect(err.errorName).toBe('NOT_COORDINATOR');
    expect(err.retriable).toBe(true);
    expect(err.message).toBe(errorInfo(16)!.message);
    expect(new KafkaError(ErrorCode.INVALID_CONFIG, 'retention.ms must be >= -1').message).toBe('retention.ms must be >= -1');
  });

  it('turns anything thrown into one response error code', () => {
    expect(errorCodeOf(new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS))).toBe(36);
    expect(errorCodeOf(new ProtocolError('bad', 35))).toBe(35);
    expect(errorCodeOf(new TypeError('bug'))).toBe(-1);
    expect(errorCodeOf('string')).toBe(-1);
  });
});
