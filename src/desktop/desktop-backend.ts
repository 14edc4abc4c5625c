import type { ChildEnvironment } from '../child-env.js';
import type { DesktopSessionSettings } from './desktop-config.js';
import type { SessionBackend } from '../session/backend.js';
import { DesktopSession } from './desktop-session.js';
import { existingDisplay, startXvfb, windowManagerCommand, type XDisplay } from './x-display.js';
import { XConnection } from './x-connection.js';

export class DisplayInUseError extends Error {}

/** The colour of an empty desktop the server started (0xRRGGBB): a muted blue. */
const DESKTOP_BACKGROUND = 0x3c5a78;

/**
 * Desktop sessions: each on an X display of its own. With
 * --desktop-display, the one existing display, for one session at a time
 * (two models driving one mouse would fight); without it, a fresh Xvfb per
 * session, started at --desktop-size and stopped when the session closes.
 */
export class DesktopBackend implements SessionBackend {
  readonly environment = 'desktop';
  private readonly displays = new Map<string, DesktopSession | undefined>();
  private stopped = false;

  constructor(
    private readonly config: DesktopSessionSettings,
    private readonly childEnv: ChildEnvironment,
  ) {}

  /** A desktop has no start page: nothing to refuse. */
  checkStart(): void {}

  async open(id: string, owner: string): Promise<DesktopSession> {
    if (this.stopped) throw new Error('The server is shutting down; no desktop is started.');
    const fixed = this.config.desktop.display;
    if (fixed !== undefined && this.displays.has(fixed)) {
      const holder = this.displays.get(fixed);
      throw new DisplayInUseError(
        `X display ${fixed} already has a desktop session${holder?.owner === owner ? ` (${holder.id})` : ''}: one session drives a display at a time. ` +
          'Use that session, or close it first (close_session).',
      );
    }
    if (fixed !== undefined) this.displays.set(fixed, undefined);
    let display: XDisplay;
    try {
      display =
        fixed !== undefined
          ? existingDisplay(fixed, this.childEnv)
          : await startXvfb(this.config.desktop.size, windowManagerCommand(this.config.desktop.windowManager), this.childEnv);
    } catch (error) {
      if (fixed !== undefined) this.displays.delete(fixed);
      throw error;
    }
    let x: XConnection;
    try {
      x = await XConnection.connect(display.name, display.cookie);
    } catch (error) {
      this.displays.delete(display.name);
      await display.stop();
      throw error;
    }
    // A fresh Xvfb is black, which reads as a broken screen: a plain desktop colour instead (an existing display keeps its own).
    if (fixed === undefined) await x.paintBackground(DESKTOP_BACKGROUND).catch(() => {});
    const session = new DesktopSession(id, owner, display, x, this.config, () => this.displays.delete(display.name));
    this.displays.set(display.name, session);
    if (this.stopped) {
      await session.close();
      throw new Error('The server is shutting down; no desktop is started.');
    }
    return session;
  }

  /** The displays of the owner's sessions only: another principal's are none of its business. */
  async describe(owner: string): Promise<string | undefined> {
    const sessions = [...this.displays.values()].filter((s): s is DesktopSession => s !== undefined && s.owner === owner);
    return sessions.length ? sessions.map((s) => s.description).join('; ') : undefined;
  }

  /** The manager closed the sessions first; this catches any that were still opening. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.displays.values()].map((s) => s?.close()));
  }
}
