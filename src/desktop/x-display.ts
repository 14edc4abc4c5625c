import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildEnvironment } from '../child-env.js';
import { log } from '../log.js';
import { lockedDown } from './openbox.js';
import { onPath } from './process-group.js';
import { endProcessGroup, privateFolder, removePrivateFolder, spawnGroup } from './supervisor.js';
import { writeXauthority } from './x-auth.js';

/** Deadline for Xvfb to say which display it took. */
const XVFB_START_MS = 10_000;

/** An X display sessions run on: one the server started (Xvfb and a window manager), or one that already existed. */
export interface XDisplay {
  /** The DISPLAY value, e.g. ":1". */
  readonly name: string;
  /** What it is, for logs and list_sessions. */
  readonly description: string;
  /** The environment of a program started on it: the server's children's, with DISPLAY, and XAUTHORITY when the server holds the cookie. */
  readonly env: ChildEnvironment;
  /** The cookie our own connection presents; undefined: the one the environment's Xauthority file holds, as for any client. */
  readonly cookie?: Buffer;
  stop(): Promise<void>;
}

/** A display that was there before the server, reached as its environment says (DISPLAY, XAUTHORITY): never stopped by us. */
export function existingDisplay(name: string, childEnv: ChildEnvironment): XDisplay {
  return { name, description: `X display ${name}`, env: { ...childEnv, DISPLAY: name }, stop: async () => {} };
}

/** The window manager command for `--desktop-window-manager`: auto = openbox when installed. */
export function windowManagerCommand(setting: string): string[] | undefined {
  if (setting === 'none') return undefined;
  if (setting === 'auto') return onPath('openbox') ? ['openbox'] : undefined;
  return setting.split(/\s+/).filter(Boolean);
}

/**
 * Starts Xvfb at `size` on a free display number (Xvfb picks it and writes
 * it to -displayfd, so parallel servers never collide), then the window
 * manager, each in its own process group so that stopping ends everything
 * they started, and so does the server's end however it comes (supervisor.ts).
 * The display takes only clients that present a random cookie kept in a
 * folder of the server's own (-auth): no other local user reads the screen
 * or types into it. No TCP.
 */
export async function startXvfb(
  size: { width: number; height: number },
  windowManager: string[] | undefined,
  childEnv: ChildEnvironment,
): Promise<XDisplay> {
  if (!onPath('Xvfb')) {
    throw new Error(
      'Desktop sessions need Xvfb to start a virtual display (apt-get install xvfb), or --desktop-display naming an existing X display.',
    );
  }
  const folder = privateFolder('cua-mcp-display-');
  const xauthority = path.join(folder, 'Xauthority');
  let cookie: Buffer;
  let wmCommand: string[] | undefined;
  let xvfb: ChildProcess;
  try {
    cookie = writeXauthority(xauthority);
    wmCommand = windowManager?.length ? lockedDown(windowManager, folder) : undefined;
    xvfb = spawnGroup(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', `${size.width}x${size.height}x24`, '-auth', xauthority, '-nolisten', 'tcp', '-noreset'],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        env: { ...childEnv },
      },
    );
  } catch (error) {
    removePrivateFolder(folder);
    throw error;
  }
  let stderr = '';
  xvfb.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const name = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`Xvfb did not start within ${XVFB_START_MS} ms`)), XVFB_START_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`));
    };
    const displayFd = xvfb.stdio[3] as NodeJS.ReadableStream;
    displayFd.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    xvfb.once('error', fail);
    xvfb.once('exit', (code, signal) => fail(new Error(`Xvfb exited (${signal ?? `code ${code}`})`)));
  }).catch(async (error: unknown) => {
    await endProcessGroup(xvfb);
    removePrivateFolder(folder);
    throw error;
  });
  xvfb.removeAllListeners('exit');
  xvfb.on('exit', (code, signal) => log.debug(`Xvfb ${name} exited (${signal ?? `code ${code}`})`));
  const env = { ...childEnv, DISPLAY: name, XAUTHORITY: xauthority };
  let wm: ChildProcess | undefined;
  if (wmCommand) {
    wm = spawnGroup(wmCommand[0]!, wmCommand.slice(1), { stdio: 'ignore', env });
    wm.on('error', (error) => log.warn(`window manager ${wmCommand[0]} did not start on ${name}: ${error.message}`));
  }
  const sizeText = `${size.width}x${size.height}`;
  log.info(`started Xvfb ${name} (${sizeText})${wm ? ` with ${windowManager![0]}` : ' without a window manager'}`);
  return {
    name,
    description: `Xvfb ${name} (${sizeText}${wm ? `, ${windowManager![0]}` : ''}), started by the server`,
    env,
    cookie,
    async stop() {
      await Promise.all([wm && endProcessGroup(wm), endProcessGroup(xvfb)]);
      removePrivateFolder(folder);
    },
  };
}
