import { BrowserBackend } from './browser/browser-backend.js';
import type { BrowserConfig } from './browser/browser-config.js';
import type { ChildEnvironment } from './child-env.js';
import { DesktopBackend } from './desktop/desktop-backend.js';
import type { DesktopConfig } from './desktop/desktop-config.js';
import type { SessionBackend } from './session/backend.js';

/** The environments this server can open sessions in: one line per backend. `childEnv`: what the programs they start get. */
export function createBackends(config: BrowserConfig & { desktop: DesktopConfig }, childEnv: ChildEnvironment): SessionBackend[] {
  return [new BrowserBackend(config, childEnv), new DesktopBackend(config, childEnv)];
}
