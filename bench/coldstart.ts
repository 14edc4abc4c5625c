import type { BenchContext } from './context.js';
import { row, speed, stat } from './context.js';
import { imageOf, McpProcess, OurServer, PlaywrightMcp } from './drivers.js';
import type { Row } from './report.js';
import { sideBySide, timed } from './stats.js';

/** Item 4: from spawning the server process to holding its first screenshot. */
export async function benchColdStart(ctx: BenchContext): Promise<Row[]> {
  const coldStart = (args: string[], env: Record<string, string>, tool: string) => async () => {
    let server: McpProcess | undefined;
    const { ms } = await timed(async () => {
      server = await McpProcess.spawn(args, env);
      imageOf(await server.call(tool));
    });
    await server?.close();
    return { ms };
  };
  const ours = 'cua-mcp (ours)';
  const theirs = '@playwright/mcp';
  const rounds = Math.max(3, Math.round(ctx.rounds / 4));
  const results = await sideBySide(
    [
      { name: ours, run: coldStart(OurServer.cliArgs(), { CUA_LOG_LEVEL: 'warn' }, 'screenshot') },
      { name: theirs, run: coldStart(await PlaywrightMcp.cliArgs(ctx.tmp), {}, 'browser_take_screenshot') },
    ],
    1,
    rounds,
  );
  const item = '4. cold start: spawn → first screenshot';
  return [
    row(
      item,
      ours,
      results.get(ours)!,
      `${speed(stat(results.get(ours)!), stat(results.get(theirs)!), theirs)}; browser launched on the first call`,
    ),
    row(item, theirs, results.get(theirs)!),
  ];
}
