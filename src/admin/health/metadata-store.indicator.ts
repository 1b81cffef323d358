import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { BrokerConfig } from '../../config/broker.config';
import { METADATA_STORE, type MetadataStore, type SessionEvent } from '../../zk/metadata-store';
import { ZkPaths } from '../../zk/zk-paths';

/** A store that does not answer a read this fast is not one the broker can lead or follow on. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The metadata store session: up while it is connected and this broker's own ephemeral
 * registration (/brokers/ids/{id}) is there, read through the session itself. Down while
 * disconnected or after the session expired, or when the registration is gone (the
 * cluster no longer counts this broker as alive).
 */
@Injectable()
export class MetadataStoreHealthIndicator implements OnModuleDestroy {
  private lastEvent: SessionEvent['type'] = 'connected';
  private readonly stopListening: () => void;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(METADATA_STORE) private readonly store: MetadataStore,
    private readonly config: BrokerConfig,
  ) {
    this.stopListening = store.onSessionEvent((event) => (this.lastEvent = event.type));
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

  check(): PromiseLike<HealthIndicatorResult<'metadataStore'>> {
    return this.health
      .check('metadataStore')
      .attempt(async () => {
        if (this.lastEvent === 'disconnected' || this.lastEvent === 'expired') throw new Error(`session ${this.lastEvent}`);
        const registration = ZkPaths.broker(this.config.brokerId);
        if (!(await this.store.exists(registration))) throw new Error(`${registration} is missing: the cluster does not see this broker as alive`);
        return { sessionId: this.store.sessionId };
      })
      .withTimeout(PROBE_TIMEOUT_MS);
  }
}
