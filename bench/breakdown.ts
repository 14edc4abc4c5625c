import type { BenchContext } from './context.js';
import { ratio, row, stat } from './context.js';
import { BarePlaywright, imageOf, OurServer } from './drivers.js';
import { INERT } from './pages.js';
import type { Row } from './report.js';
import { sideBySide, timed, type Sample } from './stats.js';

const ITEM = '0. where a step goes';

/** Each case run side by side, one row each, with the notes the medians make. */
async function measure(
  ctx: BenchContext,
  cases: Record<string, () => Promise<unknown>>,
  notes: (median: (name: string) => number, ratioTo: (name: string, base: string) => string) => Record<string, string>,
): Promise<Row[]> {
  const results = await sideBySide(
    Object.entries(cases).map(([name, run]) => ({ name, run: async () => ({ ms: (await timed(run)).ms }) })),
    ctx.warmup,
    Math.max(25, ctx.rounds),
  );
  const samples = (name: string): Sample[] => results.get(name)!;
  const written = notes(
    (name) => stat(samples(name)).median,
    (name, base) => ratio(stat(samples(name)), stat(samples(base))),
  );
  return Object.keys(cases).map((name) => row(ITEM, name, samples(name), written[name] ?? ''));
}

/**
 * Where the time of one step goes (issue 9's method): our click + returned
 * PNG over stdio through the real SDK client, against bare Playwright's
 * page.mouse.click + page.screenshot() in this process, and the pieces in
 * between, all interleaved on the ~200-line text page at 1024x768. Then, in
 * a second run with two more servers, our step where the screenshot cannot
 * overlap the settle check, and where the early one is thrown away.
 */
export async function benchBreakdown(ctx: BenchContext): Promise<Row[]> {
  const ours = await OurServer.start();
  const bare = await BarePlaywright.start();
  const extra: OurServer[] = [];
  try {
    const url = ctx.pages.url('/realistic');
    await ours.open(url);
    await bare.open(url);
    const page = bare.page;
    const frame = () => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const rows = await measure(
      ctx,
      {
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
      },
      (median, ratioTo) => ({
        'bare: click + one frame + screenshot': `the frame wait costs ${(median('bare: click + one frame + screenshot') - median('bare: click + screenshot')).toFixed(1)} ms`,
        'bare: click + frame + screenshot + base64 + JSON': `base64 and JSON of the PNG cost ${(median('bare: click + frame + screenshot + base64 + JSON') - median('bare: click + one frame + screenshot')).toFixed(1)} ms`,
        'ours: screenshot tool (no action)': `over bare screenshot + base64 + JSON: ${(median('ours: screenshot tool (no action)') - median('bare: screenshot alone') - (median('bare: click + frame + screenshot + base64 + JSON') - median('bare: click + one frame + screenshot'))).toFixed(1)} ms for stdio, the SDKs and the state (URL, title, tabs)`,
        'ours: click + screenshot': `${ratioTo('ours: click + screenshot', 'bare: click + screenshot')}x bare click + screenshot (target 1.10x); the screenshot overlaps the settle check's frame, the click and the rest take ${(median('ours: click + screenshot') - median('ours: screenshot tool (no action)')).toFixed(1)} ms beyond the screenshot call`,
      }),
    );

    const waiting = await OurServer.start();
    const late = await OurServer.start();
    extra.push(waiting, late);
    await waiting.open(ctx.pages.url('/realistic-canvas'));
    await late.open(ctx.pages.url('/realistic-late'));
    const plain = 'ours: click + screenshot (again, beside the two below)';
    const canvas = 'ours: click + screenshot, page with a canvas';
    const changing = 'ours: click + screenshot, page that changes 4 ms after each click';
    rows.push(
      ...(await measure(
        ctx,
        { [plain]: () => ours.click(INERT), [canvas]: () => waiting.click(INERT), [changing]: () => late.click(INERT) },
        (_median, ratioTo) => ({
          [canvas]: `${ratioTo(canvas, plain)}x the plain page: the harness cannot see a script draw on a canvas (nor into frames), so the screenshot waits for the settle check's frame`,
          [changing]: `${ratioTo(changing, plain)}x the plain page: after a check that found a change, the next step on the page waits for the frame rather than take a screenshot it may throw away`,
        }),
      )),
    );
    return rows;
  } finally {
    await Promise.all([ours.close(), bare.close(), ...extra.map((s) => s.close())]);
  }
}
