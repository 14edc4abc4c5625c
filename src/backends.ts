import { BrowserBackend } from './browser/browser-backend.js';
import type { ServerConfig } from './server-config.js';
import { DesktopBackend } from './desktop/desktop-backend.js';
import type { SessionBackend } from './session/backend.js';

/** The environments this server can open sessions in: one line per backend. */
export function createBackends(config: ServerConfig): SessionBackend[] {
  return [new BrowserBackend(config), new DesktopBackend(config)];
}
