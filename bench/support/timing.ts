/**
 * Repeats `fn` until `minMs` of wall time has passed (after a short warm-up that lets
 * the JIT settle) and reports the mean time per call. Figures, never assertions: a
 * benchmark prints what it measured and the reader judges.
 */
export interface Timing {
  /** Calls measured (warm-up excluded). */
  iterations: number;
  /** Mean nanoseconds per call. */
  nsPerOp: number;
  opsPerSec: number;
}

export interface MeasureOptions {
  minMs?: number;
  warmupMs?: number;
}

function runFor(fn: () => unknown, ms: number): { iterations: number; elapsedNs: number } {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let iterations = 0;
  let now = start;
  // Check the clock every `batch` calls so very fast functions are not dominated by hrtime.
  let batch = 1;
  while (now < deadline) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    iterations += batch;
    now = process.hrtime.bigint();
    if (now - t0 < 1_000_000n && batch < 1 << 20) batch *= 2;
  }
  return { iterations, elapsedNs: Number(now - start) };
}

export function measure(fn: () => unknown, options: MeasureOptions = {}): Timing {
  runFor(fn, options.warmupMs ?? 200);
  const { iterations, elapsedNs } = runFor(fn, options.minMs ?? 1000);
  const nsPerOp = elapsedNs / iterations;
  return { iterations, nsPerOp, opsPerSec: 1e9 / nsPerOp };
}

/** Bytes per call at a timing's rate, in MB/s (10^6 bytes). */
export const mbPerSec = (t: Timing, bytesPerOp: number): number => (bytesPerOp * t.opsPerSec) / 1e6;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
