import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onPath } from '../src/desktop/process-group.js';
import { encodePng } from '../src/desktop/frame-image.js';
import { XConnection } from '../src/desktop/x-connection.js';
import { decodePng, pixel } from '../test/helpers/png.js';
import { xvfbAuthFile } from '../test/helpers/x-client.js';
import type { BenchContext } from './context.js';
import { row, speed, stat } from './context.js';
import { OurServer } from './drivers.js';
import type { Row } from './report.js';
import { sideBySide, timed, type Sample } from './stats.js';

const run = promisify(execFile);
const PROBE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/tk-probe.py');
const ITEM = '8. desktop step (click + screenshot), 1024x768 Xvfb';
const CAPTURE = '8. desktop screenshot 1024x768 (capture + PNG)';

/** The probe marks every left click with a blue square: is it in the screenshot? */
function showsClick(png: Buffer, at: { x: number; y: number }): boolean {
  const [r, g, b] = pixel(decodePng(png), at.x, at.y);
  return r < 40 && g < 40 && b > 200;
}

/**
 * Item 8: one desktop step, click + screenshot, as our server does it
 * (XTEST input, settle on two identical frames, GetImage and PNG, all
 * in-process) against the obvious alternative (an xdotool process, then
 * ImageMagick's `import -window root png:-`, no settle), on the same
 * display; and the capture alone.
 */
export async function benchDesktop(ctx: BenchContext): Promise<Row[]> {
  const missing = ['Xvfb', 'xdotool', 'import'].filter((c) => !onPath(c));
  if (missing.length) return [{ item: ITEM, contender: 'skipped', unit: '', note: `needs ${missing.join(', ')}` }];
  const log = path.join(ctx.tmp, 'probe.jsonl');
  const server = await OurServer.start(['--desktop-app', `probe=/usr/bin/python3 ${PROBE} ${log}`, '--desktop-window-manager', 'none']);
  try {
    const opened = await server.mcp.call('new_session', { environment: 'desktop' });
    const session = (opened.structuredContent as { session_id: string }).session_id;
    await server.mcp.call('launch_app', { session_id: session, app: 'probe' });
    const listed = await server.mcp.call('list_sessions', {});
    const display = /Xvfb (:\d+)/.exec(String((listed.structuredContent as { desktop: string }).desktop))![1]!;
    // The display takes only clients with its cookie: xdotool, import and our connection read it from XAUTHORITY.
    process.env.XAUTHORITY = xvfbAuthFile(server.mcp.pid);
    const env = { ...process.env, DISPLAY: display };
    const screen = await XConnection.connect(display);
    let n = 0;
    // A new spot every click, so each screenshot has something new to show.
    const nextSpot = () => {
      n++;
      return { x: 200 + ((n * 37) % 600), y: 200 + ((n * 53) % 400) };
    };
    const cases = [
      {
        name: 'ours',
        run: async (): Promise<Sample> => {
          const at = nextSpot();
          const { ms, value } = await timed(() => server.mcp.call('computer', { session_id: session, actions: [{ type: 'click', x: at.x, y: at.y }] }));
          const image = value.content.find((c) => c.type === 'image');
          return { ms, fresh: image?.type === 'image' && showsClick(Buffer.from(image.data, 'base64'), at) };
        },
      },
      {
        name: 'xdotool + import',
        run: async (): Promise<Sample> => {
          const at = nextSpot();
          const { ms, value } = await timed(async () => {
            await run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1'], { env });
            return (await run('import', ['-window', 'root', 'png:-'], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })).stdout;
          });
          return { ms, fresh: showsClick(value, at) };
        },
      },
    ];
    const steps = await sideBySide(cases, ctx.warmup, ctx.rounds);
    const captures = await sideBySide(
      [
        { name: 'ours', run: async () => ({ ms: (await timed(async () => encodePng(await screen.capture(), screen))).ms }) },
        { name: 'import', run: async () => ({ ms: (await timed(() => run('import', ['-window', 'root', 'png:-'], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }))).ms }) },
      ],
      ctx.warmup,
      ctx.rounds,
    );
    await screen.close();
    return [
      row(ITEM, 'cua-mcp (ours) computer click', steps.get('ours')!, `${speed(stat(steps.get('ours')!), stat(steps.get('xdotool + import')!), 'xdotool + import')}; settle included (two identical frames 50 ms apart)`),
      row(ITEM, 'xdotool click + ImageMagick import (no settle)', steps.get('xdotool + import')!, 'what a shell harness does; no wait for the screen to catch up'),
      row(CAPTURE, 'ours: GetImage (npm x11) + node:zlib PNG', captures.get('ours')!, speed(stat(captures.get('ours')!), stat(captures.get('import')!), 'import')),
      row(CAPTURE, 'ImageMagick import -window root png:-', captures.get('import')!, 'a process per screenshot'),
    ];
  } finally {
    await server.close();
  }
}
