import { WrongEnvironmentError, type ComputerSession } from '../session/computer-session.js';

/** The capabilities a tool may need beyond the screen. */
type Capability = 'navigation' | 'tabs' | 'logins' | 'apps';

const IN_A_BROWSER = {
  session: 'a browser session',
  instead: 'Use the computer tool to act on its screen, or open a browser session with new_session.',
};

/** For each capability, the kind of session that has one, and what to do instead. */
const WHERE: Record<Capability, { session: string; instead: string }> = {
  navigation: IN_A_BROWSER,
  tabs: IN_A_BROWSER,
  logins: IN_A_BROWSER,
  apps: { session: 'a desktop session', instead: 'Open one with new_session {"environment": "desktop"} and pass its session_id.' },
};

/** The session's capability `name`, for the tool `what`; a session without it is refused, saying which session to use. */
export function capability<C extends Capability>(session: ComputerSession, name: C, what: string): NonNullable<ComputerSession[C]> {
  const found = session[name];
  if (found) return found as NonNullable<ComputerSession[C]>;
  const where = WHERE[name];
  throw new WrongEnvironmentError(
    `${what} needs ${where.session}, and session ${session.id} is a ${session.environment} session. ${where.instead}`,
  );
}
