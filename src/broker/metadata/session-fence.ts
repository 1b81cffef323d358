import { Logger, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { METADATA_STORE } from '../../zk/metadata-store';
import type { MetadataStore } from '../../zk/metadata-store';
import { ZkPaths } from '../../zk/zk-paths';
import { MetadataCache } from './metadata-cache.service';

/** What the data path and the group coordinator ask before acting as leader or coordinator. */
export interface LeadershipFence {
  /** True while this broker must not act on the leaderships and groups it believes it holds. */
  readonly fenced: boolean;
}

export const LEADERSHIP_FENCE = Symbol('LEADERSHIP_FENCE');

/** The embedded store has no sessions to lose: a single node always holds what it holds. */
export const NEVER_FENCED: LeadershipFence = { fenced: false };

export interface SessionFenceOptions {
  localBrokerId: number;
  sessionTimeoutMs: number;
  /** Re-reads every partition state the broker acts on, so a lifted fence never meets a stale role. */
  resync: () => Promise<void>;
  now?: () => number;
  logger?: Pick<Logger, 'warn' | 'log'>;
}

/** How often the stall detector ticks: well under any session timeout, and cheap. */
const TICK_MS = 100;
/** Pause between checks of the session while fenced. */
const RETRY_MS = 100;

/**
 * A broker's leaderships and groups are valid only while its ZooKeeper session lives: once
 * the session expires, the controller hands them to others. A broker frozen past its
 * session (SIGSTOP, a suspended VM, a stop-the-world stall) wakes up with a stale view and
 * with requests queued in its sockets, and would serve them as a zombie leader until the
 * state-node watches catch up — Kafka's ZooKeeper-mode broker does exactly that. Data stays
 * safe (the zombie cannot move the high watermark or the ISR), but an idempotent producer
 * that followed the zombie's stale Metadata gets OUT_OF_ORDER_SEQUENCE_NUMBER from its stale
 * producer state, which librdkafka 2.0 treats as fatal.
 *
 * So the broker fences itself — produce answers NOT_LEADER_OR_FOLLOWER, group requests
 * NOT_COORDINATOR — from the moment it can know:
 *  - a stall longer than half the session timeout, noticed by the first check after it
 *    (after a resume libuv runs the pending socket callbacks before the timers, so the
 *    requests themselves check, not only the tick);
 *  - the store reporting the session expired.
 * It lifts the fence once a store round trip begun after fencing succeeds (the session is
 * alive, or a new one is up with the watches re-armed) and every partition state has been
 * read again. A false alarm (a stall the session survived) costs those round trips only.
 */
export class SessionFence implements LeadershipFence, OnModuleInit, OnModuleDestroy {
  private readonly now: () => number;
  private readonly stallLimitMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'log'>;
  private lastTick: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Bumped on each fencing, so a lift begun before a newer fencing does not lift it. */
  private generation = 0;
  private isFenced = false;
  private stopped = false;

  constructor(
    private readonly store: MetadataStore,
    private readonly options: SessionFenceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.stallLimitMs = options.sessionTimeoutMs / 2;
    this.logger = options.logger ?? new Logger('SessionFence');
    this.lastTick = this.now();
  }

  onModuleInit(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  start(): void {
    this.lastTick = this.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.unsubscribe = this.store.onSessionEvent((event) => {
      if (event.type === 'expired') this.fence(`its ZooKeeper session ${event.sessionId} expired`);
    });
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  get fenced(): boolean {
    this.tick();
    return this.isFenced;
  }

  private tick(): void {
    const now = this.now();
    const stalled = now - this.lastTick;
    this.lastTick = now;
    if (stalled > this.stallLimitMs) this.fence(`the process stalled for ${stalled} ms, past half its ZooKeeper session timeout`);
  }

  private fence(reason: string): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    if (!this.isFenced) this.logger.warn(`broker ${this.options.localBrokerId} fenced: ${reason}; it leads and coordinates nothing until its session and metadata are confirmed`);
    this.isFenced = true;
    void this.liftWhenConfirmed(generation);
  }

  private async liftWhenConfirmed(generation: number): Promise<void> {
    while (!this.stopped && generation === this.generation) {
      try {
        // Registration is re-created with a new session before the store reports it, so
        // finding it proves the session behind every later read is a live one.
        if ((await this.store.exists(ZkPaths.broker(this.options.localBrokerId))) !== null) {
          await this.options.resync();
          if (generation !== this.generation || this.stopped) return;
          this.isFenced = false;
          this.logger.log(`broker ${this.options.localBrokerId} unfenced: session and partition states confirmed`);
          return;
        }
      } catch {
        // The old session's calls fail once it is known to be expired; the next try uses the new one.
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/** The broker's fence: a SessionFence on ZooKeeper, none on the embedded store. */
export const SESSION_FENCE_PROVIDER: Provider = {
  provide: LEADERSHIP_FENCE,
  inject: [METADATA_STORE, BrokerConfig, MetadataCache],
  useFactory: (store: MetadataStore, config: BrokerConfig, cache: MetadataCache): LeadershipFence =>
    config.usesEmbeddedStore
      ? NEVER_FENCED
      : new SessionFence(store, { localBrokerId: config.brokerId, sessionTimeoutMs: config.zookeeperSessionTimeoutMs, resync: () => cache.refreshPartitionStates() }),
};
