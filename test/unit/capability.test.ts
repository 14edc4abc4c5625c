import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WrongEnvironmentError, type ComputerSession } from '../../src/session/computer-session.js';
import { capability } from '../../src/tools/capability.js';

/**
 * A tool asks a session for what it needs; a session without it is refused
 * with the words the tools have always used (they are part of the results
 * clients see). In process: only the session's id, environment and
 * capabilities are read.
 */
const session = (environment: 'browser' | 'desktop', capabilities: Partial<ComputerSession> = {}) =>
  ({ id: 's1', environment, ...capabilities }) as ComputerSession;

describe('capability', () => {
  it('hands over the capability the session has', () => {
    const tabs = { select: async () => {} };
    assert.equal(capability(session('browser', { tabs }), 'tabs', 'select_tab'), tabs);
  });

  it('refuses browser capabilities on a desktop session, saying what to use instead', () => {
    for (const [name, tool] of [
      ['navigation', 'navigate'],
      ['tabs', 'select_tab'],
      ['logins', 'save_storage_state'],
    ] as const) {
      assert.throws(
        () => capability(session('desktop'), name, tool),
        (error: unknown) =>
          error instanceof WrongEnvironmentError &&
          error.message ===
            `${tool} needs a browser session, and session s1 is a desktop session. Use the computer tool to act on its screen, or open a browser session with new_session.`,
      );
    }
  });

  it('refuses launching an application in a browser session, saying how to open a desktop', () => {
    assert.throws(
      () => capability(session('browser'), 'apps', 'launch_app'),
      (error: unknown) =>
        error instanceof WrongEnvironmentError &&
        error.message ===
          'launch_app needs a desktop session, and session s1 is a browser session. Open one with new_session {"environment": "desktop"} and pass its session_id.',
    );
  });
});
