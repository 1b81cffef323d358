import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import { OffsetStore } from '../../coordinator/offset-store';
import { RequestRouter } from '../api/request-router';
import { METADATA_VIEW, type MetadataView } from '../metadata/metadata-view';
import type { IsrChangeListener } from '../replica/isr-manager';
import type { Partition } from '../replica/partition';
import { ReplicaManager } from '../replica/replica-manager';
import { RequestMetrics } from './request-metrics';

/**
 * The broker's Prometheus metrics, in a registry of its own per application (tests run
 * several brokers in one process; prom-client's global registry would mix them).
 *
 * Counted as things happen: requests, errors, bytes in and out and latency per API (the
 * request router's observer, once per request), ISR shrinks and expands (IsrManager, once
 * a change is written). Read at scrape time, so nothing runs between scrapes: partitions
 * this broker leads that are under-replicated (Kafka's UnderReplicatedPartitions), offline
 * partitions (no leader; reported by the controller only, as Kafka's OfflinePartitionsCount,
 * so a sum over brokers counts each once), the size of every local log, and consumer lag of
 * the groups this broker coordinates for the partitions it holds a replica of (the high
 * watermark it knows minus the committed offset).
 */
@Injectable()
export class BrokerMetrics implements IsrChangeListener, OnModuleInit {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics();
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;

  constructor(
    private readonly router: RequestRouter,
    private readonly replicas: ReplicaManager,
    @Inject(METADATA_VIEW) private readonly metadata: MetadataView,
    private readonly groups: GroupCoordinator,
    private readonly offsets: OffsetStore,
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ broker: String(metadata.localBrokerId) });
    collectDefaultMetrics({ register: this.registry });
    this.requests.register(this.registry);
    this.isrShrinks = new Counter({ name: 'kafkanest_isr_shrinks_total', help: 'ISR shrinks written by this broker as leader', registers });
    this.isrExpands = new Counter({ name: 'kafkanest_isr_expands_total', help: 'ISR expands written by this broker as leader', registers });
    this.registerGauges(registers);
  }

  onModuleInit(): void {
    this.router.setObserver(this.requests);
    this.replicas.setIsrChangeListener(this);
  }

  onIsrChange(kind: 'shrink' | 'expand'): void {
    (kind === 'shrink' ? this.isrShrinks : this.isrExpands).inc();
  }

  /** The exposition text (text/plain; version=0.0.4). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private registerGauges(registers: Registry[]): void {
    const replicas = this.replicas;
    const metadata = this.metadata;
    new Gauge({
      name: 'kafkanest_under_replicated_partitions',
      help: 'Partitions this broker leads whose ISR is smaller than their replica set',
      registers,
      collect() {
        let count = 0;
        for (const p of replicas.hostedPartitions()) if (p.isLeader && p.isr.length < p.replicas.length) count++;
        this.set(count);
      },
    });
    new Gauge({
      name: 'kafkanest_offline_partitions',
      help: 'Partitions without a leader (reported by the controller; 0 on other brokers)',
      registers,
      collect() {
        let count = 0;
        if (metadata.controllerId() === metadata.localBrokerId) {
          for (const topic of metadata.topics()) for (const p of topic.partitions) if (p.leader < 0) count++;
        }
        this.set(count);
      },
    });
    new Gauge({
      name: 'kafkanest_log_size_bytes',
      help: 'Bytes on disk of each partition log this broker holds',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const p of replicas.hostedPartitions()) this.set({ topic: p.topic, partition: String(p.partition) }, p.log.size);
      },
    });
    const collectLag = (gauge: Gauge<'group' | 'topic' | 'partition'>): Promise<void> => this.collectLag(gauge);
    new Gauge({
      name: 'kafkanest_consumer_group_lag',
      help: 'High watermark minus committed offset, for groups this broker coordinates and partitions it holds a replica of',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        return collectLag(this);
      },
    });
  }

  private async collectLag(gauge: Gauge<'group' | 'topic' | 'partition'>): Promise<void> {
    gauge.reset();
    const hosted = new Map<string, Partition>();
    for (const p of this.replicas.hostedPartitions()) hosted.set(p.key, p);
    for (const { groupId } of await this.groups.listGroups()) {
      const committed = await this.offsets.offsetsOf(groupId);
      for (const [topic, partitions] of committed) {
        for (const [partition, { offset }] of partitions) {
          const replica = hosted.get(`${topic}-${partition}`);
          if (!replica || offset < 0) continue;
          gauge.set({ group: groupId, topic, partition: String(partition) }, Math.max(0, replica.highWatermark - offset));
        }
      }
    }
  }
}
