import { ErrorCode } from '../../protocol';
import { ClientClosedError, KafkaTimeoutError } from '../errors';
import { BufferPool } from './buffer-pool';

describe('BufferPool', () => {
  it('hands out batch-size buffers and reuses them once returned', () => {
    const pool = new BufferPool(300, 100);
    const a = pool.tryAllocate(100)!;
    const b = pool.tryAllocate(100)!;
    expect(pool.availableMemory).toBe(100);
    pool.deallocate(a);
    expect(pool.availableMemory).toBe(200);
    expect(pool.tryAllocate(100)).toBe(a);
    pool.deallocate(b);
  });

  it('counts odd sizes without pooling them, freeing pooled buffers to make room', () => {
    const pool = new BufferPool(300, 100);
    pool.deallocate(pool.tryAllocate(100)!);
    pool.deallocate(pool.tryAllocate(100)!);
    const big = pool.tryAllocate(250)!;
    expect(big.length).toBe(250);
    expect(pool.availableMemory).toBe(50);
    expect(pool.tryAllocate(100)).toBeUndefined();
    pool.deallocate(big);
    expect(pool.availableMemory).toBe(300);
  });

  it('makes allocations wait first come first served until memory is returned', async () => {
    const pool = new BufferPool(200, 100);
    const held = [pool.tryAllocate(100)!, pool.tryAllocate(100)!];
    const order: string[] = [];
    const big = pool.allocate(200, 5_000).then((b) => (order.push('big'), b));
    const small = pool.allocate(100, 5_000).then((b) => (order.push('small'), b));
    expect(pool.queued).toBe(2);
    expect(pool.tryAllocate(1)).toBeUndefined();
    pool.deallocate(held[0]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    pool.deallocate(held[1]);
    pool.deallocate(await big);
    await small;
    expect(order).toEqual(['big', 'small']);
  });

  it('fails a waiting allocation after max.block.ms and lets the next one go', async () => {
    const pool = new BufferPool(100, 100);
    const held = pool.tryAllocate(100)!;
    const started = Date.now();
    const err = await pool.allocate(100, 30).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    pool.deallocate(held);
    expect(pool.queued).toBe(0);
    expect(pool.tryAllocate(100)).toBeDefined();
  });

  it('refuses more than the whole pool at once, and fails waiters on close', async () => {
    const pool = new BufferPool(100, 50);
    expect(() => pool.tryAllocate(101)).toThrow(expect.objectContaining({ code: ErrorCode.MESSAGE_TOO_LARGE }));
    pool.tryAllocate(100);
    const waiting = pool.allocate(50, 10_000);
    pool.close();
    await expect(waiting).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('accounts reserved bytes without buffers', () => {
    const pool = new BufferPool(100, 50);
    expect(pool.tryReserve(80)).toBe(true);
    expect(pool.tryReserve(30)).toBe(false);
    pool.forceReserve(30);
    expect(pool.availableMemory).toBe(-10);
    pool.release(110);
    expect(pool.availableMemory).toBe(100);
  });
});
