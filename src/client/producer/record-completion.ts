import { Logger } from '@nestjs/common';

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** -1 when acks=0: the broker does not say. */
  readonly offset: number;
  /** The record's create time, or the broker's append time on a LogAppendTime topic. */
  readonly timestamp: number;
}

/** Java's Callback.onCompletion, Node-style: an error, or the record's metadata. */
export type SendCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

/**
 * For a caller that builds its own result from where the record landed (KafkaTemplate's
 * SendResult): it is told the fields, so no RecordMetadata is made only to be copied.
 */
export interface RecordCompletion {
  onAcknowledged(topic: string, partition: number, offset: number, timestamp: number): void;
  onFailed(error: Error): void;
}

export type ResolveMetadata = (metadata: RecordMetadata) => void;
export type RejectSend = (error: Error) => void;

/** `mode` markers for the two receivers that are not a promise. */
export const VIA_CALLBACK = 1;
export const VIA_COMPLETION = 2;

/**
 * Who learns a record's outcome, as two values stored side by side in a batch's flat
 * array, so a record costs no closure or object of its own until it completes:
 *   promise:     receiver = its resolve, mode = its reject
 *   callback:    receiver = the SendCallback, mode = VIA_CALLBACK
 *   completion:  receiver = the RecordCompletion, mode = VIA_COMPLETION
 */
export type Receiver = ResolveMetadata | SendCallback | RecordCompletion;
export type ReceiverMode = RejectSend | typeof VIA_CALLBACK | typeof VIA_COMPLETION;

/** Tells a record's receiver where it was stored; a RecordMetadata is made only for a promise or a callback. */
export function deliverAcknowledged(receiver: Receiver, mode: ReceiverMode, topic: string, partition: number, offset: number, timestamp: number): void {
  if (typeof mode === 'function') {
    (receiver as ResolveMetadata)({ topic, partition, offset, timestamp });
    return;
  }
  try {
    if (mode === VIA_COMPLETION) (receiver as RecordCompletion).onAcknowledged(topic, partition, offset, timestamp);
    else (receiver as SendCallback)(null, { topic, partition, offset, timestamp });
  } catch (err) {
    callbackFailed(err, topic, partition);
  }
}

/** Tells a record's receiver that it failed. */
export function deliverFailed(receiver: Receiver, mode: ReceiverMode, error: Error, topic: string, partition: number): void {
  if (typeof mode === 'function') {
    mode(error);
    return;
  }
  try {
    if (mode === VIA_COMPLETION) (receiver as RecordCompletion).onFailed(error);
    else (receiver as SendCallback)(error, null);
  } catch (err) {
    callbackFailed(err, topic, partition);
  }
}

let logger: Logger | undefined;

/**
 * A callback that throws must not keep the other records of its batch from completing;
 * as in Java, the error is logged and the batch goes on.
 */
function callbackFailed(err: unknown, topic: string, partition: number): void {
  logger ??= new Logger('KafkaProducer');
  const where = partition >= 0 ? `topic-partition '${topic}-${partition}'` : `topic '${topic}'`;
  logger.error(`Error executing user-provided callback on message for ${where}`, err instanceof Error ? err.stack : String(err));
}
