import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BrokerConfig, MAX_DELAY_LEVELS } from '../../config/broker.config';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { encodeRecordBatch, type RecordInput } from '../../protocol/record-batch/record-batch-encoder';
import { clusterChangeOrPause, type DelayCluster, type ProduceResult } from './delay-cluster';
import { queueTopic } from './delay-queue-records';
import { DelayScheduler, type QueueStats } from './delay-scheduler';
import { latencySummary } from './latency-recorder';

export const DELAY_CLUSTER = Symbol('DELAY_CLUSTER');

/**
 * The delay schedulers' idempotent producer ids: 2^52 + queue, far above any id the
 * /latest_producer_id_block allocator hands out (it counts up from 0 in blocks of 1000), and
 * the same on every broker, so a scheduler that moves keeps its sequences at the targets.
 */
export const DELAY_PRODUCER_ID_BASE = 2 ** 52;

/** How often leadership of the delay topics is checked besides metadata changes. */
const RECONCILE_MS = 1000;

/** Queue append errors answered before anything was written: the append may be sent again. */
const NOT_APPENDED: ReadonlySet<number> = new Set([
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
]);

/** How long an append waits for news of a queue's leader before it is tried again. */
const ENQUEUE_RETRY_PAUSE_MS = 100;

export interface DelayQueueInfo {
  readonly topic: string;
  /** The broker leading the queue (running its scheduler), -1 when none. */
  readonly leader: number;
  /** Present when the broker that answered runs the queue's scheduler, or got them from the one that does. */
  readonly stats?: QueueStats;
  /** In a cluster-wide answer, why the stats are missing (no leader, leader unreachable). */
  readonly error?: string;
}

/** Delivery lateness (ms) over the last deliveries of one broker's schedulers. */
export interface BrokerLateness {
  readonly brokerId: number;
  readonly samples: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface DelayStats {
  readonly enabled: boolean;
  readonly brokerId: number;
  readonly levels: ReadonlyArray<DelayQueueInfo & { readonly level: number; readonly delayMs: number }>;
  readonly schedule: DelayQueueInfo;
  /** Levels no longer in delay.levels whose queue topics still exist: their leaders drain them. */
  readonly retiredLevels: ReadonlyArray<DelayQueueInfo & { readonly level: number }>;
  /**
   * Per broker, never merged (percentiles of different brokers cannot be averaged): here this
   * broker's; a cluster-wide answer adds each leader that answered.
   */
  readonly lateness: readonly BrokerLateness[];
}

/**
 * Delayed messages (RocketMQ's two designs over Kafka's logs): the Produce path hands held
 * records to enqueue(); each delay topic's leader runs a DelayScheduler that delivers them
 * when due. Schedulers follow leadership of the delay topics: one starts when this broker
 * becomes leader (of a new epoch) and stops when it is not any more.
 */
@Injectable()
export class DelayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DelayService');
  private readonly schedulers = new Map<number, DelayScheduler>();
  readonly levelsMs: readonly number[];
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private topicsReady = false;
  private stopped = false;
  now: () => number = Date.now;

  constructor(
    private readonly config: BrokerConfig,
    @Inject(DELAY_CLUSTER) private readonly cluster: DelayCluster,
  ) {
    this.levelsMs = config.delayLevelsMs;
  }

  get enabled(): boolean {
    return this.config.delayEnable;
  }

  /** Queue numbers: 0 the deliver-at heap, then the configured levels. */
  private get queues(): number[] {
    return Array.from({ length: this.levelsMs.length + 1 }, (_, i) => i);
  }

  /**
   * Every queue a scheduler may run for: a level dropped from delay.levels still has its
   * topic and perhaps held records (each carries its due time), so it is drained too.
   */
  private get possibleQueues(): number[] {
    return Array.from({ length: MAX_DELAY_LEVELS + 1 }, (_, i) => i);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.unsubscribe = this.cluster.onChange(() => this.reconcile());
    this.timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.timer.unref();
    this.reconcile();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    for (const scheduler of this.schedulers.values()) scheduler.stop();
    this.schedulers.clear();
  }

  /**
   * Appends held records to their queues with the producer's acks, and answers once all are
   * in. A batch whose records span several queues cannot be appended atomically, and a
   * producer retries the whole batch after an error: a failure after some queues took their
   * records would queue those twice. So nothing is appended before every queue it needs has
   * a leader (a broker just started is still creating them), and an append refused before
   * anything was written (no leader, not the leader, not enough replicas) is sent again,
   * alone, until `timeoutMs` runs out. Only what fails otherwise, or past the deadline, is
   * the answer (see README).
   */
  async enqueue(byQueue: ReadonlyMap<number, RecordInput[]>, acks: number, timeoutMs: number): Promise<ProduceResult> {
    const deadline = Date.now() + timeoutMs;
    if (!this.topicsReady) await this.ensureTopics();
    const topics = [...byQueue.keys()].map(queueTopic);
    while (topics.some((topic) => this.cluster.leaderOf(topic) < 0)) {
      if (Date.now() >= deadline) return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, errorMessage: `delay queues without a leader yet: ${topics.filter((t) => this.cluster.leaderOf(t) < 0).join(', ')}`, baseOffset: -1 };
      await clusterChangeOrPause(this.cluster, ENQUEUE_RETRY_PAUSE_MS, deadline);
    }
    let appends = [...byQueue].flatMap(([queue, records]) => batchesWithin(records, this.config.messageMaxBytes).map((batch) => ({ topic: queueTopic(queue), batch })));
    try {
      for (;;) {
        const results = await Promise.all(appends.map((a) => this.cluster.produce(a.topic, 0, a.batch, acks, Math.max(1, deadline - Date.now()))));
        const failed = results.find((r) => r.errorCode !== ErrorCode.NONE && !NOT_APPENDED.has(r.errorCode));
        if (failed) return failed;
        const again = appends.filter((_, i) => results[i].errorCode !== ErrorCode.NONE);
        if (again.length === 0) return { errorCode: ErrorCode.NONE, baseOffset: -1 };
        if (Date.now() >= deadline) return results.find((r) => r.errorCode !== ErrorCode.NONE)!;
        await clusterChangeOrPause(this.cluster, ENQUEUE_RETRY_PAUSE_MS, deadline);
        appends = again;
      }
    } finally {
      for (const queue of byQueue.keys()) this.schedulers.get(queue)?.wake();
    }
  }

  /** Held records were appended to `topic` through this broker (forwarded by another one). */
  wake(topic: string): void {
    for (const [queue, scheduler] of this.schedulers) if (queueTopic(queue) === topic) scheduler.wake();
  }

  /** Every queue with its leader; stats for the queues whose scheduler this broker runs. */
  stats(): DelayStats {
    const info = (queue: number): DelayQueueInfo => {
      const topic = queueTopic(queue);
      const stats = this.schedulers.get(queue)?.stats();
      return stats ? { topic, leader: this.cluster.leaderOf(topic), stats } : { topic, leader: this.cluster.leaderOf(topic) };
    };
    const retired = this.possibleQueues.filter((q) => q > this.levelsMs.length && (this.schedulers.has(q) || this.cluster.partitionCount(queueTopic(q)) > 0));
    const brokerId = this.config.brokerId;
    return {
      enabled: this.enabled,
      brokerId,
      levels: this.levelsMs.map((delayMs, i) => ({ level: i + 1, delayMs, ...info(i + 1) })),
      schedule: info(0),
      retiredLevels: retired.map((level) => ({ level, ...info(level) })),
      lateness: [{ brokerId, ...latencySummary([...this.schedulers.values()].map((s) => s.lateness)) }],
    };
  }

  /** Starts schedulers for the queues this broker now leads, stops those it no longer leads. */
  reconcile(): void {
    if (this.stopped) return;
    if (!this.topicsReady) void this.ensureTopics();
    for (const queue of this.possibleQueues) {
      const topic = queueTopic(queue);
      const replica = this.cluster.ledQueue(topic);
      const running = this.schedulers.get(queue);
      if (running && (!replica || replica.leaderEpoch !== running.leaderEpoch)) {
        running.stop();
        this.schedulers.delete(queue);
        this.logger.log(`${topic}: scheduler stopped (leadership moved)`);
      }
      if (replica && !this.schedulers.has(queue)) {
        const scheduler = new DelayScheduler({
          queue,
          topic,
          replica,
          cluster: this.cluster,
          producerId: DELAY_PRODUCER_ID_BASE + queue,
          tickMs: this.config.delayTickMs,
          now: () => this.now(),
          logger: this.logger,
        });
        this.schedulers.set(queue, scheduler);
        this.logger.log(`${topic}: scheduler started in leader epoch ${replica.leaderEpoch}`);
        scheduler.start();
      }
    }
  }

  private ensuring: Promise<void> | undefined;
  private lastTopicWarning = '';


  private ensureTopics(): Promise<void> {
    this.ensuring ??= this.cluster
      .ensureTopics(this.queues.map(queueTopic))
      .then(() => void (this.topicsReady = true))
      .catch((error: unknown) => {
        // Tried again every second until enough brokers are up: said once per distinct reason.
        const reason = `delay topics not created yet: ${error instanceof Error ? error.message : error}`;
        if (reason !== this.lastTopicWarning) this.logger.warn(reason);
        this.lastTopicWarning = reason;
      })
      .finally(() => (this.ensuring = undefined));
    return this.ensuring;
  }
}

/**
 * The held records as batches the queue accepts (message.max.bytes): a produced batch near
 * the limit grows by the two headers each held record carries, so it is halved until it fits.
 */
function batchesWithin(records: readonly RecordInput[], maxBytes: number): Buffer[] {
  const batch = encodeRecordBatch(records);
  if (batch.length <= maxBytes || records.length === 1) return [batch];
  const half = Math.ceil(records.length / 2);
  return [...batchesWithin(records.slice(0, half), maxBytes), ...batchesWithin(records.slice(half), maxBytes)];
}
