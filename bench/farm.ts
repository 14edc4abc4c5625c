import { BrowserHost, FarmBalancer } from '../test/helpers/browser-farm.js';
import type { BenchContext } from './context.js';
import { ratio, row, stat } from './context.js';
import { OurServer } from './drivers.js';
import type { Row } from './report.js';
import { sideBySide, timed, type Sample } from './stats.js';

/** How many sessions are opened at once through the pool to see how they spread. */
const SPREAD_SESSIONS = 8;

/**
 * The browser farm: opening a session through HAProxy and two `playwright
 * run-server` hosts (a connection and a browser of its own) beside opening
 * one locally, in a browser already running and in a browser launched for
 * it; then how sessions opened at once spread over the hosts.
 */
export async function benchFarm(ctx: BenchContext): Promise<Row[]> {
  const hosts: [BrowserHost, BrowserHost] = [await BrowserHost.start(), await BrowserHost.start()];
  const balancer = await FarmBalancer.start(hosts);
  const url = ctx.pages.url('/');
  const pool = await OurServer.start(['--browser-endpoint', balancer.endpoint]);
  const local = await OurServer.start();
  const rows: Row[] = [];
  try {
    await local.mcp.call('screenshot'); // the local browser runs from now on
    const openAndClose = (server: OurServer) => async (): Promise<Sample> => {
      const { ms, value } = await timed(() => server.mcp.call('new_session', { start_url: url }));
      await server.mcp.call('close_session', { session_id: (value.structuredContent as { session_id: string }).session_id });
      return { ms };
    };
    const firstLocal = async (): Promise<Sample> => {
      const fresh = await OurServer.start();
      try {
        return { ms: (await timed(() => fresh.mcp.call('new_session', { start_url: url }))).ms };
      } finally {
        await fresh.close();
      }
    };
    const names = {
      pool: 'through the pool (HAProxy, run-server)',
      warm: 'local, browser running',
      cold: 'local, browser launched for it',
    };
    const results = await sideBySide(
      [
        { name: names.pool, run: openAndClose(pool) },
        { name: names.warm, run: openAndClose(local) },
        { name: names.cold, run: firstLocal },
      ],
      1,
      Math.max(3, Math.round(ctx.rounds / 4)),
    );
    const item = 'farm: new_session';
    const [pooled, warm, cold] = [names.pool, names.warm, names.cold].map((name) => results.get(name)!);
    const note = `${ratio(stat(pooled!), stat(warm!))}x a local session in a running browser, ${ratio(stat(pooled!), stat(cold!))}x one in a browser launched for it: run-server launches a browser per connection`;
    rows.push(row(item, names.pool, pooled!, note), row(item, names.warm, warm!), row(item, names.cold, cold!));

    const opened = await Promise.all(Array.from({ length: SPREAD_SESSIONS }, () => pool.mcp.call('new_session', { start_url: url })));
    const perHost = hosts.map((h) => h.browsers().length);
    rows.push({
      item: 'farm: sessions per host',
      contender: `${SPREAD_SESSIONS} opened at once`,
      stat: { median: Math.max(...perHost), min: Math.min(...perHost), max: Math.max(...perHost), n: 1 },
      unit: 'sessions',
      note: `hosts: ${perHost.join(' / ')} (HAProxy leastconn)`,
    });
    for (const result of opened)
      await pool.mcp.call('close_session', { session_id: (result.structuredContent as { session_id: string }).session_id });
  } finally {
    await pool.close();
    await local.close();
    await balancer.stop();
    for (const host of hosts) await host.kill();
  }
  return rows;
}
