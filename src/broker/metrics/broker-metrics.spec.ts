import { ApiKey } from '../../protocol/api-key';
import type { GroupCoordinator } from '../../coordinator/group-coordinator.service';
import type { OffsetStore } from '../../coordinator/offset-store';
import type { RequestObserver, RequestRouter } from '../api/request-router';
import type { MetadataView, TopicInfo } from '../metadata/metadata-view';
import type { ReplicaManager } from '../replica/replica-manager';
import { BrokerMetrics } from './broker-metrics';

interface FakePartition {
  topic: string;
  partition: number;
  key: string;
  isLeader: boolean;
  isr: number[];
  replicas: number[];
  highWatermark: number;
  log: { size: number };
}

function partition(topic: string, index: number, fields: Partial<FakePartition> = {}): FakePartition {
  return { topic, partition: index, key: `${topic}-${index}`, isLeader: true, isr: [0], replicas: [0], highWatermark: 0, log: { size: 0 }, ...fields };
}

function setup(options: { partitions?: FakePartition[]; topics?: TopicInfo[]; controllerId?: number; groups?: Record<string, Record<string, Record<number, number>>> } = {}) {
  const router = { setObserver: jest.fn() };
  const replicas = { hostedPartitions: () => (options.partitions ?? []).values(), setIsrChangeListener: jest.fn() };
  const metadata: Partial<MetadataView> = { localBrokerId: 0, controllerId: () => options.controllerId ?? 0, topics: () => options.topics ?? [] };
  const groups = options.groups ?? {};
  const coordinator = { listGroups: async () => Object.keys(groups).map((groupId) => ({ groupId, protocolType: 'consumer', state: 'Stable' })) };
  const offsets = {
    offsetsOf: async (groupId: string) =>
      new Map(Object.entries(groups[groupId]).map(([topic, byPartition]) => [topic, new Map(Object.entries(byPartition).map(([p, offset]) => [Number(p), { offset, metadata: '', commitTimestamp: 0 }]))])),
  };
  const metrics = new BrokerMetrics(
    router as unknown as RequestRouter,
    replicas as unknown as ReplicaManager,
    metadata as MetadataView,
    coordinator as unknown as GroupCoordinator,
    offsets as unknown as OffsetStore,
  );
  metrics.onModuleInit();
  const observer = router.setObserver.mock.calls[0][0] as RequestObserver;
  return { metrics, router, replicas, observer };
}

/** The value of one sample line, e.g. sample(text, 'kafkanest_requests_total{api="Produce",broker="0"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('BrokerMetrics', () => {
  it('hooks itself into the request router and the ISR manager at init', () => {
    const { metrics, router, replicas } = setup();
    expect(router.setObserver).toHaveBeenCalledTimes(1);
    expect(replicas.setIsrChangeListener).toHaveBeenCalledWith(metrics);
  });

  it('counts requests, errors and bytes per API and puts latencies in the histogram buckets', async () => {
    const { metrics, observer } = setup();
    observer.onRequest(ApiKey.Produce, 1000, 60, 3, false);
    observer.onRequest(ApiKey.Produce, 500, 60, 40, false);
    observer.onRequest(ApiKey.Fetch, 90, 0, 0.2, true);
    observer.onRequest(ApiKey.Fetch, 90, 0, 45_000, false);
    const text = await metrics.scrape();
    expect(sample(text, 'kafkanest_requests_total{api="Produce",broker="0"}')).toBe(2);
    expect(sample(text, 'kafkanest_request_bytes_total{api="Produce",broker="0"}')).toBe(1500);
    expect(sample(text, 'kafkanest_response_bytes_total{api="Produce",broker="0"}')).toBe(120);
    expect(sample(text, 'kafkanest_request_errors_total{api="Fetch",broker="0"}')).toBe(1);
    expect(sample(text, 'kafkanest_request_errors_total{api="Produce",broker="0"}')).toBe(0);
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="0.0025",api="Produce",broker="0"}')).toBe(0);
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="0.005",api="Produce",broker="0"}')).toBe(1);
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="0.05",api="Produce",broker="0"}')).toBe(2);
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="+Inf",api="Produce",broker="0"}')).toBe(2);
    expect(sample(text, 'kafkanest_request_duration_seconds_sum{api="Produce",broker="0"}')).toBeCloseTo(0.043);
    // A request slower than the last bound counts only in +Inf.
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="30",api="Fetch",broker="0"}')).toBe(1);
    expect(sample(text, 'kafkanest_request_duration_seconds_bucket{le="+Inf",api="Fetch",broker="0"}')).toBe(2);
    expect(sample(text, 'kafkanest_request_duration_seconds_count{api="Fetch",broker="0"}')).toBe(2);
    expect(text).toContain('# TYPE kafkanest_request_duration_seconds histogram');
    expect(text).toContain('# TYPE kafkanest_requests_total counter');
  });

  it('counts ISR shrinks and expands', async () => {
    const { metrics } = setup();
    metrics.onIsrChange('shrink');
    metrics.onIsrChange('shrink');
    metrics.onIsrChange('expand');
    const text = await metrics.scrape();
    expect(sample(text, 'kafkanest_isr_shrinks_total{broker="0"}')).toBe(2);
    expect(sample(text, 'kafkanest_isr_expands_total{broker="0"}')).toBe(1);
  });

  it('reads under-replicated partitions it leads and log sizes at scrape time', async () => {
    const partitions = [
      partition('orders', 0, { isr: [0], replicas: [0, 1], log: { size: 4096 } }),
      partition('orders', 1, { isr: [0, 1], replicas: [0, 1], log: { size: 100 } }),
      // Followers report their log size but leave under-replication to the leader.
      partition('orders', 2, { isLeader: false, isr: [1], replicas: [1, 0], log: { size: 7 } }),
    ];
    const { metrics } = setup({ partitions });
    let text = await metrics.scrape();
    expect(sample(text, 'kafkanest_under_replicated_partitions{broker="0"}')).toBe(1);
    expect(sample(text, 'kafkanest_log_size_bytes{topic="orders",partition="0",broker="0"}')).toBe(4096);
    expect(sample(text, 'kafkanest_log_size_bytes{topic="orders",partition="2",broker="0"}')).toBe(7);
    partitions[0].isr = [0, 1];
    partitions.pop();
    text = await metrics.scrape();
    expect(sample(text, 'kafkanest_under_replicated_partitions{broker="0"}')).toBe(0);
    expect(sample(text, 'kafkanest_log_size_bytes{topic="orders",partition="2",broker="0"}')).toBeUndefined();
  });

  it('reports offline partitions only on the controller', async () => {
    const topics = [
      {
        name: 't',
        topicId: 'x',
        internal: false,
        configs: {},
        partitions: [
          { topic: 't', partition: 0, replicas: [1], leader: -1, leaderEpoch: 3, isr: [], offlineReplicas: [1] },
          { topic: 't', partition: 1, replicas: [0], leader: 0, leaderEpoch: 1, isr: [0], offlineReplicas: [] },
        ],
      },
    ];
    expect(sample(await setup({ topics, controllerId: 0 }).metrics.scrape(), 'kafkanest_offline_partitions{broker="0"}')).toBe(1);
    expect(sample(await setup({ topics, controllerId: 2 }).metrics.scrape(), 'kafkanest_offline_partitions{broker="0"}')).toBe(0);
  });

  it('reports the lag of coordinated groups on partitions this broker holds', async () => {
    const partitions = [partition('orders', 0, { highWatermark: 120 }), partition('orders', 1, { highWatermark: 5 })];
    const groups = { billing: { orders: { 0: 100, 1: 5, 7: 3 } } };
    const text = await setup({ partitions, groups }).metrics.scrape();
    expect(sample(text, 'kafkanest_consumer_group_lag{group="billing",topic="orders",partition="0",broker="0"}')).toBe(20);
    expect(sample(text, 'kafkanest_consumer_group_lag{group="billing",topic="orders",partition="1",broker="0"}')).toBe(0);
    // Partition 7 lives on another broker: its lag is that broker's to report.
    expect(text).not.toContain('partition="7"');
  });

  it('keeps each application in its own registry', async () => {
    const a = setup();
    const b = setup().metrics;
    a.observer.onRequest(ApiKey.Metadata, 10, 10, 1, false);
    expect(sample(await a.metrics.scrape(), 'kafkanest_requests_total{api="Metadata",broker="0"}')).toBe(1);
    expect(sample(await b.scrape(), 'kafkanest_requests_total{api="Metadata",broker="0"}')).toBeUndefined();
  });
});
