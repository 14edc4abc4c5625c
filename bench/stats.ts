/** One figure of the table: the median of several runs, with their spread. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(samples: number[]): Stat {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

/** What one timed run of a case reports: its duration and, where it applies, whether the screenshot showed the new state. */
export interface Sample {
  ms: number;
  fresh?: boolean;
  /** The action threw (e.g. a screenshot taken mid-navigation); counted as not showing the new state. */
  error?: string;
}

/** A contender in a side-by-side comparison. `rounds` caps a slow one (e.g. a fixed multi-second wait). */
export interface Case {
  name: string;
  run: () => Promise<Sample>;
  rounds?: number;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/**
 * Runs every case once per round, rotating the order each round, so the
 * machine's noise (other processes, GC) falls on all contenders alike.
 */
export async function sideBySide(cases: Case[], warmup: number, rounds: number): Promise<Map<string, Sample[]>> {
  const results = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  for (let round = -warmup; round < rounds; round++) {
    const order = cases.map((_, i) => cases[(i + Math.max(round, 0)) % cases.length]!);
    for (const c of order) {
      // A capped (slow) case warms up once only.
      const warm = c.rounds === undefined ? warmup : Math.min(warmup, 1);
      if (round >= (c.rounds ?? rounds) || round < -warm) continue;
      const sample = await c.run();
      if (round >= 0) results.get(c.name)!.push(sample);
    }
  }
  return results;
}
