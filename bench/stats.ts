// Latency summaries. Percentiles by the nearest-rank method over every sample.

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

function rank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** Summarises latency samples (milliseconds); an empty set gives NaN figures. */
export function summarise(samples: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50Ms: rank(sorted, 0.5),
    p99Ms: rank(sorted, 0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? NaN) : NaN,
    meanMs: sorted.length ? sum / sorted.length : NaN,
  };
}

/** A growable buffer of samples that never copies on every push. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  private used = 0;

  push(v: number): void {
    if (this.used === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.used++] = v;
  }

  get length(): number {
    return this.used;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.used);
  }
}
