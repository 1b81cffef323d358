import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import type { ListenerAddress } from '../../config/listener-address';
import { BrokerIdsAccessor } from '../../zk/accessors';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { KafkaController } from '../controller/kafka-controller.service';
import { KafkaServer } from '../kafka-server.service';
import { MetadataCache } from './metadata-cache.service';

/** How long registration waits to see its own node come back through the cache's watch. */
const SELF_VISIBLE_TIMEOUT_MS = 10_000;

/**
 * Brings this broker into the cluster once its listeners are bound, in Kafka's order: the
 * metadata view is loaded (creating /cluster/id on a first start), the broker registers its
 * advertised endpoints at /brokers/ids/{id} (ephemeral: it leaves with the session), then joins
 * the controller election. All of it finishes before the broker prints that it is listening.
 */
@Injectable()
export class BrokerRegistration implements OnModuleInit {
  private readonly brokerIds: BrokerIdsAccessor;
  private registeredAt = -1;
  private adminUrl: string | undefined;

  constructor(
    private readonly config: BrokerConfig,
    @Inject(METADATA_STORE) store: MetadataStore,
    private readonly server: KafkaServer,
    private readonly cache: MetadataCache,
    private readonly controller: KafkaController,
  ) {
    this.brokerIds = new BrokerIdsAccessor(store);
  }

  onModuleInit(): void {
    this.server.beforeAnnounce((advertised) => this.register(advertised));
  }

  /**
   * This run's broker epoch, as the controller tells registrations apart: the timestamp of the
   * registration it wrote (Kafka uses the node's creation id); -1 before registering.
   */
  get brokerEpoch(): number {
    return this.registeredAt;
  }

  async register(advertised: readonly ListenerAddress[]): Promise<void> {
    await this.cache.start();
    this.registeredAt = Number((await this.brokerIds.register(this.config.brokerId, advertised, null, this.adminUrl)).timestamp);
    await this.controller.startup();
    const id = this.config.brokerId;
    await this.cache.waitFor(() => this.cache.broker(id) !== undefined, SELF_VISIBLE_TIMEOUT_MS);
  }

  /**
   * Adds where this broker's REST admin listens to its registration, for the other brokers'
   * cluster-wide answers. The admin server listens after the broker registered (Nest binds HTTP
   * once the application is up), so this usually updates the node; before that, register()
   * carries it.
   */
  async publishAdminUrl(url: string): Promise<void> {
    this.adminUrl = url;
    if (this.registeredAt < 0) return;
    if (!(await this.brokerIds.setAdminUrl(this.config.brokerId, url))) throw new Error(`${url} not published: this broker's registration is missing`);
  }
}
