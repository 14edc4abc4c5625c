import type { Screenshot } from '../computer/computer.js';
import type { DesktopSessionSettings } from './desktop-config.js';
import { log } from '../log.js';
import type { AppLaunch, Apps, ComputerSession, ScreenState } from '../session/computer-session.js';
import { SessionCore } from '../session/session-core.js';
import { LaunchedApps } from './apps.js';
import { encodePng, fitWithin } from './frame-image.js';
import { ProcessActivity } from './process-activity.js';
import { ScreenActivity, type SettleOptions } from './screen-activity.js';
import { X11Computer } from './x11-computer.js';
import type { XDisplay } from './x-display.js';
import type { XConnection } from './x-connection.js';

/**
 * After input, the longest wait for the screen to start changing: an
 * application reacts to a key or a click within a frame or two, or a
 * little later when it is busy; nothing drawn by then means the action
 * changed nothing visible, and the step returns at once.
 */
export const REACTION_MS = 150;
/** Once the screen changes, it has settled when nothing was drawn for this long (shorter than a caret's blink). */
export const QUIET_MS = 300;
/** launch_app: the longest wait for the application to draw and go quiet. */
export const LAUNCH_READY_MS = 15_000;
/** launch_app: quiet this long once drawn: an application starts in bursts (a window, then a shell's prompt or a page). */
export const LAUNCH_QUIET_MS = 1000;

export class AppNotAllowedError extends Error {}

/**
 * A whole X desktop as a session: the screen of one display (one session
 * per display), the input devices, and the applications launched in it.
 * Closing it ends those applications, and the Xvfb when the server
 * started one for it.
 */
export class DesktopSession extends SessionCore implements ComputerSession {
  readonly environment = 'desktop';
  readonly computer = new X11Computer(this);
  readonly apps: Apps = { launch: (name) => this.launch(name) };
  readonly resets = 0;
  /** Screenshot pixels: the screen scaled down to fit the configured screenshot size. */
  readonly display: { width: number; height: number };
  /** The applications launched on this display. */
  private readonly applications: LaunchedApps;
  private readonly activity = new ScreenActivity();
  private readonly processes: ProcessActivity;
  /** Why the next screenshot may not show the end of what the last action started. */
  private settleNote: string | undefined;

  constructor(
    id: string,
    owner: string,
    private readonly xDisplay: XDisplay,
    readonly x: XConnection,
    private readonly config: DesktopSessionSettings,
    private readonly onClosed: () => void,
  ) {
    super(id, owner);
    this.display = fitWithin(x, config.screenshot);
    this.applications = new LaunchedApps(xDisplay);
    this.processes = new ProcessActivity(() => this.applications.groups());
    x.onDamage = (rect) => this.activity.record(rect);
  }

  get screen(): { width: number; height: number } {
    return { width: this.x.width, height: this.x.height };
  }

  get description(): string {
    return this.xDisplay.description;
  }

  /** The screen cannot be replaced under a desktop session: nothing to recover. */
  async resetSince(): Promise<boolean> {
    return false;
  }

  async ready(): Promise<void> {
    if (this.closed) throw new Error(`Desktop session ${this.id} is closed`);
  }

  /** The clock `settle` measures from. */
  now(): number {
    return performance.now();
  }

  /**
   * Waits until what was done at `since` has been drawn: for the screen to
   * start changing (at most REACTION_MS), then until nothing was drawn for
   * QUIET_MS, and in both while the launched applications are at work, at
   * most the settle timeout in all. The desktop has no DOM or network to
   * watch; the X server's repaint reports say when an action's effect has
   * landed (see screen-activity.ts), and the applications' CPU use whether
   * more is coming (see process-activity.ts).
   */
  async settle(since: number, signal?: AbortSignal, waits: Partial<SettleOptions> = {}): Promise<boolean> {
    const options = {
      reactionMs: REACTION_MS,
      quietMs: QUIET_MS,
      maxMs: this.config.settleTimeoutMs,
      busy: () => this.processes.busy(),
      signal,
      ...waits,
    };
    const outcome = await this.activity.settle(since, options);
    this.settleNote = outcome.capped
      ? `the screen was still changing, or the applications still working, after ${options.maxMs} ms (an animation, a video, a long task); it may change further`
      : undefined;
    log.debug(
      `session ${this.id}: settled in ${Math.round(this.now() - since)} ms (${outcome.capped ? 'still changing' : outcome.changed ? 'changed' : 'unchanged'})`,
    );
    return outcome.changed;
  }

  async screenshot(): Promise<Screenshot> {
    const shot = encodePng(await this.x.capture(), this.display);
    const note = this.settleNote;
    this.settleNote = undefined;
    return note ? { ...shot, note } : shot;
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

  /**
   * Starts an allowed application on this display, then waits until it is
   * ready: it has drawn (its window, its first content), the screen has
   * been quiet for LAUNCH_QUIET_MS and its processes have stopped working,
   * at most LAUNCH_READY_MS. `ready` says
   * whether it got there; if not, the result shows what is there.
   */
  private async launch(name: string): Promise<AppLaunch> {
    const allowed = this.config.desktop.apps;
    const spec = allowed.find((a) => a.name === name);
    if (!spec) {
      throw new AppNotAllowedError(
        allowed.length === 0
          ? 'No application can be launched: the server allows none. The operator names each one allowed with --desktop-app NAME=COMMAND (env CUA_DESKTOP_APPS), e.g. --desktop-app xterm=xterm.'
          : `No application named ${JSON.stringify(name)} is allowed; the allowed ones are: ${allowed.map((a) => a.name).join(', ')}.`,
      );
    }
    await this.ready();
    const since = this.now();
    const launched = await this.applications.launch(spec, (app) => {
      if (!this.closed)
        this.events.add({
          kind: 'app_exited',
          app: app.app,
          pid: app.pid,
          code: app.exit!.code,
          signal: app.exit!.signal,
          stderr: app.exit!.stderr,
        });
    });
    const outcome = await this.activity.settle(since, {
      reactionMs: LAUNCH_READY_MS,
      quietMs: LAUNCH_QUIET_MS,
      maxMs: LAUNCH_READY_MS,
      busy: () => this.processes.busy(),
    });
    return { pid: launched.pid, ready: outcome.changed && !outcome.capped, readyWithinMs: LAUNCH_READY_MS };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // All at once: a client gives a closing server about two seconds before it kills it.
    const giveBackKeys = this.computer.giveBackKeys().catch(() => {});
    await Promise.all([this.applications.endAll(), giveBackKeys.then(() => this.x.close()), this.xDisplay.stop()]);
    this.onClosed();
  }
}
