import type { BenchContext } from './context.js';
import { ratio, row, speed, stat } from './context.js';
import { BarePlaywright, OurServer, PlaywrightMcp, type ClickDriver, type Driver, type Point } from './drivers.js';
import { BUTTON, INERT, TEXTAREA, type State } from './pages.js';
import { stateOf } from './pixels.js';
import type { Row } from './report.js';
import { sideBySide, timed, type Case, type Sample } from './stats.js';

/** open() untimed, then the timed action; `expect` checks the returned screenshot shows that state. */
function clickCase(driver: ClickDriver, url: string, at: Point, expect?: State, rounds?: number): Case {
  return {
    name: driver.name,
    rounds,
    run: async (): Promise<Sample> => {
      await driver.open(url);
      const start = performance.now();
      try {
        const { ms, value } = await timed(() => driver.click(at));
        return expect ? { ms, fresh: stateOf(value) === expect } : { ms };
      } catch (error) {
        return { ms: performance.now() - start, fresh: false, error: (error as Error).message.split('\n')[0] };
      }
    },
  };
}

const PATH: Point[] = Array.from({ length: 10 }, (_, i) => ({ x: 100 + i * 80, y: 200 + (i % 2) * 150 }));
const TEXT = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. 0123456789 ABCDEFGHIJ'.slice(0, 100);

/** Items 1-3: one step of each kind, our server against the browser alone and against @playwright/mcp. */
export async function benchSteps(ctx: BenchContext): Promise<Row[]> {
  const ours = await OurServer.start();
  const bare = await BarePlaywright.start();
  const pwmcp = await PlaywrightMcp.start(ctx.tmp);
  const rows: Row[] = [];
  try {
    // 1. A click that changes nothing, then the screenshot.
    const inert = ctx.pages.url('/realistic');
    for (const d of [ours, bare, pwmcp]) await d.open(inert);
    const idle = await sideBySide(
      [ours, bare, pwmcp].map((d) => ({ name: d.name, run: async () => ({ ms: (await timed(() => d.click(INERT))).ms }) })),
      ctx.warmup,
      // The headline comparison: more rounds, it is cheap.
      Math.round(ctx.rounds * 1.5),
    );
    const [o, b, p] = [ours, bare, pwmcp].map((d) => stat(idle.get(d.name)!));
    ctx.shared.set('bare click', b!);
    ctx.shared.set('ours click', o!);
    rows.push(
      row(
        '1. click (no change) + screenshot',
        ours.name,
        idle.get(ours.name)!,
        `${ratio(o, b)}x bare Playwright; ${speed(o, p, pwmcp.name)}`,
      ),
      row('1. click (no change) + screenshot', bare.name, idle.get(bare.name)!, 'mouse.click + page.screenshot, in process'),
      row(
        '1. click (no change) + screenshot',
        pwmcp.name,
        idle.get(pwmcp.name)!,
        'browser_mouse_click_xy + browser_take_screenshot, defaults',
      ),
    );

    // 2. Clicks with consequences: is the returned screenshot the new state?
    const scenarios: { label: string; path: string; expect: State; pwmcpRounds: number }[] = [
      { label: 'navigates (150 ms server)', path: '/nav', expect: 'navigated', pwmcpRounds: 5 },
      { label: 'fetch answered 204 (150 ms)', path: '/fetch', expect: 'fetched', pwmcpRounds: 3 },
      { label: 'opens a popup (150 ms server)', path: '/popup', expect: 'popup', pwmcpRounds: 5 },
    ];
    const clickRounds = Math.max(6, Math.round(ctx.rounds / 2));
    const actionRounds = Math.max(6, Math.round(ctx.rounds * 0.75));
    for (const s of scenarios) {
      const url = ctx.pages.url(s.path);
      const results = await sideBySide(
        [
          clickCase(ours, url, BUTTON, s.expect),
          clickCase(bare, url, BUTTON, s.expect),
          clickCase(pwmcp, url, BUTTON, s.expect, s.pwmcpRounds),
        ],
        1,
        clickRounds,
      );
      const item = `2. click that ${s.label}`;
      rows.push(
        row(item, ours.name, results.get(ours.name)!),
        row(item, `${bare.name} (no waiting; information)`, results.get(bare.name)!),
        row(item, `${pwmcp.name} (information)`, results.get(pwmcp.name)!),
      );
    }

    // 3. Typing, dragging, scrolling: ours against the browser alone.
    const actions: { label: string; path: string; prepare?: (d: Driver) => Promise<unknown>; act: (d: Driver) => Promise<Buffer> }[] = [
      { label: 'type 100 characters', path: '/type', prepare: (d) => d.click(TEXTAREA), act: (d) => d.type(TEXT) },
      { label: 'drag along 10 points', path: '/drag', act: (d) => d.drag(PATH) },
      { label: 'scroll 600 px', path: '/scroll', act: (d) => d.scroll({ x: 512, y: 384 }, 600) },
    ];
    for (const a of actions) {
      const url = ctx.pages.url(a.path);
      const cases = [ours, bare].map((d) => ({
        name: d.name,
        run: async () => {
          await d.open(url);
          await a.prepare?.(d);
          return { ms: (await timed(() => a.act(d))).ms };
        },
      }));
      // Our drag interpolates moves along the path (drag handlers need them): compare with the same moves too.
      const interpolated = 'bare Playwright, same interpolated moves';
      if (a.path === '/drag') {
        cases.push({
          name: interpolated,
          run: async () => (await bare.open(url), { ms: (await timed(() => bare.dragLikeOurs(PATH))).ms }),
        });
      }
      const results = await sideBySide(cases, 1, actionRounds);
      const item = `3. ${a.label} + screenshot`;
      const versus = (name: string) => `${ratio(stat(results.get(ours.name)!), stat(results.get(name)!))}x ${name}`;
      rows.push(
        row(
          item,
          ours.name,
          results.get(ours.name)!,
          [bare.name, interpolated]
            .filter((n) => results.has(n))
            .map(versus)
            .join('; '),
        ),
      );
      rows.push(row(item, bare.name, results.get(bare.name)!, a.path === '/drag' ? 'one move per point' : ''));
      if (results.has(interpolated)) rows.push(row(item, interpolated, results.get(interpolated)!, 'the same in-between moves as ours'));
    }
  } finally {
    await Promise.all([ours.close(), bare.close(), pwmcp.close()]);
  }
  return rows;
}
