import { createServer, type AddressInfo } from 'node:net';
import { ApiKey, ErrorCode, encodeResponseFrame, FindCoordinatorApi, HeartbeatApi, MetadataApi, ProduceApi, highestVersion } from '../../protocol';
import { ConnectionError, KafkaClientError, KafkaTimeoutError } from '../errors';
import { BrokerConnection } from './broker-connection';
import { FakeBroker, apiVersionsBody, apiVersionsV0Error, type FakeHandler, type FakeRequest } from './fake-broker.test-helpers';

const heartbeatBody = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

describe('BrokerConnection', () => {
  const brokers: FakeBroker[] = [];
  const connections: BrokerConnection[] = [];

  async function fake(handler?: FakeHandler): Promise<FakeBroker> {
    const broker = await FakeBroker.start(handler);
    brokers.push(broker);
    return broker;
  }

  async function open(broker: FakeBroker, options: Partial<Parameters<typeof BrokerConnection.connect>[0]> = {}): Promise<BrokerConnection> {
    const connection = await BrokerConnection.connect({ host: '127.0.0.1', port: broker.port, clientId: 'spec', ...options });
    connections.push(connection);
    return connection;
  }

  afterEach(async () => {
    for (const c of connections.splice(0)) c.close();
    for (const b of brokers.splice(0)) await b.close();
  });

  it('negotiates versions with ApiVersions v3 and picks the highest common version', async () => {
    const broker = await fake((request: FakeRequest) =>
      request.apiKey === ApiKey.ApiVersions
        ? apiVersionsBody([
            { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
            { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 99 },
            { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 7 },
            { apiKey: ApiKey.Heartbeat, minVersion: 5, maxVersion: 9 },
          ])
        : undefined,
    );
    const connection = await open(broker);
    const [apiVersions] = broker.requestsOf(ApiKey.ApiVersions);
    expect(apiVersions.version).toBe(3);
    expect(apiVersions.body).toEqual({ clientSoftwareName: 'kafkanest-client', clientSoftwareVersion: '0.1.0' });
    expect(apiVersions.clientId).toBe('spec');
    expect(connection.versionFor(MetadataApi)).toBe(highestVersion(MetadataApi.validVersions));
    expect(connection.versionFor(ProduceApi)).toBe(7);
    expect(connection.versionFor(ProduceApi, 5)).toBe(5);
    expect(() => connection.versionFor(ProduceApi, 2)).toThrow(expect.objectContaining({ code: ErrorCode.UNSUPPORTED_VERSION }));
    expect(() => connection.versionFor(HeartbeatApi)).toThrow(/v5-v9/);
    expect(() => connection.versionFor(FindCoordinatorApi)).toThrow(/not at all/);
    expect(connection.supports(FindCoordinatorApi)).toBe(false);
  });

  it('falls back to the ApiVersions version an older broker names in its v0-format refusal', async () => {
    const ranges = [
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 5 },
    ];
    const broker = await fake((request: FakeRequest) => {
      if (request.apiKey !== ApiKey.ApiVersions) return undefined;
      return request.version > 2 ? apiVersionsV0Error(request, ranges) : apiVersionsBody(ranges);
    });
    const connection = await open(broker);
    expect(broker.requestsOf(ApiKey.ApiVersions).map((r) => r.version)).toEqual([3, 2]);
    expect(connection.versionFor(MetadataApi)).toBe(5);
  });

  it('falls back to v0 when the refusal names no range', async () => {
    const broker = await fake((request: FakeRequest) => {
      if (request.apiKey !== ApiKey.ApiVersions) return undefined;
      return request.version > 0 ? apiVersionsV0Error(request, []) : apiVersionsBody([{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 1 }]);
    });
    const connection = await open(broker);
    expect(broker.requestsOf(ApiKey.ApiVersions).map((r) => r.version)).toEqual([3, 0]);
    expect(connection.versionFor(MetadataApi)).toBe(1);
  });

  it('pipelines requests and matches responses by order and correlation id, also when they arrive coalesced', async () => {
    const held: FakeRequest[] = [];
    const broker = await fake((request: FakeRequest) => {
      if (request.apiKey !== ApiKey.Heartbeat) return undefined;
      held.push(request);
      if (held.length === 3) {
        // All three answers in one write, the second one an error.
        const frames = held.map((r, i) => ({ r, body: { throttleTimeMs: i, errorCode: i === 1 ? ErrorCode.REBALANCE_IN_PROGRESS : 0 } }));
        request.socket.write(Buffer.concat(frames.map(({ r, body }) => encodeResponseFrame(HeartbeatApi, r.version, r.correlationId, body))));
      }
      return undefined;
    });
    const connection = await open(broker);
    const answers = await Promise.all([1, 2, 3].map(() => connection.send(HeartbeatApi, heartbeatBody)));
    expect(answers.map((a) => [a.throttleTimeMs, a.errorCode])).toEqual([
      [0, 0],
      [1, ErrorCode.REBALANCE_IN_PROGRESS],
      [2, 0],
    ]);
    const ids = held.map((r) => r.correlationId);
    expect(new Set(ids).size).toBe(3);
    expect(connection.inFlightCount).toBe(0);
  });

  it('sends a request that expects no response without taking an in-flight slot', async () => {
    const broker = await fake();
    const connection = await open(broker);
    const result = await connection.send(ProduceApi, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] }, { noResponse: true });
    expect(result).toBeUndefined();
    expect(connection.inFlightCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.requestsOf(ApiKey.Produce)[0].body.acks).toBe(0);
  });

  it('times a request out, closes the connection and rejects what was behind it in order', async () => {
    const broker = await fake();
    const connection = await open(broker, { requestTimeoutMs: 5_000 });
    const order: string[] = [];
    const first = connection.send(HeartbeatApi, heartbeatBody, { timeoutMs: 50 }).catch((e) => (order.push('first'), e));
    const second = connection.send(HeartbeatApi, heartbeatBody).catch((e) => (order.push('second'), e));
    const third = connection.send(HeartbeatApi, heartbeatBody).catch((e) => (order.push('third'), e));
    expect(await first).toBeInstanceOf(KafkaTimeoutError);
    expect(await second).toBeInstanceOf(ConnectionError);
    expect(await third).toBeInstanceOf(ConnectionError);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(connection.isOpen).toBe(false);
    await expect(connection.send(HeartbeatApi, heartbeatBody)).rejects.toBeInstanceOf(ConnectionError);
  });

  it('rejects in-flight requests with a retriable ConnectionError when the broker goes away', async () => {
    const broker = await fake();
    const connection = await open(broker);
    const closed = new Promise<Error>((resolve) => connection.onClose(resolve));
    const pending = connection.send(HeartbeatApi, heartbeatBody);
    await new Promise((resolve) => setTimeout(resolve, 20));
    broker.dropConnections();
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).retriable).toBe(true);
    expect(await closed).toBe(err);
  });

  it('fails only the request whose response cannot be decoded', async () => {
    const broker = await fake((request: FakeRequest) => {
      if (request.apiKey !== ApiKey.Heartbeat) return undefined;
      if (request.correlationId % 2 === 0) return { throttleTimeMs: 0, errorCode: 0 };
      const frame = Buffer.alloc(4 + 4 + 1);
      frame.writeInt32BE(5, 0);
      frame.writeInt32BE(request.correlationId, 4);
      return frame;
    });
    const connection = await open(broker);
    const results = await Promise.allSettled([connection.send(HeartbeatApi, heartbeatBody), connection.send(HeartbeatApi, heartbeatBody)]);
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(KafkaClientError);
    expect(results.some((r) => r.status === 'fulfilled' && r.value.errorCode === 0)).toBe(true);
    expect(connection.isOpen).toBe(true);
  });

  it('reports a refused connection as ConnectionError and a silent broker as a timeout', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    await expect(BrokerConnection.connect({ host: '127.0.0.1', port: closedPort })).rejects.toBeInstanceOf(ConnectionError);
    const silent = await fake(() => Buffer.alloc(0));
    const started = Date.now();
    await expect(BrokerConnection.connect({ host: '127.0.0.1', port: silent.port, connectTimeoutMs: 100 })).rejects.toBeInstanceOf(KafkaTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
