import { BrowserSession } from '../browser/session.js';
import { WrongEnvironmentError, type ComputerSession } from '../session/computer-session.js';

/** The session as a browser, for the tools that only make sense there (navigate, select_tab, start_url). */
export function browserOnly(session: ComputerSession, what: string): BrowserSession {
  if (session instanceof BrowserSession) return session;
  throw new WrongEnvironmentError(
    `${what} needs a browser session, and session ${session.id} is a ${session.environment} session. ` +
      'Use the computer tool to act on its screen, or open a browser session with new_session.',
  );
}
