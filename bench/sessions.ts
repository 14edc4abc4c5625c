import type { BenchContext } from './context.js';
import { OurServer } from './drivers.js';
import { treeMemory, type TreeMemory } from './memory.js';
import type { Row } from './report.js';

const COUNTS = [1, 5, 10];

/** Item 6: memory of the server and all its browser processes with 1, 5 and 10 sessions open on the realistic page. */
export async function benchMemory(ctx: BenchContext): Promise<Row[]> {
  const server = await OurServer.start();
  const rows: Row[] = [];
  const single = (value: number) => ({ median: value, min: value, max: value, n: 1 });
  const note = (m: TreeMemory) => `RSS sum ${m.rssMiB.toFixed(0)} MiB over ${m.processes} processes`;
  try {
    const measured: TreeMemory[] = [];
    let open = 0;
    for (const count of COUNTS) {
      for (; open < count; open++) await server.mcp.call('new_session', { start_url: ctx.pages.url('/realistic') });
      // Let the renderers finish their first paint and settle their heaps.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const m = treeMemory(server.mcp.pid);
      measured.push(m);
      rows.push({
        item: `6. memory, ${count} session(s)`,
        contender: 'cua-mcp (ours)',
        stat: single(m.pssMiB),
        unit: 'MiB PSS',
        note: note(m),
      });
    }
    const first = measured[0]!;
    const last = measured.at(-1)!;
    const extra = COUNTS.at(-1)! - COUNTS[0]!;
    rows.push({
      item: '6. memory per extra session',
      contender: 'cua-mcp (ours)',
      stat: single((last.pssMiB - first.pssMiB) / extra),
      unit: 'MiB PSS',
      note: `(10 sessions − 1) / 9; RSS: ${((last.rssMiB - first.rssMiB) / extra).toFixed(1)} MiB`,
    });
  } finally {
    await server.close();
  }
  return rows;
}
