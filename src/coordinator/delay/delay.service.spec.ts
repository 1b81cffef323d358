import { BrokerConfig } from '../../config/broker.config';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { heldRecord, levelTopic, SCHEDULE_TOPIC } from './delay-queue-records';
import { DelayService } from './delay.service';
import { FakeDelayCluster } from './delay.test-helpers';

const T0 = 1_800_000_000_000;

function service(cluster: FakeDelayCluster, configure: (config: BrokerConfig) => void = () => undefined): DelayService {
  const config = new BrokerConfig();
  config.delayLevels = '1s 2s';
  config.delayTickMs = 50;
  configure(config);
  return new DelayService(config, cluster);
}

describe('DelayService', () => {
  let cluster: FakeDelayCluster;
  let delays: DelayService | undefined;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    cluster = new FakeDelayCluster();
  });

  afterEach(() => {
    delays?.onModuleDestroy();
    jest.useRealTimers();
  });

  it('creates the delay topics and runs a scheduler for each queue this broker leads, following leadership', async () => {
    delays = service(cluster);
    delays.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect([...cluster.queues.keys()].sort()).toEqual([SCHEDULE_TOPIC, levelTopic(1), levelTopic(2)].sort());
    delays.reconcile();
    expect(delays.stats().levels.map((l) => [l.level, l.delayMs, l.topic, l.stats?.depth])).toEqual([
      [1, 1000, '__delay_level_01', 0],
      [2, 2000, '__delay_level_02', 0],
    ]);

    cluster.queue(levelTopic(1)).isLeader = false;
    delays.reconcile();
    expect(delays.stats().levels[0].stats).toBeUndefined();

    const queue = cluster.queue(levelTopic(1));
    queue.isLeader = true;
    queue.leaderEpoch = 2;
    delays.reconcile();
    expect(delays.stats().levels[0].stats).toBeDefined();
  });

  it('drains a level dropped from delay.levels, reported among the retired levels', async () => {
    const t = cluster.addTopic('t', 1);
    cluster.hold(levelTopic(5), 't', [{ key: null, value: Buffer.from('old'), timestamp: T0, dueMs: T0 + 100, headers: [] }]);
    delays = service(cluster);
    delays.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(50);
    expect(delays.stats().retiredLevels).toEqual([expect.objectContaining({ level: 5, topic: '__delay_level_05', stats: expect.objectContaining({ depth: 1 }) })]);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.logs[0].records().map((r) => r.value!.toString())).toEqual(['old']);
  });

  it('lists a retired level whose topic another broker leads with that leader and no stats, and its own lateness under its id', async () => {
    const elsewhere = cluster.queue(levelTopic(7));
    elsewhere.isLeader = false;
    cluster.otherLeaders.set(levelTopic(7), 3);
    delays = service(cluster);
    delays.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(50);
    const stats = delays.stats();
    expect(stats.retiredLevels).toEqual([{ level: 7, topic: '__delay_level_07', leader: 3 }]);
    expect(stats.lateness).toEqual([{ brokerId: 0, samples: 0, p50: null, p99: null }]);
  });

  describe('a batch whose records go to several queues', () => {
    const held = (value: string) => [heldRecord({ key: null, value: Buffer.from(value), timestamp: T0, headers: [] }, 't', T0 + 60_000)];
    const byQueue = () => new Map([[0, held('at')], [1, held('level-1')], [2, held('level-2')]]);
    const values = (topic: string) => cluster.queue(topic).records().map((r) => r.value!.toString());

    beforeEach(async () => {
      cluster.addTopic('t', 1);
      delays = service(cluster);
      delays.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
    });

    it('appends nothing until every queue it needs has a leader, then each once', async () => {
      cluster.leaderless.add(levelTopic(2));
      let answered = false;
      const result = delays!.enqueue(byQueue(), -1, 5_000).finally(() => (answered = true));
      await jest.advanceTimersByTimeAsync(250);
      expect([answered, values(SCHEDULE_TOPIC), values(levelTopic(1)), values(levelTopic(2))]).toEqual([false, [], [], []]);
      cluster.leaderless.delete(levelTopic(2));
      cluster.changed();
      expect(await result).toMatchObject({ errorCode: ErrorCode.NONE });
      expect([values(SCHEDULE_TOPIC), values(levelTopic(1)), values(levelTopic(2))]).toEqual([['at'], ['level-1'], ['level-2']]);
    });

    it('answers LEADER_NOT_AVAILABLE with nothing appended when a queue finds no leader within the timeout', async () => {
      cluster.leaderless.add(levelTopic(1));
      const result = delays!.enqueue(byQueue(), -1, 1_000);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await result).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
      expect([values(SCHEDULE_TOPIC), values(levelTopic(1)), values(levelTopic(2))]).toEqual([[], [], []]);
    });

    it('sends again only the appends refused before anything was written, so no queue gets a record twice', async () => {
      cluster.queueErrors.set(levelTopic(1), [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE]);
      const result = delays!.enqueue(byQueue(), -1, 5_000);
      await jest.advanceTimersByTimeAsync(300);
      expect(await result).toMatchObject({ errorCode: ErrorCode.NONE });
      expect([values(SCHEDULE_TOPIC), values(levelTopic(1)), values(levelTopic(2))]).toEqual([['at'], ['level-1'], ['level-2']]);
    });

    it('answers any other failure as it is, without sending again', async () => {
      cluster.queueErrors.set(levelTopic(2), [ErrorCode.KAFKA_STORAGE_ERROR]);
      expect(await delays!.enqueue(byQueue(), -1, 5_000)).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
      expect(values(levelTopic(2))).toEqual([]);
    });
  });

  it('appends held records in batches within message.max.bytes, and its scheduler reads them at once', async () => {
    const t = cluster.addTopic('t', 1);
    delays = service(cluster, (config) => (config.messageMaxBytes = 2000));
    delays.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    const records = Array.from({ length: 50 }, (_, i) => heldRecord({ key: null, value: Buffer.alloc(100, i), timestamp: T0, headers: [] }, 't', T0 - 1));
    const result = await delays.enqueue(new Map([[1, records]]), -1, 1000);
    expect(result.errorCode).toBe(ErrorCode.NONE);
    const queue = cluster.queue(levelTopic(1));
    expect(queue.batches.length).toBeGreaterThan(2);
    expect(queue.batches.every((b) => b.length <= 2000)).toBe(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(t.logs[0].records()).toHaveLength(50);
  });
});
