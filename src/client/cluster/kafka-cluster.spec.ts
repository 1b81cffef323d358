import { createServer, type AddressInfo } from 'node:net';
import { ApiKey, ErrorCode } from '../../protocol';
import { ClientConfigError, KafkaClientError, KafkaTimeoutError } from '../errors';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.test-helpers';
import { ClusterMetadata } from './cluster-metadata';
import { KafkaCluster, parseBootstrap } from './kafka-cluster';

interface TopicSpec {
  errorCode?: number;
  partitions?: Array<{ leader: number; epoch?: number; errorCode?: number }>;
}

/** A Metadata answer naming `brokers` and describing the topics asked for from `topics`. */
function metadataAnswer(request: FakeRequest, brokers: FakeBroker[], topics: Record<string, TopicSpec>) {
  const asked: string[] = request.body.topics === null ? Object.keys(topics) : request.body.topics.map((t: { name: string }) => t.name);
  return {
    throttleTimeMs: 0,
    brokers: brokers.map((b, i) => ({ nodeId: i, host: '127.0.0.1', port: b.port, rack: null })),
    clusterId: 'fake',
    controllerId: 0,
    topics: asked.map((name) => {
      const spec = topics[name] ?? { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] };
      return {
        errorCode: spec.errorCode ?? 0,
        name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        partitions: (spec.partitions ?? []).map((p, index) => ({
          errorCode: p.errorCode ?? 0,
          partitionIndex: index,
          leaderId: p.leader,
          leaderEpoch: p.epoch ?? 0,
          replicaNodes: [p.leader],
          isrNodes: [p.leader],
          offlineReplicas: [],
        })),
        topicAuthorizedOperations: -2147483648,
      };
    }),
    clusterAuthorizedOperations: -2147483648,
  };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe('KafkaCluster', () => {
  const brokers: FakeBroker[] = [];
  const clusters: KafkaCluster[] = [];
  let topics: Record<string, TopicSpec>;

  async function startBrokers(n: number, extra?: (request: FakeRequest) => unknown): Promise<FakeBroker[]> {
    for (let i = 0; i < n; i++) {
      brokers.push(
        await FakeBroker.start((request) => {
          const custom = extra?.(request);
          if (custom !== undefined) return custom;
          return request.apiKey === ApiKey.Metadata ? metadataAnswer(request, brokers, topics) : undefined;
        }),
      );
    }
    return brokers;
  }

  function cluster(options: Partial<ConstructorParameters<typeof KafkaCluster>[0]> = {}): KafkaCluster {
    const c = new KafkaCluster({ bootstrapServers: brokers.map((b) => b.address), retry: { backoffMs: 5, maxBackoffMs: 20 }, ...options });
    clusters.push(c);
    return c;
  }

  beforeEach(() => {
    topics = { orders: { partitions: [{ leader: 0 }, { leader: 1 }] } };
  });

  afterEach(async () => {
    for (const c of clusters.splice(0)) c.close();
    for (const b of brokers.splice(0)) await b.close();
  });

  it('tries the bootstrap servers in turn and learns brokers and leaders', async () => {
    await startBrokers(2);
    const c = cluster({ bootstrapServers: [`127.0.0.1:${await closedPort()}`, brokers[0].address] });
    await c.connect();
    expect(c.brokers().map((b) => b.nodeId)).toEqual([0, 1]);
    await c.ensureTopics(['orders']);
    expect([c.partitionCount('orders'), c.leaderFor('orders', 0), c.leaderFor('orders', 1), c.leaderFor('orders', 7)]).toEqual([2, 0, 1, -1]);
    const [first, second] = brokers[0].requestsOf(ApiKey.Metadata);
    expect(first.version).toBe(12);
    expect(first.body.topics).toEqual([]);
    expect(second.body.topics.map((t: { name: string }) => t.name)).toEqual(['orders']);
    expect(second.body.allowAutoTopicCreation).toBe(true);
  });

  it('waits through LEADER_NOT_AVAILABLE while a topic is created', async () => {
    await startBrokers(1);
    topics.fresh = { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitions: [] };
    const c = cluster();
    setTimeout(() => (topics.fresh = { partitions: [{ leader: 0 }] }), 30);
    await c.ensureTopics(['fresh']);
    expect(c.partitionCount('fresh')).toBe(1);
    expect(brokers[0].requestsOf(ApiKey.Metadata).length).toBeGreaterThan(1);
  });

  it('fails at once for an unauthorized topic and after the timeout for one that never appears', async () => {
    await startBrokers(1);
    topics.secret = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: [] };
    const c = cluster();
    await expect(c.ensureTopics(['secret'])).rejects.toMatchObject({ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    const started = Date.now();
    const err = await c.ensureTopics(['missing'], 150).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaTimeoutError);
    expect(err.message).toMatch(/Topic missing not present in metadata after 150 ms \(last error UNKNOWN_TOPIC_OR_PARTITION\)/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('trackTopics asks once for an unknown topic without waiting for it to exist, and nothing for a known one', async () => {
    await startBrokers(1);
    const c = cluster();
    await c.connect();
    const metadataRequests = () => brokers[0].requestsOf(ApiKey.Metadata);
    const before = metadataRequests().length;
    c.trackTopics(['later', 'later']);
    await new Promise<void>((resolve) => c.onMetadataUpdate(resolve));
    expect(metadataRequests().length - before).toBe(1);
    expect(metadataRequests().at(-1)!.body.topics.map((t: { name: string }) => t.name)).toEqual(['later']);
    expect(c.partitionCount('later')).toBeUndefined();

    topics.later = { partitions: [{ leader: 0 }] };
    await c.refreshMetadata();
    expect(c.partitionCount('later')).toBe(1);
    // A topic already known costs no request.
    const known = metadataRequests().length;
    c.trackTopics(['later']);
    await c.refreshMetadata();
    expect(metadataRequests().length - known).toBe(1);
  });

  it('coalesces refreshes: callers during one share the next', async () => {
    await startBrokers(1);
    const c = cluster();
    await c.connect();
    const before = brokers[0].requestsOf(ApiKey.Metadata).length;
    await Promise.all(Array.from({ length: 10 }, () => c.refreshMetadata()));
    expect(brokers[0].requestsOf(ApiKey.Metadata).length - before).toBe(2);
  });

  it('spaces error-driven refreshes by retry.backoff.ms', async () => {
    await startBrokers(1);
    const c = cluster({ retry: { backoffMs: 50, maxBackoffMs: 50 } });
    await c.connect();
    const before = brokers[0].requestsOf(ApiKey.Metadata).length;
    for (let i = 0; i < 20; i++) expect(c.handleErrorCode(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(c.handleErrorCode(ErrorCode.MESSAGE_TOO_LARGE)).toBe(false);
    await new Promise<void>((resolve) => c.onMetadataUpdate(resolve));
    expect(brokers[0].requestsOf(ApiKey.Metadata).length - before).toBe(1);
  });

  it('keeps a partition whose new leader epoch is older than the cached one', async () => {
    await startBrokers(2);
    topics.orders = { partitions: [{ leader: 1, epoch: 5 }] };
    const c = cluster();
    await c.ensureTopics(['orders']);
    topics.orders = { partitions: [{ leader: 0, epoch: 4 }] };
    await c.refreshMetadata();
    expect(c.partition('orders', 0)).toMatchObject({ leader: 1, leaderEpoch: 5 });
    topics.orders = { partitions: [{ leader: 0, epoch: 6 }] };
    await c.refreshMetadata();
    expect(c.partition('orders', 0)).toMatchObject({ leader: 0, leaderEpoch: 6 });
  });

  it('refreshes on metadata.max.age.ms without being asked', async () => {
    await startBrokers(1);
    const c = cluster({ metadataMaxAgeMs: 40 });
    await c.connect();
    const version = c.metadata.version;
    await new Promise<void>((resolve) => c.onMetadataUpdate(resolve));
    expect(c.metadata.version).toBe(version + 1);
  });

  it('asks for every topic after watchAllTopics and forgets deleted ones', async () => {
    await startBrokers(1);
    topics.other = { partitions: [{ leader: 0 }] };
    const c = cluster();
    expect((await c.watchAllTopics()).sort()).toEqual(['orders', 'other']);
    expect(brokers[0].requestsOf(ApiKey.Metadata).at(-1)!.body.topics).toBeNull();
    delete topics.other;
    await c.refreshMetadata();
    expect(c.topicNames()).toEqual(['orders']);
  });

  it('reconnects to a broker after its connection was lost', async () => {
    await startBrokers(2);
    const c = cluster();
    await c.ensureTopics(['orders']);
    const first = await c.connectionTo(1);
    expect(c.readyConnection(1)).toBe(first);
    brokers[1].dropConnections();
    await new Promise<void>((resolve) => first.onClose(() => resolve()));
    expect(c.readyConnection(1)).toBeUndefined();
    const second = await c.connectionTo(1);
    expect(second).not.toBe(first);
    expect(second.isOpen).toBe(true);
    await expect(c.connectionTo(9)).rejects.toMatchObject({ code: ErrorCode.LEADER_NOT_AVAILABLE, retriable: true });
  });

  it('finds a coordinator with retries, caches it and forgets it when told', async () => {
    let refusals = 2;
    await startBrokers(2, (request) => {
      if (request.apiKey !== ApiKey.FindCoordinator) return undefined;
      const errorCode = refusals-- > 0 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : 0;
      const key = request.body.coordinatorKeys[0];
      return { throttleTimeMs: 0, coordinators: [{ key, nodeId: 1, host: '127.0.0.1', port: brokers[1].port, errorCode, errorMessage: null }] };
    });
    const c = cluster();
    const [a, b] = await Promise.all([c.coordinatorFor('group-a'), c.coordinatorFor('group-a')]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ nodeId: 1, port: brokers[1].port });
    const lookups = () => brokers.flatMap((x) => x.requestsOf(ApiKey.FindCoordinator)).length;
    expect(lookups()).toBe(3);
    await c.coordinatorFor('group-a');
    expect(lookups()).toBe(3);
    expect(c.handleCoordinatorError('group-a', ErrorCode.NOT_COORDINATOR)).toBe(true);
    await c.coordinatorFor('group-a');
    expect(lookups()).toBe(4);
    const viaCoordinator = await c.coordinatorConnection('group-a');
    expect(viaCoordinator.port).toBe(brokers[1].port);
    expect(viaCoordinator).not.toBe(await c.connectionTo(1));
  });

  it('gives up on a coordinator error that is not retriable', async () => {
    await startBrokers(1, (request) =>
      request.apiKey === ApiKey.FindCoordinator
        ? { throttleTimeMs: 0, coordinators: [{ key: 'g', nodeId: -1, host: '', port: -1, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'no' }] }
        : undefined,
    );
    const err = await cluster().coordinatorFor('g').catch((e) => e);
    expect(err).toBeInstanceOf(KafkaClientError);
    expect(err.code).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  });

  it('fails after close', async () => {
    await startBrokers(1);
    const c = cluster();
    await c.connect();
    c.close();
    await expect(c.refreshMetadata()).rejects.toThrow(/closed/);
    await expect(c.connectionTo(0)).rejects.toThrow(/closed/);
  });
});

describe('parseBootstrap', () => {
  it('reads lists and comma-separated strings, IPv6 in brackets', () => {
    expect(parseBootstrap('a:1, b:2')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
    expect(parseBootstrap(['[::1]:9092'])).toEqual([{ host: '::1', port: 9092 }]);
  });

  it('refuses entries that are not host:port', () => {
    expect(() => parseBootstrap('')).toThrow(ClientConfigError);
    expect(() => parseBootstrap(['localhost'])).toThrow(/not host:port/);
    expect(() => parseBootstrap(['h:70000'])).toThrow(/not host:port/);
  });
});

describe('ClusterMetadata', () => {
  it('treats invalid and unauthorized topics as fatal, unknown ones as worth waiting for', () => {
    expect(ClusterMetadata.isFatalTopicError(ErrorCode.INVALID_TOPIC_EXCEPTION)).toBe(true);
    expect(ClusterMetadata.isFatalTopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toBe(false);
    expect(ClusterMetadata.isFatalTopicError(undefined)).toBe(false);
  });
});
