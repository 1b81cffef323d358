import * as path from 'node:path';
import { PartitionLog } from './partition-log';
import { TopicLogConfig } from './log-config';
import { batchesIn, makeBatch, makeTempDir, openLog } from './log.test-helpers';

/** mulberry32: a small seeded PRNG so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelBatch {
  baseOffset: number;
  lastOffset: number;
  /** The bytes as appended (offsets assigned). */
  bytes: Buffer;
}

/**
 * Random appends, reads, rolls, truncations and reopens (clean and unclean) against an
 * in-memory model: the log must always hold exactly the model's batches, byte for byte,
 * and every read must answer whole batches starting with the one holding the offset.
 */
describe('PartitionLog against an in-memory model', () => {
  const seeds = [1, 7, 42, 1234];

  it.each(seeds)('seed %i', async (seed) => {
    const random = prng(seed);
    const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
    const tmp = makeTempDir();
    const dir = path.join(tmp.dir, 'prop-0');
    const config: Partial<TopicLogConfig> = { segmentBytes: int(600, 3000), indexIntervalBytes: int(50, 600), maxIndexSize: 8 * int(2, 16), retentionMs: -1 };
    const stale: PartitionLog[] = [];
    let log = openLog(dir, config);
    let model: ModelBatch[] = [];
    let start = 0;
    const modelEnd = (): number => (model.length ? model[model.length - 1].lastOffset + 1 : start);
    const context = (op: string): string => `seed ${seed}, ${op}`;

    const checkRead = (offset: number, maxBytes: number, op: string): void => {
      const records = log.read(offset, maxBytes).records;
      const got = batchesIn(records);
      if (offset === modelEnd()) {
        expect([context(op), got.length]).toEqual([context(op), 0]);
        return;
      }
      const first = model.findIndex((b) => b.lastOffset >= offset);
      expect([context(op), got.length > 0]).toEqual([context(op), true]);
      let at = 0;
      got.forEach((batch, i) => {
        const expected = model[first + i];
        expect([context(op), records.subarray(at, at + batch.size).equals(expected.bytes)]).toEqual([context(op), true]);
        at += batch.size;
      });
      if (got.length > 1) expect([context(op), records.length <= maxBytes]).toEqual([context(op), true]);
    };

    const checkAll = (op: string): void => {
      expect([context(op), log.logEndOffset]).toEqual([context(op), modelEnd()]);
      let offset = log.logStartOffset;
      const seen: Buffer[] = [];
      while (offset < log.logEndOffset) {
        const records = log.read(offset, 1 << 20).records;
        const batches = batchesIn(records);
        let at = 0;
        for (const b of batches) {
          seen.push(records.subarray(at, at + b.size));
          at += b.size;
        }
        offset = batches[batches.length - 1].lastOffset + 1;
      }
      expect([context(op), Buffer.concat(seen).equals(Buffer.concat(model.map((b) => b.bytes)))]).toEqual([context(op), true]);
    };

    try {
      for (let step = 0; step < 200; step++) {
        const dice = random();
        if (dice < 0.55) {
          const count = int(1, 5);
          const batches = Array.from({ length: int(1, 3) }, () => makeBatch(count, { valueBytes: int(0, 400), tag: `s${step}` }));
          const bytes = Buffer.concat(batches);
          const result = log.append(bytes);
          expect(result.baseOffset).toBe(modelEnd());
          let at = 0;
          for (const b of batchesIn(bytes)) {
            model.push({ baseOffset: b.baseOffset, lastOffset: b.lastOffset, bytes: Buffer.from(bytes.subarray(at, at + b.size)) });
            at += b.size;
          }
        } else if (dice < 0.75) {
          checkRead(int(start, modelEnd()), int(1, 3000), `read at step ${step}`);
        } else if (dice < 0.8) {
          log.roll();
        } else if (dice < 0.87) {
          const offset = int(start, modelEnd());
          log.truncateTo(offset);
          model = model.filter((b) => b.lastOffset < offset);
          checkAll(`truncateTo(${offset}) at step ${step}`);
        } else if (dice < 0.89) {
          start = modelEnd() + int(0, 50);
          log.truncateFullyAndStartAt(start);
          model = [];
        } else if (dice < 0.95) {
          await log.close();
          log = openLog(dir, config, { cleanShutdown: true });
          checkAll(`clean reopen at step ${step}`);
        } else {
          // Unclean: the old instance never closes (its index entries are never written); recover everything.
          stale.push(log);
          log = openLog(dir, config, { recoveryPoint: 0, logStartOffset: log.logStartOffset });
          checkAll(`unclean reopen at step ${step}`);
        }
      }
      checkAll('end');
    } finally {
      await log.close();
      for (const old of stale) old.closeWithoutFlush();
      tmp.cleanup();
    }
  });
});
