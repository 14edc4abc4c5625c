import type { Screenshot } from '../computer/computer.js';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import type { ComputerSession, ScreenState } from '../session/computer-session.js';
import type { SessionEvent } from '../session/events.js';
import { EventLog } from '../session/event-log.js';
import { LaunchedApps, type AppSpec, type LaunchedApp } from './apps.js';
import { encodePng, fitWithin } from './frame-image.js';
import { X11Computer } from './x11-computer.js';
import type { XDisplay } from './x-display.js';
import type { Frame, XConnection } from './x-connection.js';

/**
 * Time between the frames settle compares. Two frames this far apart
 * being identical means the screen has caught up: long enough for an
 * application to handle the input and redraw (a frame or two at 60 Hz),
 * short enough that a step costs little more than the capture.
 */
export const SETTLE_FRAME_INTERVAL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AppNotAllowedError extends Error {}

/**
 * A whole X desktop as a session: the screen of one display (one session
 * per display), the input devices, and the applications launched in it.
 * Closing it ends those applications, and the Xvfb when the server
 * started one for it.
 */
export class DesktopSession implements ComputerSession {
  readonly environment = 'desktop';
  readonly computer = new X11Computer(this);
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  readonly resets = 0;
  /** Screenshot pixels: the screen scaled down to fit the configured screenshot size. */
  readonly display: { width: number; height: number };
  private readonly apps: LaunchedApps;
  private readonly events = new EventLog();
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;
  private closed = false;

  constructor(
    readonly id: string,
    readonly owner: string,
    private readonly xDisplay: XDisplay,
    readonly x: XConnection,
    private readonly config: ServerConfig,
    private readonly onClosed: () => void,
  ) {
    this.display = fitWithin(x, config.screenshot);
    this.apps = new LaunchedApps(xDisplay);
  }

  get screen(): { width: number; height: number } {
    return { width: this.x.width, height: this.x.height };
  }

  get description(): string {
    return this.xDisplay.description;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.lastUsedAt = Date.now();
    this.running++;
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run.finally(() => {
      this.running--;
      this.lastUsedAt = Date.now();
    });
  }

  /** The screen cannot be replaced under a desktop session: nothing to recover. */
  async resetSince(): Promise<boolean> {
    return false;
  }

  async ready(): Promise<void> {
    if (this.closed) throw new Error(`Desktop session ${this.id} is closed`);
  }

  capture(): Promise<Frame> {
    return this.x.capture();
  }

  /**
   * Waits until two frames SETTLE_FRAME_INTERVAL_MS apart are identical,
   * for at most the settle timeout: the desktop has no DOM or network to
   * watch, so the screen itself says when an action's effect has landed.
   */
  async settle(): Promise<void> {
    const deadline = Date.now() + this.config.settleTimeoutMs;
    let previous = await this.capture();
    let takenAt = Date.now();
    while (Date.now() + SETTLE_FRAME_INTERVAL_MS <= deadline) {
      await sleep(takenAt + SETTLE_FRAME_INTERVAL_MS - Date.now());
      const frame = await this.capture();
      takenAt = Date.now();
      if (frame.data.equals(previous.data)) return;
      previous = frame;
    }
    log.debug(`session ${this.id}: the screen was still changing after ${this.config.settleTimeoutMs} ms`);
  }

  /** Waits until the screen differs from `before` (a new window drawn, a line echoed), at most `maxMs` (default: the settle timeout), then settles. */
  async changeFrom(before: Frame, maxMs = this.config.settleTimeoutMs): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      await sleep(SETTLE_FRAME_INTERVAL_MS);
      if (!(await this.capture()).data.equals(before.data)) break;
    }
    await this.settle();
  }

  async screenshot(): Promise<Screenshot> {
    return encodePng(await this.capture(), this.display);
  }

  async state(): Promise<ScreenState> {
    return {
      session_id: this.id,
      url: '',
      title: await this.x.activeWindowTitle().catch(() => ''),
      display: this.display,
      viewport: this.screen,
      tabs: [],
      http_status: null,
      scroll: null,
      page_size: null,
    };
  }

  async currentUrl(): Promise<undefined> {
    return undefined;
  }

  peekEvents(): readonly SessionEvent[] {
    return this.events.peek();
  }

  takeEvents(): SessionEvent[] {
    return this.events.take();
  }

  report(event: SessionEvent): void {
    this.events.add(event);
  }

  /**
   * Starts an allowed application on this display, then waits for it to
   * draw: until the screen changes (bounded by the settle timeout) and
   * settles.
   */
  async launch(name: string, allowed: AppSpec[]): Promise<LaunchedApp> {
    const spec = allowed.find((a) => a.name === name);
    if (!spec) {
      throw new AppNotAllowedError(
        allowed.length === 0
          ? 'No application can be launched: the server allows none. The operator names each one allowed with --desktop-app NAME=COMMAND (env CUA_DESKTOP_APPS), e.g. --desktop-app xterm=xterm.'
          : `No application named ${JSON.stringify(name)} is allowed; the allowed ones are: ${allowed.map((a) => a.name).join(', ')}.`,
      );
    }
    await this.ready();
    const before = await this.capture();
    const launched = await this.apps.launch(spec, (app) => {
      if (!this.closed) this.events.add({ kind: 'app_exited', app: app.app, pid: app.pid, code: app.exit!.code, signal: app.exit!.signal, stderr: app.exit!.stderr });
    });
    await this.changeFrom(before);
    return launched;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // All at once: a client gives a closing server about two seconds before it kills it.
    await Promise.all([this.apps.endAll(), this.x.close(), this.xDisplay.stop()]);
    this.onClosed();
  }
}
