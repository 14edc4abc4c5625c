import type { BenchContext } from './context.js';
import { ratio, row, stat } from './context.js';
import { BarePlaywright, imageOf, OurServer } from './drivers.js';
import { INERT } from './pages.js';
import type { Row } from './report.js';
import { sideBySide, timed } from './stats.js';

/**
 * Where the time of one step goes (issue 9's method): our click + returned
 * PNG over stdio through the real SDK client, against bare Playwright's
 * page.mouse.click + page.screenshot() in this process, and the pieces in
 * between, all interleaved on the ~200-line text page at 1024x768; and our
 * step where the screenshot cannot overlap the settle check, and where the
 * early one is thrown away.
 */
export async function benchBreakdown(ctx: BenchContext): Promise<Row[]> {
  const ours = await OurServer.start();
  const oursWaiting = await OurServer.start();
  const oursLate = await OurServer.start();
  const bare = await BarePlaywright.start();
  const url = ctx.pages.url('/realistic');
  await ours.open(url);
  await oursWaiting.open(ctx.pages.url('/realistic-canvas'));
  await oursLate.open(ctx.pages.url('/realistic-late'));
  await bare.open(url);
  const page = bare.page;
  const frame = () => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  const cases: Record<string, () => Promise<unknown>> = {
    'bare: click + screenshot': () => bare.click(INERT),
    'bare: screenshot alone': () => page.screenshot(),
    'bare: click + one frame + screenshot': async () => {
      await page.mouse.click(INERT.x, INERT.y);
      await frame();
      return page.screenshot();
    },
    'bare: click + frame + screenshot + base64 + JSON': async () => {
      await page.mouse.click(INERT.x, INERT.y);
      await frame();
      const png = await page.screenshot();
      return JSON.parse(JSON.stringify({ content: [{ type: 'image', data: png.toString('base64') }] }));
    },
    'ours: screenshot tool (no action)': async () => imageOf(await ours.mcp.call('screenshot', { session_id: ours.sessionId })),
    'ours: click + screenshot': () => ours.click(INERT),
    'ours: click + screenshot, page with a canvas': () => oursWaiting.click(INERT),
    'ours: click + screenshot, page that changes 4 ms after': () => oursLate.click(INERT),
  };
  try {
    const results = await sideBySide(
      Object.entries(cases).map(([name, run]) => ({ name, run: async () => ({ ms: (await timed(run)).ms }) })),
      ctx.warmup,
      Math.max(25, ctx.rounds),
    );
    const median = (name: string) => stat(results.get(name)!).median;
    const bareStep = median('bare: click + screenshot');
    const oursStep = median('ours: click + screenshot');
    const notes: Record<string, string> = {
      'bare: click + one frame + screenshot': `the frame wait costs ${(median('bare: click + one frame + screenshot') - bareStep).toFixed(1)} ms`,
      'bare: click + frame + screenshot + base64 + JSON': `base64 and JSON of the PNG cost ${(median('bare: click + frame + screenshot + base64 + JSON') - median('bare: click + one frame + screenshot')).toFixed(1)} ms`,
      'ours: screenshot tool (no action)': `over bare screenshot + base64 + JSON: ${(median('ours: screenshot tool (no action)') - median('bare: screenshot alone') - (median('bare: click + frame + screenshot + base64 + JSON') - median('bare: click + one frame + screenshot'))).toFixed(1)} ms for stdio, the SDKs and the state (URL, title, tabs)`,
      'ours: click + screenshot': `${ratio(stat(results.get('ours: click + screenshot')!), stat(results.get('bare: click + screenshot')!))}x bare click + screenshot (target 1.10x); the screenshot overlaps the settle check's frame, the click and the rest take ${(oursStep - median('ours: screenshot tool (no action)')).toFixed(1)} ms beyond the screenshot call`,
      'ours: click + screenshot, page with a canvas': `${ratio(stat(results.get('ours: click + screenshot, page with a canvas')!), stat(results.get('bare: click + screenshot')!))}x bare: where the harness cannot watch the page (a canvas, frames), the screenshot waits for the settle check's frame`,
      'ours: click + screenshot, page that changes 4 ms after': `${ratio(stat(results.get('ours: click + screenshot, page that changes 4 ms after')!), stat(results.get('bare: click + screenshot')!))}x bare: the early screenshot is thrown away and taken again after the check`,
    };
    return Object.keys(cases).map((name) => row('0. where a step goes', name, results.get(name)!, notes[name] ?? ''));
  } finally {
    await Promise.all([ours.close(), oursWaiting.close(), oursLate.close(), bare.close()]);
  }
}
