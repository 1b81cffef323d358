import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrokerInfo, MetadataView } from '../../broker/metadata/metadata-view';
import { AdminConfig } from '../../config/admin.config';
import type { DelayService, DelayStats } from '../../coordinator/delay/delay.service';
import { ClusterDelayStats } from './cluster-delay-stats.service';

const STATS = { depth: 3, nextDueMs: 1_800_000_000_000, inFlight: 0, delivered: 0, dropped: 0, resent: 0, loading: false };

/** Broker `self`'s own answer where level i+1 is led by leaders[i] and the heap by broker 0. */
function ownStats(self: number, leaders: readonly number[]): DelayStats {
  const queue = (topic: string, leader: number) => (leader === self ? { topic, leader, stats: STATS } : { topic, leader });
  return {
    enabled: true,
    brokerId: self,
    levels: leaders.map((leader, i) => ({ level: i + 1, delayMs: 1000, ...queue(`__delay_level_0${i + 1}`, leader) })),
    schedule: queue('__delay_schedule', 0),
    retiredLevels: [],
    lateness: [{ brokerId: self, samples: 0, p50: null, p99: null }],
  };
}

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('ClusterDelayStats', () => {
  // Level 1 here, 2 on a broker that answers, 3 on one that hangs, 4 on a closed port, 5 without an admin address, 6 on an unregistered broker, 7 on one answering something else.
  const leaders = [0, 1, 2, 3, 4, 5, 6];
  const servers: Server[] = [];
  const asked: string[] = [];
  let brokers: Map<number, BrokerInfo>;

  beforeAll(async () => {
    const answering = await listen((req, res) => {
      asked.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(ownStats(1, leaders)));
    });
    const hanging = await listen(() => undefined);
    const closed = await listen(() => undefined);
    const closedUrl = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const other = await listen((_req, res) => res.end(JSON.stringify({ status: 'ok' })));
    servers.push(answering, hanging, other);
    const broker = (id: number, adminUrl?: string): [number, BrokerInfo] => [id, { id, host: '127.0.0.1', port: 9092 + id, rack: null, endpoints: [], ...(adminUrl ? { adminUrl } : {}) }];
    brokers = new Map([broker(0), broker(1, urlOf(answering)), broker(2, urlOf(hanging)), broker(3, closedUrl), broker(4), broker(6, urlOf(other))]);
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  function service(local: DelayStats): ClusterDelayStats {
    const config = new AdminConfig();
    config.peerTimeout = 300;
    return new ClusterDelayStats({ stats: () => local } as unknown as DelayService, { broker: (id: number) => brokers.get(id) } as unknown as MetadataView, config);
  }

  it("asks each other leader for its own schedulers' stats once, in parallel, and turns every way of failing into an error on that leader's queues", async () => {
    const started = Date.now();
    const merged = await service(ownStats(0, leaders)).cluster();
    // In parallel: the hanging broker's timeout is the whole wait, not added to the others.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(asked).toEqual(['/api/delays?scope=broker']);
    expect(merged.levels.map((l) => [l.level, l.leader, l.stats?.depth ?? null])).toEqual([
      [1, 0, 3],
      [2, 1, 3],
      [3, 2, null],
      [4, 3, null],
      [5, 4, null],
      [6, 5, null],
      [7, 6, null],
    ]);
    const errors = merged.levels.slice(2).map((l) => l.error);
    expect(errors[0]).toBe(`broker 2 at ${brokers.get(2)!.adminUrl} did not answer within 300 ms`);
    expect(errors[1]).toMatch(new RegExp(`^cannot reach broker 3 at ${brokers.get(3)!.adminUrl}: .*ECONNREFUSED`));
    expect(errors[2]).toBe('broker 4 has registered no admin address (its admin HTTP server does not listen)');
    expect(errors[3]).toBe('broker 5 is not alive (not registered)');
    expect(errors[4]).toBe(`broker 6 at ${brokers.get(6)!.adminUrl} did not answer with its delay stats`);
    expect(merged.lateness.map((l) => l.brokerId)).toEqual([0, 1]);
  });

  it('asks nobody when this broker leads every queue, and its own view never asks', async () => {
    asked.length = 0;
    const alone = ownStats(0, [0, 0]);
    expect(await service(alone).cluster()).toBe(alone);
    expect(service(ownStats(0, leaders)).own().levels[1]).toEqual({ level: 2, delayMs: 1000, topic: '__delay_level_02', leader: 1 });
    expect(asked).toEqual([]);
  });
});
