import type { ComputerSession, Environment } from './computer-session.js';

/**
 * Where sessions of one environment come from. The session manager keeps
 * ids, owners, limits and idle closing; a backend only opens sessions and
 * owns what they share (a browser process, a display).
 */
export interface SessionBackend {
  readonly environment: Environment;
  /** Refuses, before anything is opened, a start the backend would not allow (e.g. a blocked URL). */
  checkStart(startUrl: string): void;
  /** Opens a session showing `startUrl` (where the environment has URLs); a start page that fails to load is logged, not fatal. */
  open(id: string, owner: string, startUrl: string): Promise<ComputerSession>;
  /** What drives the owner's sessions (the browser they share, their displays), once something was started. */
  describe(owner: string): Promise<string | undefined>;
  /** Ends what the backend started; its sessions were closed first. */
  shutdown(): Promise<void>;
}
