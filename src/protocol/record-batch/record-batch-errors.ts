import { ProtocolError } from '../protocol-error';

/**
 * Kafka draws one line through bad batches and this file keeps it: a batch whose
 * framing or checksum is wrong is CORRUPT_MESSAGE (Kafka's CorruptRecordException);
 * a batch that checks out but whose records or counts make no sense is
 * INVALID_RECORD (InvalidRecordException).
 */
export const CORRUPT_MESSAGE = 2;
export const INVALID_RECORD = 87;

export const corruptBatch = (message: string): ProtocolError => new ProtocolError(message, CORRUPT_MESSAGE);
export const invalidRecord = (message: string): ProtocolError => new ProtocolError(message, INVALID_RECORD);
