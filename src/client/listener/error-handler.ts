import { Logger } from '@nestjs/common';
import { BACK_OFF_STOP, backOffFrom, type BackOff, type BackOffExecution } from './backoff';
import { topicPartitionKey, type ConsumerRecord, type TopicPartition } from './types';

/** A record the listener failed on, with its bytes as fetched (what a dead-letter record carries). */
export interface FailedRecord {
  /** Key and value deserialized; undefined where deserialization itself failed. */
  readonly record: ConsumerRecord;
  readonly rawKey: Buffer | null;
  readonly rawValue: Buffer | null;
}

/** Which container met the failure: retries are counted per consumer, as Spring counts them per consumer thread. */
export interface ErrorHandlerContext {
  readonly listenerId: string;
  /** The consumer's client.id, unique per child container. */
  readonly clientId: string;
  readonly groupId?: string;
}

/** Spring's ConsumerRecordRecoverer: what to do with a record once its retries are used up. */
export type ConsumerRecordRecoverer = (failed: FailedRecord, error: Error, context: ErrorHandlerContext) => void | Promise<void>;

/**
 * What the container does after a failure: deliver the failed record (or batch) again
 * after `delayMs` — the container seeks back to it and pauses its partitions for the
 * delay, polling on so the group keeps it — or count it processed (it was recovered)
 * and move on.
 */
export type ErrorHandlingDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/**
 * Spring's CommonErrorHandler, reduced to decisions: the container owns the consumer
 * and carries out seeks, pauses and commits; the handler decides and recovers.
 */
export interface CommonErrorHandler {
  /** A record listener threw for `failed` (or it could not be deserialized). */
  handleRecord(error: Error, failed: FailedRecord, context: ErrorHandlerContext): Promise<ErrorHandlingDecision>;
  /** A batch listener threw for the whole batch (records in delivery order). */
  handleBatch(error: Error, failed: readonly FailedRecord[], context: ErrorHandlerContext): Promise<ErrorHandlingDecision>;
  /** These partitions left the consumer: forget their failures (their new owner starts counting afresh). */
  partitionsRevoked?(context: ErrorHandlerContext, partitions: readonly TopicPartition[]): void;
}

/**
 * A record's key or value could not be deserialized (Spring's DeserializationException,
 * as its ErrorHandlingDeserializer reports it). Retrying cannot help: the record goes
 * straight to the recoverer.
 */
export class DeserializationError extends Error {
  override readonly name = 'DeserializationError';
  constructor(
    readonly isKey: boolean,
    readonly data: Buffer | null,
    cause: unknown,
  ) {
    super(`failed to deserialize the ${isKey ? 'key' : 'value'}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Thrown by a batch listener to say which record failed (Spring's
 * BatchListenerFailedException): records before it count as processed and are
 * committed, the failed one is retried and recovered on its own, and those after it
 * are delivered again. `at` is the record's index in the batch, or the record itself.
 */
export class BatchListenerFailedError extends Error {
  override readonly name = 'BatchListenerFailedError';
  constructor(
    message: string,
    readonly at: number | ConsumerRecord,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The index of the failed record in `batch`, or -1 when it is not there. */
  indexIn(batch: readonly ConsumerRecord[]): number {
    const at = this.at;
    if (typeof at === 'number') return Number.isInteger(at) && at >= 0 && at < batch.length ? at : -1;
    return batch.findIndex((r) => r === at || (r.topic === at.topic && r.partition === at.partition && r.offset === at.offset));
  }
}

type ErrorClass = abstract new (...args: any[]) => Error;

export interface DefaultErrorHandlerSettings {
  /** Retries and their intervals; FixedBackOff(0, 9) by default, as Spring's. */
  readonly backOff?: BackOff;
  /** Called once retries are exhausted; without one the record is logged and skipped. */
  readonly recoverer?: ConsumerRecordRecoverer;
  /**
   * How long to wait before delivering a record again when the recoverer itself failed
   * (the record is then retried and recovery tried again, never dropped). 1000 ms.
   */
  readonly recoveryFailedDelayMs?: number;
}

/** Spring's default classification: errors that no retry can fix. */
const DEFAULT_NOT_RETRYABLE: readonly ErrorClass[] = [DeserializationError];

interface FailureState {
  readonly offset: number;
  readonly execution: BackOffExecution;
  deliveries: number;
}

/**
 * Spring Kafka's DefaultErrorHandler: a failed record is delivered again (the container
 * seeks back to it) after each interval of the back-off; when the back-off says stop,
 * the recoverer gets it (DeadLetterPublishingRecoverer publishes it to `{topic}.DLT`)
 * and the container commits past it, so one poison record never blocks its partition.
 * Errors classified not retryable (DeserializationError by default) skip the retries.
 *
 * Failures are tracked per consumer and partition, by offset: another offset failing
 * on the partition starts a new count, as Spring's FailedRecordTracker does. A batch is
 * tracked by its first record, and recovered record by record.
 */
export class DefaultErrorHandler implements CommonErrorHandler {
  private readonly logger = new Logger('DefaultErrorHandler');
  private readonly backOff: BackOff;
  private readonly recoverer: ConsumerRecordRecoverer;
  private readonly recoveryFailedDelayMs: number;
  private readonly notRetryable = new Set<ErrorClass>(DEFAULT_NOT_RETRYABLE);
  private readonly failures = new Map<string, FailureState>();

  constructor(settings: DefaultErrorHandlerSettings = {}) {
    this.backOff = settings.backOff ?? backOffFrom(undefined);
    this.recoverer = settings.recoverer ?? ((failed, error) => this.logAndSkip(failed, error));
    this.recoveryFailedDelayMs = settings.recoveryFailedDelayMs ?? 1000;
  }

  /** Errors of these classes (or subclasses) go to the recoverer at once (Spring's addNotRetryableExceptions). */
  addNotRetryableErrors(...classes: ErrorClass[]): this {
    for (const c of classes) this.notRetryable.add(c);
    return this;
  }

  /** Undoes a not-retryable classification, DeserializationError's included (Spring's removeClassification). */
  removeClassification(errorClass: ErrorClass): this {
    this.notRetryable.delete(errorClass);
    return this;
  }

  isRetryable(error: Error): boolean {
    for (const c of this.notRetryable) if (error instanceof c) return false;
    return true;
  }

  /** How many times the record at this position has been delivered and failed, for this consumer. */
  deliveryAttempts(context: ErrorHandlerContext, record: ConsumerRecord): number {
    const state = this.failures.get(failureKey(context, record));
    return state !== undefined && state.offset === record.offset ? state.deliveries : 0;
  }

  async handleRecord(error: Error, failed: FailedRecord, context: ErrorHandlerContext): Promise<ErrorHandlingDecision> {
    return this.decide(error, failed.record, [failed], context);
  }

  async handleBatch(error: Error, failed: readonly FailedRecord[], context: ErrorHandlerContext): Promise<ErrorHandlingDecision> {
    if (failed.length === 0) return { retry: false };
    return this.decide(error, failed[0].record, failed, context);
  }

  partitionsRevoked(context: ErrorHandlerContext, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.failures.delete(failureKey(context, tp));
  }

  private async decide(error: Error, tracked: ConsumerRecord, toRecover: readonly FailedRecord[], context: ErrorHandlerContext): Promise<ErrorHandlingDecision> {
    const key = failureKey(context, tracked);
    let state = this.failures.get(key);
    if (state === undefined || state.offset !== tracked.offset) {
      state = { offset: tracked.offset, execution: this.backOff.start(), deliveries: 0 };
      this.failures.set(key, state);
    }
    state.deliveries++;
    const interval = this.isRetryable(error) ? state.execution.nextBackOff() : BACK_OFF_STOP;
    if (interval !== BACK_OFF_STOP) return { retry: true, delayMs: interval };
    try {
      for (const failed of toRecover) await this.recoverer(failed, error, context);
    } catch (recoveryError) {
      // Spring: the record is delivered again and recovery tried again; nothing is dropped.
      this.logger.error(
        `Recovery of ${describe(tracked)} for listener ${context.listenerId} failed (${messageOf(recoveryError)}); it will be delivered again in ${this.recoveryFailedDelayMs} ms`,
      );
      return { retry: true, delayMs: this.recoveryFailedDelayMs };
    }
    this.failures.delete(key);
    return { retry: false };
  }

  private logAndSkip(failed: FailedRecord, error: Error): void {
    this.logger.error(`Backoff exhausted for ${describe(failed.record)}; skipping it: ${error.stack ?? error.message}`);
  }
}

/** Whether module options name an error handler object rather than settings for the default one. */
export function isCommonErrorHandler(value: unknown): value is CommonErrorHandler {
  return typeof value === 'object' && value !== null && typeof (value as CommonErrorHandler).handleRecord === 'function' && typeof (value as CommonErrorHandler).handleBatch === 'function';
}

function failureKey(context: ErrorHandlerContext, tp: TopicPartition): string {
  return `${context.clientId}\u0000${topicPartitionKey(tp)}`;
}

export function describe(record: ConsumerRecord): string {
  return `${record.topic}-${record.partition}@${record.offset}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
