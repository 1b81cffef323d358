import { ErrorCode, InitProducerIdApi, ProduceApi, type ProduceRequest, type ProduceResponse } from '../../protocol';
import type { KafkaCluster } from '../cluster/kafka-cluster';
import { ClientClosedError, KafkaClientError, KafkaTimeoutError } from '../errors';
import type { BrokerConnection } from '../network/broker-connection';
import { backoffDelay, withRetries, type RetryPolicy } from '../retry';
import type { ProducerBatch } from './producer-batch';
import type { PartitionQueue, RecordAccumulator } from './record-accumulator';

export interface SenderOptions {
  /** -1 (all), 0 or 1. */
  readonly acks: -1 | 0 | 1;
  readonly requestTimeoutMs: number;
  readonly deliveryTimeoutMs: number;
  readonly retries: number;
  readonly retryPolicy: RetryPolicy;
  readonly maxInFlightRequestsPerConnection: number;
  readonly maxRequestSize: number;
  readonly idempotent: boolean;
}

/** Idempotent producers' sequence numbers wrap at Integer.MAX_VALUE, as in Kafka. */
const SEQUENCE_WRAP = 2147483648;
/** What a non-transactional producer sends as transaction.timeout.ms (Kafka's default; unused by the broker). */
const TRANSACTION_TIMEOUT_MS = 60_000;

type ProducerIdState = 'none' | 'initializing' | 'ready' | 'resetting';

/** Answers about the producer's sequence state rather than the batch itself. */
const SEQUENCE_ERRORS: ReadonlySet<number> = new Set([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, ErrorCode.UNKNOWN_PRODUCER_ID, ErrorCode.INVALID_PRODUCER_EPOCH]);

/** Whether a failed batch may still have been appended: it was sent and no answer came. */
function mayHaveBeenWritten(batch: ProducerBatch, err: Error): boolean {
  if (batch.attempts === 0) return false;
  const code = err instanceof KafkaClientError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
  return code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.REQUEST_TIMED_OUT || code === ErrorCode.UNKNOWN_SERVER_ERROR;
}

/**
 * Moves batches from the accumulator to the brokers (Kafka's Sender, without its own
 * thread: it runs on the event loop whenever something may have become sendable —
 * a batch filled up, linger.ms or a retry back-off ran out, a response freed an
 * in-flight slot, a connection or new metadata arrived).
 *
 * Each run sends at most one Produce request per leader, holding the head batch of each
 * of its partitions, while the connection has fewer than
 * max.in.flight.requests.per.connection requests waiting. Retriable errors put a batch
 * back at the front of its queue after a back-off, and error codes that mean stale
 * leadership refresh the metadata first, so the retry goes to the new leader.
 *
 * Idempotence: one producer id from InitProducerId; each batch gets the partition's
 * next sequence the first time it is drained and keeps it on every retry, so a batch
 * that was written but not acknowledged is recognized by the broker as a duplicate.
 * A retry is sent only once every batch before it is resolved and nothing of its
 * partition is in flight, so batches are written in order. A sequence gap that cannot
 * heal (a batch failed or expired after later ones were sent) makes the producer take a
 * new producer id once nothing is in flight, and the batches still queued are numbered
 * again from 0 — Kafka's epoch bump for idempotent producers.
 */
export class Sender {
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly connecting = new Set<number>();
  private producerId = -1;
  private producerEpoch = -1;
  private idState: ProducerIdState = 'none';
  private fatalError: Error | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly leaderOf: (topic: string, partition: number) => number;
  private readonly mayDrain = (queue: PartitionQueue, head: ProducerBatch): boolean => this.canDrain(queue, head);
  private readonly prepare = (queue: PartitionQueue, batch: ProducerBatch): void => this.assignSequence(queue, batch);
  private readonly run = (): void => this.runOnce();

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly accumulator: RecordAccumulator,
    private readonly options: SenderOptions,
  ) {
    this.leaderOf = (topic, partition) => cluster.leaderFor(topic, partition);
    cluster.onMetadataUpdate(() => this.wakeup());
  }

  /** The producer id and epoch in use (-1 before InitProducerId or without idempotence). */
  get producerIdAndEpoch(): { producerId: number; producerEpoch: number } {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  /** A failure that made the producer unusable (InitProducerId refused), if any. */
  get fatal(): Error | null {
    return this.fatalError;
  }

  /** Asks for a run soon; calls within one tick share it. */
  wakeup(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Stops sending; batches still queued or in flight are failed with `reason` by the caller. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
    clearTimeout(this.timer);
  }

  private runOnce(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const now = Date.now();
    this.expireBatches(now);
    if (this.fatalError) {
      for (const batch of this.accumulator.takeAllQueued()) this.failBatch(batch, this.fatalError);
      return;
    }
    if (this.options.idempotent && this.idState !== 'ready') {
      if (this.accumulator.hasQueued()) this.ensureProducerId();
      return;
    }
    const ready = this.accumulator.ready(now, this.leaderOf, this.mayDrain);
    if (ready.unknownLeaders) this.cluster.requestRefresh();
    let sent = false;
    for (const nodeId of ready.nodes) {
      const connection = this.cluster.readyConnection(nodeId);
      if (connection === undefined) {
        this.connect(nodeId);
        continue;
      }
      if (connection.inFlightCount >= this.options.maxInFlightRequestsPerConnection) continue;
      const batches = this.accumulator.drain(nodeId, now, this.options.maxRequestSize, this.leaderOf, this.mayDrain, this.prepare);
      if (batches.length === 0) continue;
      this.sendProduce(connection, batches);
      sent = true;
    }
    // One request per leader per run; more may be ready behind it.
    if (sent) this.wakeup();
    else this.scheduleRun(ready.nextReadyInMs);
  }

  private scheduleRun(delayMs: number): void {
    if (!Number.isFinite(delayMs) || this.stopped) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.wakeup();
    }, Math.max(0, delayMs));
  }

  private connect(nodeId: number): void {
    if (this.connecting.has(nodeId)) return;
    this.connecting.add(nodeId);
    this.cluster.connectionTo(nodeId).then(
      () => {
        this.connecting.delete(nodeId);
        this.wakeup();
      },
      () => {
        this.connecting.delete(nodeId);
        this.cluster.requestRefresh();
        this.scheduleRun(this.options.retryPolicy.backoffMs);
      },
    );
  }

  // ---- idempotence ----

  private canDrain(queue: PartitionQueue, head: ProducerBatch): boolean {
    if (!this.options.idempotent) return this.options.maxInFlightRequestsPerConnection > 1 || queue.inFlightBatches === 0;
    if (head.baseSequence >= 0 && head.producerId === this.producerId) {
      // A retry goes alone, and only once it is the oldest unresolved batch.
      return queue.inFlightBatches === 0 && queue.unresolved[0] === head;
    }
    return true;
  }

  private assignSequence(queue: PartitionQueue, batch: ProducerBatch): void {
    if (!this.options.idempotent) return;
    if (batch.baseSequence >= 0 && batch.producerId === this.producerId) return;
    batch.setProducerState(this.producerId, this.producerEpoch, queue.nextSequence);
    queue.nextSequence = (queue.nextSequence + batch.recordCount) % SEQUENCE_WRAP;
    queue.unresolved.push(batch);
  }

  private ensureProducerId(): void {
    if (this.idState === 'initializing') return;
    if (this.idState === 'resetting') {
      // New sequences start at 0 only once no batch numbered under the old id is in flight.
      for (const queue of this.accumulator.allPartitionQueues()) if (queue.inFlightBatches > 0) return;
    }
    const previous = { producerId: this.producerId, producerEpoch: this.producerEpoch };
    this.idState = 'initializing';
    withRetries(() => this.initProducerId(previous), {
      policy: this.options.retryPolicy,
      deadline: Date.now() + this.options.deliveryTimeoutMs,
      signal: this.abort.signal,
    }).then(
      ({ producerId, producerEpoch }) => {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        for (const queue of this.accumulator.allPartitionQueues()) {
          queue.nextSequence = 0;
          for (const batch of queue.unresolved) batch.baseSequence = -1;
          queue.unresolved.length = 0;
        }
        this.idState = 'ready';
        this.wakeup();
      },
      (err: unknown) => {
        if (this.stopped) return;
        if (err instanceof KafkaClientError && err.retriable) {
          // The cluster is unreachable for now: queued batches expire on their own
          // delivery timeout, and the next run asks again.
          this.idState = previous.producerId >= 0 ? 'resetting' : 'none';
          this.scheduleRun(this.options.retryPolicy.maxBackoffMs);
          return;
        }
        this.fatalError = err instanceof Error ? err : new Error(String(err));
        this.wakeup();
      },
    );
  }

  private async initProducerId(previous: { producerId: number; producerEpoch: number }): Promise<{ producerId: number; producerEpoch: number }> {
    const connection = await this.cluster.anyConnection();
    const version = connection.versionFor(InitProducerIdApi);
    const response = await connection.send(
      InitProducerIdApi,
      { transactionalId: null, transactionTimeoutMs: TRANSACTION_TIMEOUT_MS, producerId: previous.producerId, producerEpoch: previous.producerEpoch },
      { version },
    );
    if (response.errorCode !== ErrorCode.NONE) throw KafkaClientError.fromCode(response.errorCode, 'InitProducerId');
    return { producerId: response.producerId, producerEpoch: response.producerEpoch };
  }

  private requestProducerIdReset(): void {
    if (this.idState === 'ready') this.idState = 'resetting';
  }

  // ---- requests ----

  private sendProduce(connection: BrokerConnection, batches: ProducerBatch[]): void {
    const topicData: ProduceRequest['topicData'] = [];
    let current: ProduceRequest['topicData'][number] | undefined;
    for (const batch of batches) {
      batch.inFlight = true;
      batch.attempts++;
      this.accumulator.queue(batch.topic, batch.partition).inFlightBatches++;
      if (current === undefined || current.name !== batch.topic) {
        current = topicData.find((t) => t.name === batch.topic);
        if (current === undefined) {
          current = { name: batch.topic, partitionData: [] };
          topicData.push(current);
        }
      }
      current.partitionData.push({ index: batch.partition, records: batch.bytes });
    }
    const body: ProduceRequest = { transactionalId: null, acks: this.options.acks, timeoutMs: this.options.requestTimeoutMs, topicData };
    let version: number;
    try {
      version = connection.versionFor(ProduceApi);
    } catch (err) {
      this.onRequestFailed(batches, err);
      return;
    }
    if (this.options.acks === 0) {
      connection.send(ProduceApi, body, { version, noResponse: true }).then(
        () => {
          for (const batch of batches) this.completeBatch(batch, -1, -1);
          this.wakeup();
        },
        (err) => this.onRequestFailed(batches, err),
      );
      return;
    }
    connection.send(ProduceApi, body, { version }).then(
      (response) => this.onResponse(batches, response),
      (err) => this.onRequestFailed(batches, err),
    );
  }

  private onResponse(batches: ProducerBatch[], response: ProduceResponse): void {
    for (const batch of batches) {
      const topic = response.responses.find((t) => t.name === batch.topic);
      const answer = topic?.partitionResponses.find((p) => p.index === batch.partition);
      if (answer === undefined) {
        this.onBatchError(batch, new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, `Produce response has no answer for ${batch.topic}-${batch.partition}`, { retriable: true }));
      } else if (answer.errorCode === ErrorCode.NONE || answer.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        // A duplicate is a retry of a batch the broker already wrote: delivered.
        this.completeBatch(batch, answer.baseOffset, answer.logAppendTimeMs);
      } else {
        const detail = answer.errorMessage ?? answer.recordErrors[0]?.batchIndexErrorMessage ?? null;
        this.onBatchError(batch, KafkaClientError.fromCode(answer.errorCode, `Produce to ${batch.topic}-${batch.partition}`, detail));
      }
    }
    this.wakeup();
  }

  private onRequestFailed(batches: ProducerBatch[], err: unknown): void {
    const error = err instanceof KafkaClientError ? err : new KafkaClientError(ErrorCode.UNKNOWN_SERVER_ERROR, String((err as Error)?.message ?? err), { retriable: false, cause: err });
    for (const batch of batches) this.onBatchError(batch, error);
    this.wakeup();
  }

  private completeBatch(batch: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    this.leaveFlight(batch, queue);
    this.resolveSequence(batch, queue);
    this.accumulator.deallocate(batch);
    batch.complete(baseOffset, logAppendTime);
  }

  private onBatchError(batch: ProducerBatch, err: KafkaClientError): void {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    this.leaveFlight(batch, queue);
    this.cluster.handleErrorCode(err.code);
    if (this.mayRetry(batch, err, queue)) {
      batch.retryAt = Date.now() + backoffDelay(this.options.retryPolicy, batch.attempts - 1);
      this.accumulator.reenqueue(batch);
      this.scheduleRun(batch.retryAt - Date.now());
      return;
    }
    this.failBatch(batch, err);
  }

  private mayRetry(batch: ProducerBatch, err: KafkaClientError, queue: PartitionQueue): boolean {
    if (this.stopped || this.fatalError) return false;
    if (Date.now() - batch.createdMs >= this.options.deliveryTimeoutMs || batch.attempts > this.options.retries) return false;
    if (this.options.idempotent && batch.baseSequence >= 0 && SEQUENCE_ERRORS.has(err.code)) {
      // Numbered under a producer id since replaced: numbered again when drained.
      if (batch.producerId !== this.producerId) return true;
      // Out of order because an earlier batch is being retried: this one follows it.
      if (queue.unresolved[0] !== batch) return true;
      // The broker's view of this producer is gone or ahead: a new id, then numbered again.
      this.requestProducerIdReset();
      return true;
    }
    return err.retriable;
  }

  private failBatch(batch: ProducerBatch, err: Error): void {
    const queue = this.accumulator.queue(batch.topic, batch.partition);
    if (this.options.idempotent && batch.baseSequence >= 0 && batch.producerId === this.producerId) {
      const index = queue.unresolved.indexOf(batch);
      if (index >= 0) queue.unresolved.splice(index, 1);
      const last = index === queue.unresolved.length && queue.nextSequence === (batch.baseSequence + batch.recordCount) % SEQUENCE_WRAP;
      if (last && !mayHaveBeenWritten(batch, err)) {
        // Refused outright and nothing numbered after it: the next batch takes its sequences.
        queue.nextSequence = batch.baseSequence;
      } else {
        // A gap the broker will never see filled: start over under a new producer id.
        this.requestProducerIdReset();
      }
    }
    this.accumulator.deallocate(batch);
    batch.fail(err);
  }

  private leaveFlight(batch: ProducerBatch, queue: PartitionQueue): void {
    if (!batch.inFlight) return;
    batch.inFlight = false;
    queue.inFlightBatches--;
  }

  private resolveSequence(batch: ProducerBatch, queue: PartitionQueue): void {
    if (!this.options.idempotent || batch.baseSequence < 0 || batch.producerId !== this.producerId) return;
    const index = queue.unresolved.indexOf(batch);
    if (index >= 0) queue.unresolved.splice(index, 1);
  }

  private expireBatches(now: number): void {
    for (const batch of this.accumulator.expire(now, this.options.deliveryTimeoutMs)) {
      this.failBatch(
        batch,
        new KafkaTimeoutError(`Expiring ${batch.recordCount} record(s) for ${batch.topic}-${batch.partition}: ${now - batch.createdMs} ms has passed since batch creation (delivery.timeout.ms ${this.options.deliveryTimeoutMs})`),
      );
    }
  }

  /** Fails every queued batch (in-flight ones settle when their requests do). */
  failQueued(reason: Error = new ClientClosedError('the producer')): void {
    for (const batch of this.accumulator.takeAllQueued()) this.failBatch(batch, reason);
  }
}
