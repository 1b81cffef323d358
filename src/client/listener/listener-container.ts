import { Logger } from '@nestjs/common';
import { OffsetCommitPolicy, type AckMode } from '../consumer/ack-modes';
import type { ConsumerOptions } from '../consumer/consumer-options';
import type { Deserializer } from '../consumer/deserializers';
import { RebalanceInProgressError } from '../consumer/offset-commits';
import { WakeupError, type ConsumerRebalanceListener } from '../consumer/kafka-consumer';
import { ClientClosedError, KafkaClientError } from '../errors';
import type { ListenerConsumer, ListenerConsumerFactory } from './container-options';
import { BatchListenerFailedError, DeserializationError, type CommonErrorHandler, type ErrorHandlerContext, type ErrorHandlingDecision, type FailedRecord } from './error-handler';
import type { ListenerSubscription } from './listener-endpoint';
import type { ListenerInvoker } from './listener-invoker';
import { topicPartitionKey, type Acknowledgment, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from './types';

/** Everything one child container needs, resolved by its concurrent parent. */
export interface ContainerSettings {
  readonly listenerId: string;
  readonly clientId: string;
  readonly groupId?: string;
  /** For explicit partitions: this child's share of them. */
  readonly subscription: ListenerSubscription;
  readonly batch: boolean;
  readonly ackMode: AckMode;
  readonly ackCount: number;
  readonly ackTimeMs: number;
  readonly pollTimeoutMs: number;
  readonly syncCommits: boolean;
  readonly asyncAcks: boolean;
  readonly shutdownTimeoutMs: number;
  /** Key and value deserializers are 'buffer': the container deserializes, keeping the bytes for dead letters. */
  readonly consumerOptions: ConsumerOptions<Buffer | null, Buffer | null>;
  readonly keyDeserializer: Deserializer;
  readonly valueDeserializer: Deserializer;
}

/** A fetched record, deserialized, with its bytes. */
interface InboundRecord extends FailedRecord {
  /** Why the key or value could not be deserialized. */
  readonly error?: DeserializationError;
}

/** How delivering one record ended, for the rest of the poll. */
type Outcome = 'done' | 'retry' | 'nack';

/** Waiting after a failure the error handler itself threw on: the record is delivered again. */
const ERROR_HANDLER_FAILED_DELAY_MS = 1000;
/** Between attempts after an unexpected poll failure. */
const POLL_FAILURE_DELAY_MS = 1000;

/**
 * Spring Kafka's KafkaMessageListenerContainer: one consumer and its poll loop. Each
 * iteration polls (kafka.listener.poll-timeout), hands the records to the listener one
 * by one (or as one batch), and commits per the ack mode through OffsetCommitPolicy.
 * The consumer's heartbeats run on their own timer, so a slow listener stays in the
 * group within max.poll.interval.ms.
 *
 * A failing record is handed to the error handler. Retrying never sleeps inside the
 * loop: the container seeks back to the record and pauses its partition for the
 * back-off interval while it keeps polling (Spring's pausing back-off), so the other
 * partitions go on and max.poll.interval.ms is never exceeded, however long the
 * interval. Records after it in the same partition wait for the redelivery.
 *
 * Stopping lets the record in progress finish, seeks back over the rest of the poll,
 * commits what was processed and closes the consumer (LeaveGroup for a dynamic member).
 */
export class KafkaMessageListenerContainer {
  private readonly logger: Logger;
  private readonly context: ErrorHandlerContext;
  private consumer: ListenerConsumer | null = null;
  private loop: Promise<void> | null = null;
  private policy: OffsetCommitPolicy;
  private commitsEnabled = false;
  private running = false;
  private stopRequested = false;
  private pauseRequested = false;
  private consumerPaused = false;
  private inPoll = false;
  /** Partitions paused while a failed record waits for its retry: partition key → when to resume. */
  private readonly backOffPauses = new Map<string, { tp: TopicPartition; until: number }>();
  /** Commits refused while the group rebalanced, retried once it is stable (or at revocation). */
  private readonly refusedCommits = new Map<string, TopicPartitionOffset>();
  /** MANUAL_IMMEDIATE commits acknowledged while a poll ran: committed when it returns. */
  private deferredAcks: TopicPartitionOffset[] = [];
  private immediateCommits: Promise<void> = Promise.resolve();
  private wakeSleep: () => void = () => undefined;

  constructor(
    readonly settings: ContainerSettings,
    private readonly invoker: ListenerInvoker,
    private readonly errorHandler: CommonErrorHandler,
    private readonly consumerFactory: ListenerConsumerFactory,
  ) {
    this.logger = new Logger(`KafkaMessageListenerContainer ${settings.clientId}`);
    this.context = { listenerId: settings.listenerId, clientId: settings.clientId, groupId: settings.groupId };
    this.policy = this.newPolicy();
  }

  get clientId(): string {
    return this.settings.clientId;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** stop() was called and the consumer is not closed yet (the record in progress is finishing). */
  isStopping(): boolean {
    return this.running && this.stopRequested;
  }

  /** Whether pause() was called (and resume() not since). */
  isPauseRequested(): boolean {
    return this.pauseRequested;
  }

  /** Whether the consumer's partitions are actually paused now. */
  isContainerPaused(): boolean {
    return this.pauseRequested && this.consumerPaused;
  }

  /** The partitions the consumer owns now. */
  assignedPartitions(): TopicPartition[] {
    return this.consumer?.assignment() ?? [];
  }

  /**
   * Creates the consumer, subscribes and starts the poll loop; resolves once the loop
   * runs (partitions come with the first polls). Throws when the consumer cannot be
   * built or cannot subscribe.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const consumer = this.consumerFactory({ ...this.settings.consumerOptions });
    const subscription = this.settings.subscription;
    try {
      if (subscription.kind === 'topics') consumer.subscribe(subscription.topics, this.rebalanceListener(consumer));
      else if (subscription.kind === 'pattern') consumer.subscribe(subscription.pattern, this.rebalanceListener(consumer));
    } catch (err) {
      await consumer.close(0).catch(() => undefined);
      throw err;
    }
    this.consumer = consumer;
    this.policy = this.newPolicy();
    // Spring's containers commit themselves unless enable.auto.commit was set explicitly; without a group there is nothing to commit to.
    this.commitsEnabled = !consumer.options.enableAutoCommit && consumer.options.groupId !== null;
    this.stopRequested = false;
    this.running = true;
    this.loop = this.run(consumer);
  }

  /**
   * Lets the record in progress finish, commits, closes the consumer. Waits at most
   * shutdownTimeoutMs for the listener; then the consumer is closed regardless (the
   * record in progress is then not committed, and is delivered again elsewhere).
   */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!this.running || loop === null) return;
    this.stopRequested = true;
    this.consumer?.wakeup();
    this.wakeSleep();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      loop.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.settings.shutdownTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn(`The listener did not return within ${this.settings.shutdownTimeoutMs} ms of stop(); closing the consumer anyway`);
      const consumer = this.consumer;
      this.running = false;
      this.consumer = null;
      await consumer?.close(0).catch(() => undefined);
    }
  }

  /** Pauses every owned partition after the current poll; the consumer keeps polling (and its group membership). */
  pause(): void {
    this.pauseRequested = true;
    this.consumer?.wakeup();
  }

  resume(): void {
    this.pauseRequested = false;
    this.consumer?.wakeup();
  }

  /** Acknowledgment.acknowledge() of records this container delivered. */
  acknowledge(records: readonly ConsumerRecord[]): void {
    if (!this.commitsEnabled) return;
    const offsets = this.policy.acknowledge(records);
    if (offsets.length === 0) return;
    if (this.inPoll) {
      this.deferredAcks.push(...offsets);
      return;
    }
    this.immediateCommits = this.immediateCommits.then(() => this.commit(offsets));
  }

  // ---- the poll loop ----

  private async run(consumer: ListenerConsumer): Promise<void> {
    try {
      if (this.settings.subscription.kind === 'partitions') await this.assignPartitions(consumer, this.settings.subscription.partitions);
      while (!this.stopRequested) {
        try {
          await this.pollAndInvoke(consumer);
        } catch (err) {
          if (this.stopRequested) break;
          if (err instanceof KafkaClientError && !err.retriable) {
            this.logger.error(`Fatal consumer error, stopping the container: ${err.message}`);
            break;
          }
          this.logger.error(`Consumer error; polling again in ${POLL_FAILURE_DELAY_MS} ms: ${err instanceof Error ? err.message : String(err)}`);
          await this.sleep(POLL_FAILURE_DELAY_MS);
        }
      }
    } catch (err) {
      this.logger.error(`The container stopped on an unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      await this.wrapUp(consumer);
    }
  }

  private async pollAndInvoke(consumer: ListenerConsumer): Promise<void> {
    this.applyPauses(consumer);
    let fetched: ConsumerRecord<Buffer | null, Buffer | null>[];
    this.inPoll = true;
    try {
      fetched = await consumer.poll(this.pollTimeout());
    } catch (err) {
      if (err instanceof WakeupError) return;
      throw err;
    } finally {
      this.inPoll = false;
    }
    await this.commitDeferredAcks();
    await this.retryRefusedCommits(consumer);
    if (this.stopRequested) {
      this.seekBack(consumer, fetched);
      return;
    }
    if (fetched.length === 0) {
      await this.commit(this.policy.tick());
      return;
    }
    const inbound = fetched.map((r) => this.decode(r));
    if (this.settings.batch) await this.invokeBatchListener(consumer, inbound);
    else await this.invokeRecordListener(consumer, inbound);
    await this.immediateCommits;
    await this.commit(this.policy.batchDone());
  }

  private async invokeRecordListener(consumer: ListenerConsumer, inbound: readonly InboundRecord[]): Promise<void> {
    const waiting = new Set<string>();
    for (let i = 0; i < inbound.length; i++) {
      const { record } = inbound[i];
      if (waiting.has(topicPartitionKey(record))) continue;
      if (this.stopRequested) {
        this.seekBack(
          consumer,
          inbound.slice(i).map((r) => r.record),
          waiting,
        );
        return;
      }
      const outcome = await this.deliverRecord(consumer, inbound[i]);
      if (outcome === 'retry') waiting.add(topicPartitionKey(record));
      if (outcome === 'nack') {
        this.seekBack(
          consumer,
          inbound.slice(i).map((r) => r.record),
          waiting,
        );
        return;
      }
    }
  }

  private async deliverRecord(consumer: ListenerConsumer, inbound: InboundRecord): Promise<Outcome> {
    const { record } = inbound;
    this.policy.recordDelivered(record);
    const acknowledgment = this.policy.manual ? new ContainerAcknowledgment(this, [record]) : undefined;
    let failure: Error | undefined;
    try {
      if (inbound.error) throw inbound.error;
      await this.invoker.invokeRecord(record, { acknowledgment, groupId: this.settings.groupId });
    } catch (err) {
      failure = asError(err);
    }
    acknowledgment?.close();
    await this.immediateCommits;
    if (failure) {
      const decision = await this.decide(() => this.errorHandler.handleRecord(failure, inbound, this.context));
      if (decision.retry) {
        this.seekTo(consumer, record, record.offset);
        this.pauseFor(consumer, [record], decision.delayMs);
        return 'retry';
      }
      await this.markDone([record]);
      return 'done';
    }
    if (acknowledgment?.nackSleepMs !== undefined) {
      this.pauseFor(consumer, consumer.assignment(), acknowledgment.nackSleepMs);
      return 'nack';
    }
    await this.commit(this.policy.recordProcessed(record));
    return 'done';
  }

  /**
   * The poll's records as batches. A record that cannot be deserialized never reaches
   * the listener: the records before it form one batch, it goes to the error handler on
   * its own (straight to the recoverer: retrying cannot help), the rest form the next.
   */
  private async invokeBatchListener(consumer: ListenerConsumer, inbound: readonly InboundRecord[]): Promise<void> {
    let start = 0;
    while (start < inbound.length) {
      const rest = (from: number) => inbound.slice(from).map((r) => r.record);
      if (this.stopRequested) {
        this.seekBack(consumer, rest(start));
        return;
      }
      let end = start;
      while (end < inbound.length && inbound[end].error === undefined) end++;
      if (end > start) {
        const positioned = await this.deliverBatch(consumer, inbound.slice(start, end));
        if (positioned !== null) {
          this.seekBack(consumer, rest(end), positioned);
          return;
        }
      }
      if (end < inbound.length) {
        const undecodable = inbound[end];
        this.policy.recordDelivered(undecodable.record);
        const decision = await this.decide(() => this.errorHandler.handleRecord(undecodable.error!, undecodable, this.context));
        if (decision.retry) {
          this.seekBack(consumer, rest(end));
          this.pauseFor(consumer, [undecodable.record], decision.delayMs);
          return;
        }
        await this.markDone([undecodable.record]);
        end++;
      }
      start = end;
    }
  }

  /**
   * Runs the listener on a batch. Null when the rest of the poll may follow; otherwise
   * the rest must be delivered again, and the partitions already positioned for that
   * (by their failed or nacked records) are returned.
   */
  private async deliverBatch(consumer: ListenerConsumer, batch: readonly InboundRecord[]): Promise<Set<string> | null> {
    const records = batch.map((r) => r.record);
    this.policy.recordDelivered(records);
    const acknowledgment = this.policy.manual ? new ContainerAcknowledgment(this, records) : undefined;
    let failure: Error | undefined;
    try {
      await this.invoker.invokeBatch(records, { acknowledgment, groupId: this.settings.groupId });
    } catch (err) {
      failure = asError(err);
    }
    acknowledgment?.close();
    await this.immediateCommits;
    if (!failure) {
      if (acknowledgment?.nackSleepMs !== undefined) {
        const positioned = this.seekBack(consumer, records);
        this.pauseFor(consumer, consumer.assignment(), acknowledgment.nackSleepMs);
        return positioned;
      }
      await this.commit(this.policy.recordProcessed(records));
      return null;
    }

    const failedAt = failure instanceof BatchListenerFailedError ? failure.indexIn(records) : -1;
    if (failedAt >= 0) {
      // Spring: the records before the failed one are done and committed; the failed one is retried on its own.
      await this.markDone(records.slice(0, failedAt));
      const cause = failure.cause instanceof Error ? failure.cause : failure;
      const failed = batch[failedAt];
      const decision = await this.decide(() => this.errorHandler.handleRecord(cause, failed, this.context));
      if (decision.retry) {
        const positioned = this.seekBack(consumer, records.slice(failedAt));
        this.pauseFor(consumer, [failed.record], decision.delayMs);
        return positioned;
      }
      await this.markDone([failed.record]);
      return this.seekBack(consumer, records.slice(failedAt + 1));
    }

    const decision = await this.decide(() => this.errorHandler.handleBatch(failure, batch, this.context));
    if (decision.retry) {
      const positioned = this.seekBack(consumer, records);
      this.pauseFor(consumer, records, decision.delayMs);
      return positioned;
    }
    await this.markDone(records);
    return null;
  }

  /** The error handler's decision; if it throws, the records are delivered again after a while rather than lost. */
  private async decide(handle: () => Promise<ErrorHandlingDecision>): Promise<ErrorHandlingDecision> {
    try {
      return await handle();
    } catch (err) {
      this.logger.error(`The error handler failed (${asError(err).message}); delivering the records again in ${ERROR_HANDLER_FAILED_DELAY_MS} ms`);
      return { retry: true, delayMs: ERROR_HANDLER_FAILED_DELAY_MS };
    }
  }

  /** Records processed or recovered: committed per the ack mode (under a manual mode, as acknowledged). */
  private async markDone(records: readonly ConsumerRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.policy.manual) {
      this.acknowledge(records);
      await this.immediateCommits;
    } else {
      await this.commit(this.policy.recordProcessed(records));
    }
  }

  private decode(fetched: ConsumerRecord<Buffer | null, Buffer | null>): InboundRecord {
    const { topic, headers } = fetched;
    let key: unknown;
    let value: unknown;
    let error: DeserializationError | undefined;
    try {
      key = this.settings.keyDeserializer(fetched.key, topic, headers);
    } catch (err) {
      error = new DeserializationError(true, fetched.key, err);
    }
    if (error === undefined) {
      try {
        value = this.settings.valueDeserializer(fetched.value, topic, headers);
      } catch (err) {
        error = new DeserializationError(false, fetched.value, err);
      }
    }
    const record: ConsumerRecord = {
      topic,
      partition: fetched.partition,
      offset: fetched.offset,
      timestamp: fetched.timestamp,
      timestampType: fetched.timestampType,
      key,
      value,
      headers,
      leaderEpoch: fetched.leaderEpoch,
    };
    return { record, rawKey: fetched.key, rawValue: fetched.value, error };
  }

  // ---- positions and pauses ----

  private seekTo(consumer: ListenerConsumer, tp: TopicPartition, offset: number): void {
    consumer.seek(tp, offset);
    this.policy.rewind(tp, offset);
  }

  /**
   * Seeks each partition back to its first record among these, so they are delivered
   * again; `except` partitions are left alone. Returns every partition positioned now
   * or before (`except` included).
   */
  private seekBack(consumer: ListenerConsumer, records: readonly ConsumerRecord<unknown, unknown>[], except: ReadonlySet<string> = new Set()): Set<string> {
    const first = new Map<string, ConsumerRecord<unknown, unknown>>();
    for (const r of records) {
      const key = topicPartitionKey(r);
      if (except.has(key)) continue;
      const seen = first.get(key);
      if (seen === undefined || r.offset < seen.offset) first.set(key, r);
    }
    for (const r of first.values()) this.seekTo(consumer, r, r.offset);
    return new Set([...except, ...first.keys()]);
  }

  private pauseFor(consumer: ListenerConsumer, partitions: readonly TopicPartition[], delayMs: number): void {
    if (!(delayMs > 0)) return;
    const until = Date.now() + delayMs;
    const owned = new Set(consumer.assignment().map(topicPartitionKey));
    const toPause: TopicPartition[] = [];
    for (const { topic, partition } of partitions) {
      const key = topicPartitionKey({ topic, partition });
      if (!owned.has(key) || this.backOffPauses.get(key)?.until === until) continue;
      this.backOffPauses.set(key, { tp: { topic, partition }, until });
      toPause.push({ topic, partition });
    }
    if (toPause.length > 0) consumer.pause(toPause);
  }

  /** Resumes partitions whose back-off is over and carries out pause()/resume(). */
  private applyPauses(consumer: ListenerConsumer): void {
    const now = Date.now();
    const owned = consumer.assignment();
    const ownedKeys = new Set(owned.map(topicPartitionKey));
    const due: TopicPartition[] = [];
    for (const [key, pause] of this.backOffPauses) {
      if (pause.until > now && ownedKeys.has(key)) continue;
      this.backOffPauses.delete(key);
      if (ownedKeys.has(key)) due.push(pause.tp);
    }
    if (this.pauseRequested) {
      if (owned.length > 0) consumer.pause(owned);
      if (!this.consumerPaused) this.logger.log(`Paused ${owned.length} partition(s)`);
      this.consumerPaused = true;
      return;
    }
    if (this.consumerPaused) {
      consumer.resume(owned.filter((tp) => !this.backOffPauses.has(topicPartitionKey(tp))));
      this.consumerPaused = false;
      this.logger.log('Resumed');
      return;
    }
    if (due.length > 0) consumer.resume(due);
  }

  /** The poll timeout, shortened so a back-off pause ends on time. */
  private pollTimeout(): number {
    let timeout = this.settings.pollTimeoutMs;
    const now = Date.now();
    for (const { until } of this.backOffPauses.values()) timeout = Math.min(timeout, Math.max(0, until - now));
    return timeout;
  }

  // ---- commits ----

  private async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (offsets.length === 0 || !this.commitsEnabled || consumer === null) return;
    if (!this.settings.syncCommits) {
      consumer.commitAsync(offsets, (err) => {
        if (err) this.commitFailed(offsets, err);
      });
      return;
    }
    try {
      await consumer.commitSync(offsets);
    } catch (err) {
      this.commitFailed(offsets, err);
    }
  }

  private commitFailed(offsets: readonly TopicPartitionOffset[], err: unknown): void {
    if (err instanceof RebalanceInProgressError) {
      for (const o of offsets) {
        const key = topicPartitionKey(o);
        const refused = this.refusedCommits.get(key);
        if (refused === undefined || refused.offset < o.offset) this.refusedCommits.set(key, { topic: o.topic, partition: o.partition, offset: o.offset });
      }
      return;
    }
    if (err instanceof ClientClosedError && this.stopRequested) return;
    this.logger.warn(`Commit of ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')} failed: ${asError(err).message}`);
  }

  private async commitDeferredAcks(): Promise<void> {
    if (this.deferredAcks.length === 0) return;
    const offsets = this.deferredAcks;
    this.deferredAcks = [];
    this.immediateCommits = this.immediateCommits.then(() => this.commit(latestPerPartition(offsets)));
    await this.immediateCommits;
  }

  private async retryRefusedCommits(consumer: ListenerConsumer): Promise<void> {
    if (this.refusedCommits.size === 0) return;
    const owned = new Set(consumer.assignment().map(topicPartitionKey));
    const retry = [...this.refusedCommits.values()].filter((o) => owned.has(topicPartitionKey(o)));
    this.refusedCommits.clear();
    await this.commit(retry);
  }

  private takeRefusedCommits(partitions: readonly TopicPartition[]): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const tp of partitions) {
      const key = topicPartitionKey(tp);
      const refused = this.refusedCommits.get(key);
      if (refused) out.push(refused);
      this.refusedCommits.delete(key);
    }
    return out;
  }

  private rebalanceListener(consumer: ListenerConsumer): ConsumerRebalanceListener {
    const forget = (partitions: readonly TopicPartition[]) => {
      for (const tp of partitions) this.backOffPauses.delete(topicPartitionKey(tp));
      this.errorHandler.partitionsRevoked?.(this.context, partitions);
    };
    return {
      onPartitionsRevoked: async (partitions) => {
        // Spring commits what was processed before the partitions go (and they are gone once this returns).
        await this.immediateCommits;
        const pending = [...this.policy.revoke(partitions), ...this.takeRefusedCommits(partitions), ...this.takeDeferredAcks(partitions)];
        await this.commit(latestPerPartition(pending));
        forget(partitions);
        if (partitions.length > 0) this.logger.log(`Partitions revoked: ${partitions.map(describePartition).join(', ')}`);
      },
      onPartitionsLost: (partitions) => {
        this.policy.forget(partitions);
        this.takeRefusedCommits(partitions);
        this.takeDeferredAcks(partitions);
        forget(partitions);
        if (partitions.length > 0) this.logger.warn(`Partitions lost: ${partitions.map(describePartition).join(', ')}`);
      },
      onPartitionsAssigned: (partitions) => {
        if (this.pauseRequested && partitions.length > 0) consumer.pause(partitions);
        if (partitions.length > 0) this.logger.log(`Partitions assigned: ${partitions.map(describePartition).join(', ')}`);
      },
    };
  }

  private takeDeferredAcks(partitions: readonly TopicPartition[]): TopicPartitionOffset[] {
    const keys = new Set(partitions.map(topicPartitionKey));
    const taken = this.deferredAcks.filter((o) => keys.has(topicPartitionKey(o)));
    this.deferredAcks = this.deferredAcks.filter((o) => !keys.has(topicPartitionKey(o)));
    return taken;
  }

  // ---- start and stop ----

  /** Explicit assignment (topicPartitions): a negative initial offset counts back from the end of the partition, as in Spring. */
  private async assignPartitions(consumer: ListenerConsumer, partitions: readonly { topic: string; partition: number; initialOffset?: number }[]): Promise<void> {
    const fromEnd = partitions.filter((p) => p.initialOffset !== undefined && p.initialOffset < 0);
    let ends = new Map<string, number>();
    while (fromEnd.length > 0 && !this.stopRequested) {
      try {
        ends = new Map((await consumer.endOffsets(fromEnd)).map((o) => [topicPartitionKey(o), o.offset]));
        break;
      } catch (err) {
        this.logger.error(`Could not read the end offsets of the assigned partitions; trying again in ${POLL_FAILURE_DELAY_MS} ms: ${asError(err).message}`);
        await this.sleep(POLL_FAILURE_DELAY_MS);
      }
    }
    if (this.stopRequested) return;
    consumer.assign(
      partitions.map(({ topic, partition, initialOffset }) => {
        if (initialOffset === undefined) return { topic, partition };
        const offset = initialOffset >= 0 ? initialOffset : Math.max(0, (ends.get(topicPartitionKey({ topic, partition })) ?? 0) + initialOffset);
        return { topic, partition, offset };
      }),
    );
    this.logger.log(`Partitions assigned: ${partitions.map(describePartition).join(', ')}`);
  }

  private async wrapUp(consumer: ListenerConsumer): Promise<void> {
    try {
      await this.immediateCommits;
      await this.commitDeferredAcks();
      await this.commit(latestPerPartition([...this.policy.flush(), ...this.refusedCommits.values()]));
      this.refusedCommits.clear();
    } catch (err) {
      this.logger.warn(`Final commit failed: ${asError(err).message}`);
    }
    await consumer.close().catch((err) => this.logger.warn(`Closing the consumer failed: ${asError(err).message}`));
    this.backOffPauses.clear();
    this.consumerPaused = false;
    if (this.consumer === consumer) this.consumer = null;
    this.running = false;
    this.loop = null;
  }

  private newPolicy(): OffsetCommitPolicy {
    const s = this.settings;
    return new OffsetCommitPolicy({ ackMode: s.ackMode, ackCount: s.ackCount, ackTimeMs: s.ackTimeMs, asyncAcks: s.asyncAcks });
  }

  /** A wait that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleep = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleep = done;
    });
  }
}

/**
 * The Acknowledgment a listener gets under a manual ack mode. acknowledge() may be
 * called at any time, even after the listener returned (async work); nack() only while
 * the listener runs, as Spring requires it on the consumer thread.
 */
class ContainerAcknowledgment implements Acknowledgment {
  nackSleepMs: number | undefined;
  private open = true;

  constructor(
    private readonly container: KafkaMessageListenerContainer,
    private readonly records: readonly ConsumerRecord[],
  ) {}

  acknowledge(): void {
    this.container.acknowledge(this.records);
  }

  nack(sleepMs: number): void {
    if (!this.open) throw new Error('nack() must be called before the listener returns');
    if (!Number.isFinite(sleepMs) || sleepMs < 0) throw new RangeError(`nack(sleepMs) needs a number of milliseconds >= 0, not ${sleepMs}`);
    this.nackSleepMs = sleepMs;
  }

  close(): void {
    this.open = false;
  }
}

function latestPerPartition(offsets: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
  const latest = new Map<string, TopicPartitionOffset>();
  for (const o of offsets) {
    const key = topicPartitionKey(o);
    const seen = latest.get(key);
    if (seen === undefined || seen.offset < o.offset) latest.set(key, o);
  }
  return [...latest.values()];
}

function describePartition(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
