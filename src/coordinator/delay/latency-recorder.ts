const SAMPLES = 65_536;

/**
 * Delivery lateness (acknowledged time minus due time) of the last 65,536 delivered
 * records, for the admin endpoint and the benchmark: a ring of samples, sorted only when
 * percentiles are asked for.
 */
export class LatencyRecorder {
  private readonly samples = new Float64Array(SAMPLES);
  private count = 0;
  private next = 0;

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % SAMPLES;
    if (this.count < SAMPLES) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The recorded samples (a copy, unordered). */
  values(): Float64Array {
    return this.samples.slice(0, this.count);
  }
}

/** Median and 99th percentile over several recorders' samples; nulls when there are none. */
export function latencySummary(recorders: readonly LatencyRecorder[]): { samples: number; p50: number | null; p99: number | null } {
  const total = recorders.reduce((n, r) => n + r.size, 0);
  if (total === 0) return { samples: 0, p50: null, p99: null };
  const all = new Float64Array(total);
  let at = 0;
  for (const r of recorders) {
    all.set(r.values(), at);
    at += r.size;
  }
  all.sort();
  const pick = (p: number): number => all[Math.min(total - 1, Math.max(0, Math.ceil((p / 100) * total) - 1))];
  return { samples: total, p50: pick(50), p99: pick(99) };
}
