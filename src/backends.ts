import { BrowserBackend } from './browser/browser-backend.js';
import type { BrowserConfig } from './browser/browser-config.js';
import { DesktopBackend } from './desktop/desktop-backend.js';
import type { DesktopConfig } from './desktop/desktop-config.js';
import type { SessionBackend } from './session/backend.js';

/** The environments this server can open sessions in: one line per backend. */
export function createBackends(config: BrowserConfig & { desktop: DesktopConfig }): SessionBackend[] {
  return [new BrowserBackend(config), new DesktopBackend(config)];
}
