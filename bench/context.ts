import type { FixtureServer } from '../test/helpers/fixture-server.js';
import type { Row } from './report.js';
import { summarize, type Sample, type Stat } from './stats.js';

export interface BenchContext {
  pages: FixtureServer;
  /** Timed runs per case, and untimed warm-up runs before them. */
  rounds: number;
  warmup: number;
  /** Scratch directory (e.g. @playwright/mcp's output files). */
  tmp: string;
  /** Figures one item hands to a later one (e.g. the bare click for the loop's harness share). */
  shared: Map<string, Stat>;
}

export function stat(samples: Sample[]): Stat {
  return summarize(samples.map((s) => s.ms));
}

/** "12/12 fresh" when the samples carry a freshness verdict. */
export function freshness(samples: Sample[]): string {
  const judged = samples.filter((s) => s.fresh !== undefined);
  if (!judged.length) return '';
  const fresh = judged.filter((s) => s.fresh).length;
  const errors = samples.filter((s) => s.error);
  const failed = errors.length ? `, ${errors.length} failed: ${errors[0]!.error}` : '';
  return `new state shown ${fresh}/${judged.length} (${Math.round((100 * fresh) / judged.length)}%)${failed}`;
}

export function ratio(a: Stat | undefined, b: Stat | undefined): string {
  return a && b ? (a.median / b.median).toFixed(2) : '–';
}

/** "3.10x faster than X" or "1.36x slower than X", comparing medians of ours and theirs. */
export function speed(ours: Stat | undefined, theirs: Stat | undefined, name: string): string {
  if (!ours || !theirs) return '';
  const r = theirs.median / ours.median;
  return r >= 1 ? `${r.toFixed(2)}x faster than ${name}` : `${(1 / r).toFixed(2)}x slower than ${name}`;
}

export function row(item: string, contender: string, samples: Sample[], note = '', unit = 'ms'): Row {
  return { item, contender, stat: stat(samples), unit, note: [freshness(samples), note].filter(Boolean).join('; ') };
}
