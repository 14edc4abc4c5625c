import { ConfigError, screenSize, type RawOptions } from '../config.js';
import { AppSpecError, parseAppSpecs, type AppSpec } from './app-specs.js';

/** Desktop sessions (src/desktop). */
export interface DesktopConfig {
  /** An existing X display to drive; undefined: each session starts an Xvfb. */
  display?: string;
  /** The screen size of the Xvfb a session starts. */
  size: { width: number; height: number };
  /** auto, none, or a window manager command. */
  windowManager: string;
  /** The only applications launch_app may start. */
  apps: AppSpec[];
}

/** What the desktop backend and its sessions read of the server's settings: their own slice, the screenshot size, the settle timeout. */
export interface DesktopSessionSettings {
  /** Screenshot size, the coordinate space of every action; `scale` = screenshot / display. */
  screenshot: { width: number; height: number; scale: number };
  settleTimeoutMs: number;
  desktop: DesktopConfig;
}

/** The desktop slice of the options; the screen of a started Xvfb defaults to the browser's display size. */
export function resolveDesktop(raw: RawOptions, display: { width: number; height: number }): DesktopConfig {
  const text = (v: string | boolean | undefined) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const displayName = text(raw.desktopDisplay);
  if (displayName !== undefined && !/^[\w.-]*:\d+(\.\d+)?$/.test(displayName)) {
    throw new ConfigError(
      `--desktop-display (CUA_DESKTOP_DISPLAY) must be an X display name such as :1, got ${JSON.stringify(displayName)}`,
    );
  }
  if (displayName !== undefined && raw.desktopSize !== undefined) {
    throw new ConfigError(
      '--desktop-size sets the size of the Xvfb the server starts; with --desktop-display the screen keeps the size it has. Pass one of them.',
    );
  }
  let apps: AppSpec[];
  try {
    apps = parseAppSpecs(text(raw.desktopApp) ?? '');
  } catch (error) {
    if (error instanceof AppSpecError) throw new ConfigError(`--desktop-app (CUA_DESKTOP_APPS): ${error.message}`);
    throw error;
  }
  return {
    display: displayName,
    size: raw.desktopSize === undefined ? { ...display } : screenSize('desktopSize', raw.desktopSize),
    windowManager: text(raw.desktopWindowManager) ?? 'auto',
    apps,
  };
}
