import fs from 'node:fs';
import os from 'node:os';
import type { Stat } from './stats.js';

/** One line of the results table. */
export interface Row {
  item: string;
  contender: string;
  stat?: Stat;
  unit: string;
  /** Ratios, freshness, sizes: whatever makes the figure comparable. */
  note: string;
}

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  chromium: string;
  node: string;
  loadAverage: string;
}

export function machine(chromium: string): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    chromium,
    node: process.version,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function num(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function markdownTable(rows: Row[]): string {
  const lines = ['| Item | Contender | Median | Min | Max | Unit | n | Notes |', '|---|---|---:|---:|---:|---|---:|---|'];
  for (const r of rows) {
    const s = r.stat;
    lines.push(
      `| ${r.item} | ${r.contender} | ${s ? num(s.median) : '–'} | ${s ? num(s.min) : '–'} | ${s ? num(s.max) : '–'} | ${r.unit} | ${s?.n ?? ''} | ${r.note} |`,
    );
  }
  return lines.join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.date} · ${m.cpus} CPUs (${m.cpuModel}) · ${m.chromium} · Node ${m.node} · load average at start ${m.loadAverage}`;
}

export function writeResults(dir: string, m: Machine, rows: Row[]): string {
  const table = markdownTable(rows);
  const md = `# Benchmark results\n\n${machineLine(m)}\n\nReproduce: \`npm run bench\`. Each figure is the median of n timed runs (after warm-up), contenders interleaved round by round in one process run.\n\n${table}\n`;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/results.md`, md);
  fs.writeFileSync(`${dir}/results.json`, JSON.stringify({ machine: m, rows }, null, 2) + '\n');
  return table;
}
