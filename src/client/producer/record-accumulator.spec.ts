import { CompressionType, RecordBatchView } from '../../protocol';
import { BufferPool } from './buffer-pool';
import type { ProducerBatch } from './producer-batch';
import { NEEDS_MEMORY, RecordAccumulator, type AccumulatorOptions } from './record-accumulator';

const noop = () => undefined;
const always = () => true;
const leaderIsPartition = (_t: string, p: number) => p;

function accumulator(options: Partial<AccumulatorOptions> = {}, memory = 1 << 20) {
  const events = { count: 0 };
  const pool = new BufferPool(memory, options.batchSize ?? 1024);
  const acc = new RecordAccumulator(
    { batchSize: 1024, lingerMs: 50, compression: CompressionType.None, maxRequestSize: 1 << 20, ...options },
    pool,
    () => [],
    () => events.count++,
  );
  return { acc, pool, events };
}

function append(acc: RecordAccumulator, partition: number, value: Buffer | string, topic = 't'): number {
  return acc.append(topic, partition, 1000, null, Buffer.isBuffer(value) ? value : Buffer.from(value), null, noop, noop);
}

describe('RecordAccumulator', () => {
  it('fills a partition batch up to batch.size, then starts another', () => {
    const { acc, events } = accumulator();
    for (let i = 0; i < 30; i++) expect(append(acc, 0, Buffer.alloc(100))).toBeGreaterThan(0);
    const batches = acc.queue('t', 0).batches;
    expect(batches.length).toBe(4);
    expect(batches.slice(0, 3).every((b) => b.full && b.uncompressedBytes <= 1024)).toBe(true);
    expect(batches.reduce((n, b) => n + b.recordCount, 0)).toBe(30);
    expect(events.count).toBeGreaterThanOrEqual(4);
  });

  it('holds a partial batch for linger.ms, sends a full one at once', () => {
    const { acc } = accumulator();
    append(acc, 0, 'x');
    const now = acc.queue('t', 0).batches[0].createdMs;
    let ready = acc.ready(now, leaderIsPartition, always);
    expect(ready.nodes.size).toBe(0);
    expect(ready.nextReadyInMs).toBeGreaterThan(40);
    expect([...acc.ready(now + 50, leaderIsPartition, always).nodes]).toEqual([0]);
    for (let i = 0; i < 12; i++) append(acc, 1, Buffer.alloc(100));
    ready = acc.ready(now, leaderIsPartition, always);
    expect([...ready.nodes]).toEqual([1]);
    acc.beginFlush();
    expect([...acc.ready(now, leaderIsPartition, always).nodes].sort()).toEqual([0, 1]);
    acc.endFlush();
  });

  it('reports partitions without a leader so metadata gets refreshed', () => {
    const { acc } = accumulator({ lingerMs: 0 });
    append(acc, 0, 'x');
    const ready = acc.ready(Date.now() + 1, () => -1, always);
    expect([ready.nodes.size, ready.unknownLeaders]).toEqual([0, true]);
  });

  it('drains one batch per partition of the node, closed and ready to send, within max.request.size', () => {
    const { acc } = accumulator({ lingerMs: 0 });
    for (let p = 0; p < 4; p++) for (let i = 0; i < 20; i++) append(acc, p, Buffer.alloc(100));
    const prepared: number[] = [];
    const drained = acc.drain(7, Date.now(), 2500, () => 7, always, (_q, b) => prepared.push(b.partition));
    expect(drained.map((b) => b.partition).sort()).toEqual(prepared.sort());
    expect(drained.length).toBe(2);
    for (const b of drained) expect(new RecordBatchView(b.bytes).validationError()).toBeNull();
    const next = acc.drain(7, Date.now(), 1 << 20, () => 7, always, noop);
    expect(next.length).toBe(4);
    expect(acc.drain(8, Date.now(), 1 << 20, () => 7, always, noop)).toEqual([]);
  });

  it('puts a retried batch back in front, in sequence order among other retries', () => {
    const { acc } = accumulator({ lingerMs: 0 });
    for (let i = 0; i < 40; i++) append(acc, 0, Buffer.alloc(100));
    const [first] = acc.drain(0, Date.now(), 1 << 20, leaderIsPartition, always, (_q, b) => b.setProducerState(1, 0, 0));
    const [second] = acc.drain(0, Date.now(), 1 << 20, leaderIsPartition, always, (_q, b) => b.setProducerState(1, 0, 9));
    first.attempts = second.attempts = 1;
    acc.reenqueue(second);
    acc.reenqueue(first);
    const queue = acc.queue('t', 0).batches;
    expect(queue.slice(0, 2)).toEqual([first, second]);
    expect(queue.length).toBe(5);
  });

  it('reports NEEDS_MEMORY instead of allocating past buffer.memory', () => {
    const { acc, pool } = accumulator({ batchSize: 1024 }, 2048);
    append(acc, 0, Buffer.alloc(900));
    append(acc, 1, Buffer.alloc(900));
    expect(append(acc, 2, Buffer.alloc(900))).toBe(NEEDS_MEMORY);
    expect(acc.queue('t', 2).batches.length).toBe(0);
    const [batch] = acc.drain(0, Date.now(), 1 << 20, leaderIsPartition, always, noop);
    acc.deallocate(batch);
    expect(pool.availableMemory).toBe(1024);
    expect(append(acc, 2, Buffer.alloc(900))).toBeGreaterThan(0);
  });

  it('grows compressed batches past batch.size as the compression ratio improves', () => {
    const { acc, pool } = accumulator({ batchSize: 1024, compression: CompressionType.Zstd, lingerMs: 0 });
    const sizes: number[] = [];
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 400 && acc.queue('t', 0).batches.length < 2; i++) append(acc, 0, Buffer.alloc(50, 'a'));
      const [batch] = acc.drain(0, Date.now(), 1 << 20, leaderIsPartition, always, noop);
      sizes.push(batch.recordCount);
      acc.deallocate(batch);
    }
    expect(sizes[sizes.length - 1]).toBeGreaterThan(sizes[0]);
    expect(pool.availableMemory).toBeGreaterThan(0);
  });

  it('takes out batches older than the delivery timeout and returns their memory', () => {
    const { acc, pool } = accumulator();
    append(acc, 0, 'x');
    append(acc, 1, 'y');
    const expired: ProducerBatch[] = acc.expire(Date.now() + 10_000, 5_000);
    expect(expired.map((b) => b.partition)).toEqual([0, 1]);
    for (const b of expired) acc.deallocate(b);
    expect(pool.availableMemory).toBe(1 << 20);
    expect(acc.hasIncomplete).toBe(false);
  });
});
