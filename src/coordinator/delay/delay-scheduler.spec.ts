import { ErrorCode } from '../../protocol/errors/error-codes';
import { partitionForKey } from '../../protocol/murmur2';
import { RecordBatchView } from '../../protocol/record-batch/record-batch-view';
import { DelayScheduler } from './delay-scheduler';
import { FakeDelayCluster, type MemoryLog } from './delay.test-helpers';
import { levelTopic, readQueueRecord, SCHEDULE_TOPIC } from './delay-queue-records';

const T0 = 1_800_000_000_000;
const TICK_MS = 50;
const PRODUCER_ID = 2 ** 52 + 1;
const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };

function scheduler(cluster: FakeDelayCluster, queue: number): DelayScheduler {
  const topic = queue === 0 ? SCHEDULE_TOPIC : levelTopic(queue);
  const s = new DelayScheduler({
    queue,
    topic,
    replica: cluster.ledQueue(topic)!,
    cluster,
    producerId: PRODUCER_ID,
    tickMs: TICK_MS,
    now: () => Date.now(),
    logger: quiet,
    trimIntervalMs: 1000,
    trimMinOffsets: 3,
  });
  s.start();
  return s;
}

function values(log: MemoryLog): string[] {
  return log.records().map((r) => r.value!.toString());
}

/** The kinds of a queue's records, in log order ('held', 'intent', 'done'). */
function queueKinds(log: MemoryLog): string[] {
  return log.batches.flatMap((b) => {
    const kinds: string[] = [];
    const reader = new RecordBatchView(b).recordReader();
    while (reader.next()) kinds.push(readQueueRecord(reader).kind);
    return kinds;
  });
}

const rec = (key: string, value: string, dueMs: number) => ({ key: Buffer.from(key), value: Buffer.from(value), timestamp: T0, dueMs, headers: [{ key: 'h', value: Buffer.from(value) }] });

describe('DelayScheduler', () => {
  let cluster: FakeDelayCluster;
  const running: DelayScheduler[] = [];
  const start = (queue: number): DelayScheduler => {
    const s = scheduler(cluster, queue);
    running.push(s);
    return s;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    cluster = new FakeDelayCluster();
    cluster.queue(levelTopic(1));
    cluster.queue(SCHEDULE_TOPIC);
  });

  afterEach(() => {
    for (const s of running.splice(0)) s.stop();
    jest.useRealTimers();
  });

  it("delivers a level's records in order, none before due, each with its key, value and headers to its key's partition", async () => {
    const orders = cluster.addTopic('orders', 3);
    cluster.hold(levelTopic(1), 'orders', [rec('a', 'v1', T0 + 1000), rec('b', 'v2', T0 + 1000), rec('a', 'v3', T0 + 1000)]);
    const s = start(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(orders.logs.flatMap(values)).toEqual([]);
    expect(s.stats()).toMatchObject({ depth: 3, nextDueMs: T0 + 1000, delivered: 0 });

    await jest.advanceTimersByTimeAsync(1);
    const a = partitionForKey(Buffer.from('a'), 3);
    const b = partitionForKey(Buffer.from('b'), 3);
    expect(values(orders.logs[a]).filter((v) => v !== 'v2')).toEqual(['v1', 'v3']);
    expect(values(orders.logs[b])).toContain('v2');
    const delivered = orders.logs[a].records()[0];
    expect(delivered).toMatchObject({ key: Buffer.from('a'), timestamp: T0, headers: [{ key: 'h', value: Buffer.from('v1') }] });
    expect(s.stats()).toMatchObject({ depth: 0, nextDueMs: null, delivered: 3, inFlight: 0 });
    // Each delivered batch is an idempotent batch of the scheduler's producer id.
    const batch = new RecordBatchView(orders.logs[a].batches[0]);
    expect([batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([PRODUCER_ID, 0, 0]);
    expect(queueKinds(cluster.queue(levelTopic(1)))).toEqual(['held', 'held', 'held', ...(a === b ? ['intent', 'done'] : ['intent', 'intent', 'done', 'done'])]);
  });

  it('delivers deliver-at records in due order whatever order they came in, a past time at once', async () => {
    const t = cluster.addTopic('t', 1);
    cluster.hold(SCHEDULE_TOPIC, 't', [rec('k', 'third', T0 + 300), rec('k', 'first', T0 + 100), rec('k', 'second', T0 + 200), rec('k', 'past', T0 - 5000)]);
    start(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(values(t.logs[0])).toEqual(['past']);
    await jest.advanceTimersByTimeAsync(150);
    expect(values(t.logs[0])).toEqual(['past', 'first']);
    await jest.advanceTimersByTimeAsync(150);
    expect(values(t.logs[0])).toEqual(['past', 'first', 'second', 'third']);
  });

  it('picks up records produced after it started: at once when woken, within a second when idle', async () => {
    const t = cluster.addTopic('t', 1);
    const s = start(1);
    await jest.advanceTimersByTimeAsync(200);
    cluster.hold(levelTopic(1), 't', [rec('k', 'woken', Date.now() - 1)]);
    s.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(values(t.logs[0])).toEqual(['woken']);

    // Appended by another broker's produce path and not announced: the idle check finds it.
    cluster.hold(levelTopic(1), 't', [rec('k', 'found', Date.now() + 500)]);
    await jest.advanceTimersByTimeAsync(499);
    expect(values(t.logs[0])).toEqual(['woken']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(values(t.logs[0])).toEqual(['woken', 'found']);
  });

  it('after a crash between the delivery and its done record, the next leader resends and the target answers a duplicate: delivered once', async () => {
    const t = cluster.addTopic('t', 1);
    cluster.hold(levelTopic(1), 't', [rec('k', 'once', T0 + 100), rec('k', 'twice?', T0 + 100)]);
    cluster.interceptTarget = () => 'append-then-hang';
    const first = start(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(values(t.logs[0])).toEqual(['once', 'twice?']);
    first.stop();

    cluster.interceptTarget = undefined;
    const second = start(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(values(t.logs[0])).toEqual(['once', 'twice?']);
    expect(second.stats()).toMatchObject({ depth: 0, delivered: 2 });
    expect(queueKinds(cluster.queue(levelTopic(1)))).toEqual(['held', 'held', 'intent', 'done']);

    // And the scheduler's sequences there carry on after the resent batch.
    cluster.hold(levelTopic(1), 't', [rec('k', 'next', Date.now())]);
    second.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(values(t.logs[0])).toEqual(['once', 'twice?', 'next']);
    expect(new RecordBatchView(t.logs[0].batches[1]).baseSequence).toBe(2);
  });

  it('after a crash between the intent and the delivery, the next leader delivers the records once', async () => {
    const t = cluster.addTopic('t', 1);
    cluster.hold(SCHEDULE_TOPIC, 't', [rec('k', 'v', T0 + 100)]);
    cluster.interceptTarget = () => 'hang';
    start(0);
    await jest.advanceTimersByTimeAsync(200);
    running.pop()!.stop();
    expect(values(t.logs[0])).toEqual([]);

    cluster.interceptTarget = undefined;
    start(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(values(t.logs[0])).toEqual(['v']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(values(t.logs[0])).toEqual(['v']);
  });

  it('a restart with nothing in flight delivers nothing again', async () => {
    const t = cluster.addTopic('t', 2);
    cluster.hold(levelTopic(1), 't', [rec('a', '1', T0 + 10), rec('b', '2', T0 + 10), rec('c', '3', T0 + 5000)]);
    start(1);
    await jest.advanceTimersByTimeAsync(100);
    running.pop()!.stop();
    const restarted = start(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(t.logs.flatMap(values).sort()).toEqual(['1', '2']);
    expect(restarted.stats()).toMatchObject({ depth: 1, nextDueMs: T0 + 5000 });
    await jest.advanceTimersByTimeAsync(5000);
    expect(t.logs.flatMap(values).sort()).toEqual(['1', '2', '3']);
  });

  it('retries a refused delivery with the same batch until the target takes it', async () => {
    const t = cluster.addTopic('t', 1);
    cluster.targetErrors.push(ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT);
    cluster.hold(levelTopic(1), 't', [rec('k', 'v', T0)]);
    start(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(values(t.logs[0])).toEqual(['v']);
    expect(cluster.targetErrors).toEqual([]);
  });

  it('drops, and counts, due records whose topic was deleted', async () => {
    cluster.hold(levelTopic(1), 'gone', [rec('k', 'v', T0)]);
    const s = start(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(s.stats()).toMatchObject({ depth: 0, delivered: 0, dropped: 1 });
  });

  it('spreads null-key records over the partitions by queue offset', async () => {
    const t = cluster.addTopic('t', 2);
    cluster.hold(levelTopic(1), 't', [0, 1, 2, 3].map((i) => ({ key: null, value: Buffer.from(String(i)), timestamp: T0, dueMs: T0, headers: [] })));
    start(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(values(t.logs[0])).toEqual(['0', '2']);
    expect(values(t.logs[1])).toEqual(['1', '3']);
  });

  it('moves its log start past delivered records, keeping what is still pending and its sequences at each target', async () => {
    const t = cluster.addTopic('t', 1);
    const queue = cluster.queue(levelTopic(1));
    cluster.hold(levelTopic(1), 't', [rec('k', 'a', T0 + 10), rec('k', 'b', T0 + 10), rec('k', 'c', T0 + 10)]);
    cluster.hold(levelTopic(1), 't', [rec('k', 'later', T0 + 5000)]);
    start(1);
    await jest.advanceTimersByTimeAsync(1100);
    expect(values(t.logs[0])).toEqual(['a', 'b', 'c']);
    // Offsets 0-2 delivered, 3 pending: the log now starts at 3, after a state record.
    expect(queue.logStartOffset).toBe(3);
    expect(queueKinds(queue)).toEqual(['held', 'intent', 'done', 'state']);

    running.pop()!.stop();
    const restarted = start(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(values(t.logs[0])).toEqual(['a', 'b', 'c', 'later']);
    expect(restarted.stats()).toMatchObject({ delivered: 1, depth: 0 });
    // Sequences carried on from the state record: 0-2 before, 3 now, in the same epoch.
    const last = new RecordBatchView(t.logs[0].batches[1]);
    expect([last.producerEpoch, last.baseSequence]).toEqual([0, 3]);
  });
});
