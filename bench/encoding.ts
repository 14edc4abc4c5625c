import { chromium } from 'playwright';
import { chromiumArgs } from '../src/browser/launcher.js';
import type { BenchContext } from './context.js';
import { row } from './context.js';
import { CHROMIUM, OurServer } from './drivers.js';
import type { Row } from './report.js';
import { sideBySide, summarize, timed } from './stats.js';

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
] as const;
const FORMATS = ['png', 'jpeg'] as const;
const JPEG_QUALITY = 80;

/** Item 5: screenshot size and time per format and display size, on the realistic page. */
export async function benchEncoding(ctx: BenchContext): Promise<Row[]> {
  const url = ctx.pages.url('/realistic');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: size, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(url);
      const servers = await Promise.all(
        FORMATS.map((format) =>
          OurServer.start([
            '--display-size',
            `${size.width}x${size.height}`,
            '--image-format',
            format,
            '--image-quality',
            String(JPEG_QUALITY),
            '--start-url',
            url,
          ]),
        ),
      );
      try {
        const bytes = new Map<string, number[]>();
        const cases = FORMATS.flatMap((format, i) => [
          {
            name: `bare ${format}`,
            run: async () => {
              const { ms, value } = await timed(() =>
                page.screenshot({ type: format, quality: format === 'jpeg' ? JPEG_QUALITY : undefined }),
              );
              bytes.set(`bare ${format}`, [...(bytes.get(`bare ${format}`) ?? []), value.length]);
              return { ms };
            },
          },
          {
            name: `ours ${format}`,
            run: async () => {
              const { ms, value } = await timed(() => servers[i]!.mcp.call('screenshot'));
              const shot = (value.structuredContent as { screenshot: { bytes: number } }).screenshot;
              bytes.set(`ours ${format}`, [...(bytes.get(`ours ${format}`) ?? []), shot.bytes]);
              return { ms };
            },
          },
        ]);
        const results = await sideBySide(cases, 2, Math.max(6, Math.round(ctx.rounds * 0.75)));
        for (const format of FORMATS) {
          const item = `5. screenshot ${size.width}x${size.height} ${format.toUpperCase()}${format === 'jpeg' ? ` q${JPEG_QUALITY}` : ''}`;
          const kib = (name: string) => `${(summarize(bytes.get(name)!).median / 1024).toFixed(0)} KiB`;
          rows.push(
            row(
              item,
              'cua-mcp (ours) screenshot tool',
              results.get(`ours ${format}`)!,
              `${kib(`ours ${format}`)} (base64 in the result: ×4/3)`,
            ),
            row(item, 'bare page.screenshot (capture + encode)', results.get(`bare ${format}`)!, kib(`bare ${format}`)),
          );
        }
      } finally {
        await Promise.all(servers.map((s) => s.close()));
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}
