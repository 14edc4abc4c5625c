import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBreakdown } from './breakdown.js';
import { benchColdStart } from './coldstart.js';
import type { BenchContext } from './context.js';
import { CHROMIUM } from './drivers.js';
import { benchDesktop } from './desktop.js';
import { benchEncoding } from './encoding.js';
import { benchFarm } from './farm.js';
import { benchHistory } from './history.js';
import { benchDensity, benchLoad } from './load.js';
import { benchLoop } from './loop.js';
import { startPages } from './pages.js';
import { machine, markdownTable, writeResults, type Row } from './report.js';
import { benchMemory } from './sessions.js';
import { benchSteps } from './steps.js';
import { benchStartup } from './startup.js';

/** bench/ in the source tree: results are committed next to the code that produced them. */
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');

const ITEMS = {
  breakdown: benchBreakdown,
  steps: benchSteps,
  coldstart: benchColdStart,
  encoding: benchEncoding,
  memory: benchMemory,
  loop: benchLoop,
  desktop: benchDesktop,
  history: benchHistory,
  load: benchLoad,
  density: benchDensity,
  farm: benchFarm,
  startup: benchStartup,
};

async function main(): Promise<void> {
  // `npm run bench -- loop memory` runs only those items; BENCH_ROUNDS changes the number of timed runs.
  const only = process.argv.slice(2);
  const chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const m = machine(chromium);
  const ctx: BenchContext = {
    pages: await startPages(),
    rounds: Number(process.env.BENCH_ROUNDS ?? 20),
    warmup: 3,
    tmp: fs.mkdtempSync(path.join(os.tmpdir(), 'cua-bench-')),
    shared: new Map(),
  };
  const rows: Row[] = [];
  const started = performance.now();
  try {
    for (const [name, bench] of Object.entries(ITEMS)) {
      if (only.length && !only.includes(name)) continue;
      const t0 = performance.now();
      process.stderr.write(`bench: ${name}...\n`);
      rows.push(...(await bench(ctx)));
      process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  } finally {
    await ctx.pages.stop();
    fs.rmSync(ctx.tmp, { recursive: true, force: true });
  }
  // A partial run only prints: the committed results always hold every item.
  const table = only.length ? markdownTable(rows) : writeResults(OUT, m, rows);
  process.stdout.write(`${table}\n\n${m.cpus} CPUs, ${m.cpuModel}, ${chromium}; ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  if (!only.length) process.stdout.write(`written to ${OUT}/results.md and results.json\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
