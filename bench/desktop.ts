import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onPath } from '../src/desktop/process-group.js';
import { LAUNCH_QUIET_MS, QUIET_MS, REACTION_MS } from '../src/desktop/desktop-session.js';
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
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');
const PROBE = path.join(FIXTURES, 'tk-probe.py');
const LATE_BUTTON = path.join(FIXTURES, 'tk-late-button.py');
const ITEM = '8. desktop step (click + screenshot), 1024x768 Xvfb';
const CAPTURE = '8. desktop screenshot 1024x768 (capture + PNG)';
const NO_CHANGE = '8. desktop step that changes nothing (click on an empty spot)';
const LATE = '8. desktop step whose reaction comes 100 ms later (a Tk button that shows nothing before)';
const LAUNCH = '8. desktop launch_app to ready (a Tk window, fresh session)';
const LINES = '8. desktop type of 60 lines into a window that ignores them';
/** What simple harnesses do between an action and the screenshot. */
const FIXED_SLEEP_MS = 500;
/** tk-late-button.py's background colours, in the order presses cycle through them. */
const LATE_COLOURS: [number, number, number][] = [
  [0xff, 0xff, 0xff],
  [0x20, 0x60, 0xc0],
  [0x20, 0xa0, 0x40],
  [0xc0, 0x40, 0x20],
];
const EMPTY_SPOT = { x: 900, y: 700 };

/** The probe marks every left click with a blue square: is it in the screenshot? */
function showsClick(png: Buffer, at: { x: number; y: number }): boolean {
  const [r, g, b] = pixel(decodePng(png), at.x, at.y);
  return r < 40 && g < 40 && b > 200;
}

const sameColour = (a: [number, number, number], b: [number, number, number]) => a.every((v, i) => Math.abs(v - b[i]!) <= 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Item 8, reactions: a step that changes nothing, a step whose reaction
 * comes 100 ms late, and launch_app until the application is ready; ours
 * (settle on the X server's damage reports) beside xdotool + a fixed
 * FIXED_SLEEP_MS + ImageMagick `import`, on the same display.
 */
async function benchReactions(ctx: BenchContext): Promise<Row[]> {
  const log = path.join(ctx.tmp, 'late.jsonl');
  const server = await OurServer.start([
    '--desktop-app',
    `late=/usr/bin/python3 ${LATE_BUTTON} ${log} 100 flat`,
    '--desktop-window-manager',
    'none',
  ]);
  try {
    const newDesktop = async () => {
      const opened = await server.mcp.call('new_session', { environment: 'desktop' });
      const session = (opened.structuredContent as { session_id: string }).session_id;
      const listed = await server.mcp.call('list_sessions', {});
      // One desktop session at a time here: the one display listed is this session's.
      const display = /Xvfb (:\d+)/.exec(String((listed.structuredContent as { desktop: string }).desktop))![1]!;
      // The display takes only clients with its cookie: xdotool and import read it from XAUTHORITY.
      return { session, env: { ...process.env, DISPLAY: display, XAUTHORITY: xvfbAuthFile(server.mcp.pid) } };
    };
    const { session, env } = await newDesktop();
    await server.mcp.call('launch_app', { session_id: session, app: 'late' });
    await sleep(500);
    const button = JSON.parse(fs.readFileSync(log, 'utf8').split('\n')[0]!) as { x: number; y: number };
    const click = (at: { x: number; y: number }) =>
      server.mcp.call('computer', { session_id: session, actions: [{ type: 'click', x: at.x, y: at.y }] });
    const theirClick = async (at: { x: number; y: number }) => {
      await run('xdotool', ['mousemove', String(at.x), String(at.y), 'click', '1'], { env });
      await sleep(FIXED_SLEEP_MS);
      return (await run('import', ['-window', 'root', 'png:-'], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })).stdout;
    };
    const imageOf = (result: Awaited<ReturnType<typeof click>>) => {
      const image = result.content.find((c) => c.type === 'image');
      return image?.type === 'image' ? Buffer.from(image.data, 'base64') : Buffer.alloc(0);
    };
    let presses = 0;
    /** Does the screenshot show the window in the colour of the latest press? */
    const showsPress = (png: Buffer) =>
      png.length > 0 && sameColour(pixel(decodePng(png), EMPTY_SPOT.x, EMPTY_SPOT.y), LATE_COLOURS[presses % LATE_COLOURS.length]!);
    const noChange = await sideBySide(
      [
        { name: 'ours', run: async () => ({ ms: (await timed(() => click(EMPTY_SPOT))).ms }) },
        { name: 'theirs', run: async () => ({ ms: (await timed(() => theirClick(EMPTY_SPOT))).ms }) },
      ],
      ctx.warmup,
      ctx.rounds,
    );
    const late = await sideBySide(
      [
        {
          name: 'ours',
          run: async () => {
            presses++;
            const { ms, value } = await timed(() => click(button));
            return { ms, fresh: showsPress(imageOf(value)) };
          },
        },
        {
          name: 'theirs',
          run: async () => {
            presses++;
            const { ms, value } = await timed(() => theirClick(button));
            return { ms, fresh: showsPress(value) };
          },
        },
      ],
      ctx.warmup,
      ctx.rounds,
    );
    // Each Return waits for the window to take the line; those waits share a budget per call (issue 25, item 5).
    const typeLines = () => server.mcp.call('computer', { session_id: session, actions: [{ type: 'type', text: '\n'.repeat(60) }] });
    const lines = await sideBySide([{ name: 'ours', rounds: 2, run: async () => ({ ms: (await timed(typeLines)).ms }) }], 0, 2);
    await server.mcp.call('close_session', { session_id: session });
    const launchRounds = Math.min(ctx.rounds, 5);
    /** The Tk window's button is drawn: the application is there. */
    const showsButton = (png: Buffer) => png.length > 0 && sameColour(pixel(decodePng(png), button.x - 30, button.y), [0xdd, 0xdd, 0xdd]);
    const launches = await sideBySide(
      [
        {
          name: 'ours',
          rounds: launchRounds,
          run: async () => {
            const { session: fresh } = await newDesktop();
            try {
              const { ms, value } = await timed(() => server.mcp.call('launch_app', { session_id: fresh, app: 'late' }));
              return { ms, fresh: showsButton(imageOf(value)) };
            } finally {
              await server.mcp.call('close_session', { session_id: fresh });
            }
          },
        },
        {
          name: 'theirs',
          rounds: launchRounds,
          run: async () => {
            const { session: fresh, env: freshEnv } = await newDesktop();
            const app = spawn('/usr/bin/python3', [LATE_BUTTON, path.join(ctx.tmp, 'late-theirs.jsonl'), '100', 'flat'], {
              env: freshEnv,
              stdio: 'ignore',
            });
            try {
              const { ms, value } = await timed(async () => {
                await sleep(FIXED_SLEEP_MS);
                return (
                  await run('import', ['-window', 'root', 'png:-'], { env: freshEnv, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })
                ).stdout;
              });
              return { ms, fresh: showsButton(value) };
            } finally {
              app.kill();
              await server.mcp.call('close_session', { session_id: fresh });
            }
          },
        },
      ],
      ctx.warmup,
      ctx.rounds,
    );
    const theirs = `xdotool + ${FIXED_SLEEP_MS} ms sleep + import`;
    return [
      row(
        NO_CHANGE,
        'cua-mcp (ours) computer click',
        noChange.get('ours')!,
        `${speed(stat(noChange.get('ours')!), stat(noChange.get('theirs')!), theirs)}; returns when nothing was drawn ${REACTION_MS} ms after the input`,
      ),
      row(NO_CHANGE, theirs, noChange.get('theirs')!, 'a fixed sleep, whatever happens'),
      row(LATE, 'cua-mcp (ours) computer click', late.get('ours')!, speed(stat(late.get('ours')!), stat(late.get('theirs')!), theirs)),
      row(LATE, theirs, late.get('theirs')!),
      row(LAUNCH, 'cua-mcp (ours) launch_app', launches.get('ours')!, `ready = drawn, then quiet for ${LAUNCH_QUIET_MS} ms`),
      row(LAUNCH, `spawn + ${FIXED_SLEEP_MS} ms sleep + import`, launches.get('theirs')!),
      row(
        LINES,
        'cua-mcp (ours) computer type',
        lines.get('ours')!,
        'the waits after Returns share 3 s per call (before: up to 1 s per line, 83 s here)',
      ),
    ];
  } finally {
    await server.close();
  }
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
          const { ms, value } = await timed(() =>
            server.mcp.call('computer', { session_id: session, actions: [{ type: 'click', x: at.x, y: at.y }] }),
          );
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
        {
          name: 'import',
          run: async () => ({
            ms: (await timed(() => run('import', ['-window', 'root', 'png:-'], { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })))
              .ms,
          }),
        },
      ],
      ctx.warmup,
      ctx.rounds,
    );
    await screen.close();
    return [
      ...(await benchReactions(ctx)),
      row(
        ITEM,
        'cua-mcp (ours) computer click',
        steps.get('ours')!,
        `${speed(stat(steps.get('ours')!), stat(steps.get('xdotool + import')!), 'xdotool + import')}; settle included (the click drawn, then ${QUIET_MS} ms quiet)`,
      ),
      row(
        ITEM,
        'xdotool click + ImageMagick import (no settle)',
        steps.get('xdotool + import')!,
        'what a shell harness does; no wait for the screen to catch up',
      ),
      row(
        CAPTURE,
        'ours: GetImage (npm x11) + node:zlib PNG',
        captures.get('ours')!,
        speed(stat(captures.get('ours')!), stat(captures.get('import')!), 'import'),
      ),
      row(CAPTURE, 'ImageMagick import -window root png:-', captures.get('import')!, 'a process per screenshot'),
    ];
  } finally {
    await server.close();
  }
}
