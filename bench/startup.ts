import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { BenchContext } from './context.js';
import { row, speed, stat } from './context.js';
import { OurServer } from './drivers.js';
import type { Row } from './report.js';
import { sideBySide, timed, type Case } from './stats.js';

const CLIENT_INFO = { name: 'cua-mcp-bench', version: '1.0.0' };

/** The opening message of each protocol era, as Claude Code sends them over stdio (server/discover first, initialize as its fallback). */
const OPENINGS = {
  '2026 server/discover': {
    method: 'server/discover',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
      },
    },
  },
  '2025 initialize': { method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: CLIENT_INFO } },
} as const;

/** Bare Node answering the first line it reads: what starting any Node process costs on this machine now. */
const BARE_NODE = [
  '-e',
  "require('readline').createInterface({input:process.stdin}).once('line',(l)=>{process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:JSON.parse(l).id,result:{}})+'\\n');process.exit(0)})",
];

/** From spawn to the answer's line on stdout; the process is then ended. */
async function firstAnswer(args: string[], message: object): Promise<{ ms: number }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, CUA_LOG_LEVEL: 'warn' } });
  const { ms } = await timed(async () => {
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, ...message })}\n`);
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const answer = JSON.parse(line) as { id?: unknown; result?: unknown };
    if (answer.id !== 1 || !answer.result) throw new Error(`unexpected answer: ${line}`);
  });
  child.stdin.end();
  if (child.exitCode === null) await once(child, 'exit');
  return { ms };
}

/**
 * Item `startup`: how soon a spawned stdio server answers the first
 * request of each era, beside bare Node answering the same in the same
 * run. CUA_BENCH_BEFORE=<another build's dist/src/cli.js> adds that build
 * as a contender (e.g. main before a change).
 */
export async function benchStartup(ctx: BenchContext): Promise<Row[]> {
  const before = process.env.CUA_BENCH_BEFORE;
  const rounds = Math.max(5, Math.round(ctx.rounds / 2));
  const rows: Row[] = [];
  for (const [opening, message] of Object.entries(OPENINGS)) {
    const cases: Case[] = [
      { name: 'cua-mcp (ours)', run: () => firstAnswer(OurServer.cliArgs(), message) },
      ...(before ? [{ name: 'cua-mcp (before)', run: () => firstAnswer([before, '--headless'], message) }] : []),
      { name: 'bare node -e', run: () => firstAnswer(BARE_NODE, message) },
    ];
    const results = await sideBySide(cases, 1, rounds);
    const bare = stat(results.get('bare node -e')!);
    const item = `startup: spawn → answer to ${opening} (stdio)`;
    for (const c of cases) {
      const samples = results.get(c.name)!;
      const ratioToBare = `${(stat(samples).median / bare.median).toFixed(1)}x bare node`;
      const vsBefore =
        c.name === 'cua-mcp (ours)' && before ? `; ${speed(stat(samples), stat(results.get('cua-mcp (before)')!), 'before')}` : '';
      rows.push(row(item, c.name, samples, c.name === 'bare node -e' ? 'baseline' : `${ratioToBare}${vsBefore}`));
    }
  }
  return rows;
}
