import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager } from '../../log/log-manager';
import { resolveLogConfig } from '../../log/log-config';
import { encodeRecordBatch, type RecordBatchOptions } from '../../protocol/record-batch/record-batch-encoder';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import type { BrokerInfo, MetadataChange, MetadataView, PartitionInfo, TopicInfo } from '../metadata/metadata-view';
import { ReplicaManager, type ReplicaManagerOptions } from './replica-manager';

/**
 * An in-memory MetadataView for unit tests of the data path: topics are added, changed
 * and deleted by hand, and each change is announced like MetadataCache announces it.
 */
export class FakeMetadataView implements MetadataView {
  private readonly topicMap = new Map<string, TopicInfo>();
  private readonly brokerMap = new Map<number, BrokerInfo>();
  private readonly listeners = new Set<(change: MetadataChange) => void>();
  private idCounter = 0;

  constructor(readonly localBrokerId = 0) {
    this.brokerMap.set(localBrokerId, { id: localBrokerId, host: '127.0.0.1', port: 9092, rack: null, endpoints: ['PLAINTEXT://127.0.0.1:9092'] });
  }

  clusterId(): string {
    return 'fake-cluster';
  }
  controllerId(): number {
    return this.localBrokerId;
  }
  liveBrokers(): readonly BrokerInfo[] {
    return [...this.brokerMap.values()];
  }
  broker(id: number): BrokerInfo | undefined {
    return this.brokerMap.get(id);
  }
  topics(): Iterable<TopicInfo> {
    return this.topicMap.values();
  }
  topic(name: string): TopicInfo | undefined {
    return this.topicMap.get(name);
  }
  topicById(topicId: string): TopicInfo | undefined {
    for (const t of this.topicMap.values()) if (t.topicId === topicId) return t;
    return undefined;
  }
  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topicMap.get(topic)?.partitions[partition];
  }
  onChange(listener: (change: MetadataChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: MetadataChange): void {
    for (const l of this.listeners) l(change);
  }

  /** A topic whose partitions all have `leader` (default: this broker) as only replica. */
  addTopic(name: string, partitions = 1, options: { leader?: number; configs?: Record<string, string>; isr?: number[]; replicas?: number[]; topicId?: string } = {}): TopicInfo {
    const leader = options.leader ?? this.localBrokerId;
    const topicId = options.topicId ?? Buffer.alloc(16, ++this.idCounter).toString('base64url');
    const infos: PartitionInfo[] = Array.from({ length: partitions }, (_, p) => ({
      topic: name,
      partition: p,
      replicas: options.replicas ?? [leader],
      leader,
      leaderEpoch: 0,
      isr: options.isr ?? [leader],
      offlineReplicas: [],
    }));
    const topic: TopicInfo = { name, topicId, internal: false, partitions: infos, configs: options.configs ?? {} };
    this.topicMap.set(name, topic);
    for (const p of infos) this.emit({ kind: 'partition', partition: p });
    return topic;
  }

  updatePartition(topic: string, partition: number, change: Partial<PartitionInfo>): void {
    const t = this.topicMap.get(topic)!;
    const updated = { ...t.partitions[partition], ...change };
    const partitions = [...t.partitions];
    partitions[partition] = updated;
    this.topicMap.set(topic, { ...t, partitions });
    this.emit({ kind: 'partition', partition: updated });
  }

  setTopicConfig(topic: string, configs: Record<string, string>): void {
    const t = this.topicMap.get(topic)!;
    this.topicMap.set(topic, { ...t, configs });
    this.emit({ kind: 'topic-config', topic, configs });
  }

  deleteTopic(name: string): void {
    const t = this.topicMap.get(name)!;
    this.topicMap.delete(name);
    this.emit({ kind: 'topic-deleted', topic: name, topicId: t.topicId });
  }

  addBroker(id: number): void {
    this.brokerMap.set(id, { id, host: '127.0.0.1', port: 9093 + id, rack: null, endpoints: [`PLAINTEXT://127.0.0.1:${9093 + id}`] });
    this.emit({ kind: 'brokers', brokers: this.liveBrokers() });
  }
}

/** A real LogManager in a temp dir, a fake metadata view and a started ReplicaManager. */
export interface DataPathFixture {
  readonly dir: string;
  readonly metadata: FakeMetadataView;
  logManager: LogManager;
  replicas: ReplicaManager;
  /** Clean shutdown and a fresh LogManager/ReplicaManager over the same dir and metadata. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function createDataPath(options: Partial<ReplicaManagerOptions> = {}, metadata = new FakeMetadataView()): DataPathFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-replica-'));
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const make = (): { logManager: LogManager; replicas: ReplicaManager } => {
    const logManager = new LogManager(resolveLogConfig({ logDirs: [dir], fileDeleteDelayMs: 0 }), { logger: quiet });
    const replicas = new ReplicaManager(metadata, logManager, { messageMaxBytes: 1048588, minInsyncReplicas: 1, logger: quiet, ...options });
    replicas.start();
    return { logManager, replicas };
  };
  const fixture: DataPathFixture = {
    dir,
    metadata,
    ...make(),
    async reopen() {
      fixture.replicas.stop();
      await fixture.logManager.shutdown();
      Object.assign(fixture, make());
    },
    async close() {
      fixture.replicas.stop();
      await fixture.logManager.shutdown();
      await fixture.logManager.awaitRemovals();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** One batch of `count` records with values `<tag>-<i>`. */
export function batch(count = 1, options: RecordBatchOptions & { tag?: string; valueBytes?: number; timestamp?: number } = {}): Buffer {
  const timestamp = options.timestamp ?? 1_700_000_000_000;
  const records = Array.from({ length: count }, (_, i) => {
    const text = `${options.tag ?? 'v'}-${i}`;
    const value = Buffer.alloc(Math.max(options.valueBytes ?? 0, text.length), ' ');
    value.write(text);
    return { value, timestamp: timestamp + i };
  });
  return encodeRecordBatch(records, { baseTimestamp: timestamp, ...options });
}

/** The values of every record in fetched bytes, in order. */
export function valuesIn(records: Buffer): string[] {
  const out: string[] = [];
  const split = new RecordBatchSplitter(records);
  while (split.next()) for (const r of split.view.records()) out.push(r.value!.toString().trim());
  return out;
}

/** Base offsets of the batches in fetched bytes. */
export function baseOffsetsIn(records: Buffer): number[] {
  const out: number[] = [];
  const split = new RecordBatchSplitter(records);
  while (split.next()) out.push(split.view.baseOffset);
  return out;
}
