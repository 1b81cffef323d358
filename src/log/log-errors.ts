/**
 * Typed errors of the storage layer, each carrying the Kafka error code the broker
 * answers with, so the broker maps them in one place without parsing messages.
 */
export abstract class LogError extends Error {
  abstract readonly errorCode: number;
}

/** OFFSET_OUT_OF_RANGE (1): a read or deleteRecords outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends LogError {
  override readonly name = 'OffsetOutOfRangeError';
  readonly errorCode = 1;
}

/** CORRUPT_MESSAGE (2): a batch handed to append() whose header does not hold together. */
export class CorruptRecordError extends LogError {
  override readonly name = 'CorruptRecordError';
  readonly errorCode = 2;
}

/** KAFKA_STORAGE_ERROR (56): the log dir failed an I/O operation and is offline. */
export class KafkaStorageError extends LogError {
  override readonly name = 'KafkaStorageError';
  readonly errorCode = 56;
  constructor(
    message: string,
    readonly logDir: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** RECORD_LIST_TOO_LARGE (18): an append that can never fit in one segment. */
export class RecordListTooLargeError extends LogError {
  override readonly name = 'RecordListTooLargeError';
  readonly errorCode = 18;
}
