import { z } from 'zod';
import { DesktopSession, LAUNCH_READY_MS } from '../desktop/desktop-session.js';
import { WrongEnvironmentError } from '../session/computer-session.js';
import { screenResult, screenStateShape } from './results.js';
import { optional } from '../strict-schema.js';
import { defineTool } from './tool.js';

export const launchAppTool = defineTool({
  name: 'launch_app',
  title: 'Start an application on the desktop',
  description:
    'Starts one of the applications the server allows (--desktop-app) on a desktop session\'s screen, waits until it is ready (its window drawn and the screen quiet), and returns the screenshot; ' +
    '`ready` false means it was still starting when the wait ended. Nothing else can be started through the server. The applications end when the session closes.',
  inputSchema: {
    session_id: optional(z.string()).describe('Desktop session to start it on (new_session {"environment": "desktop"} opens one); required'),
    app: z.string().min(1, { error: 'app must name an allowed application' }).describe('Name of an allowed application'),
  },
  outputSchema: {
    ...screenStateShape,
    app: z.string(),
    pid: z.number(),
    ready: z.boolean().describe('The application drew its window and the screen went quiet before the wait ended'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ session_id, app }, { connection, config }) => {
    // The default session is a browser: never open one just to refuse it.
    if (session_id === undefined) {
      throw new WrongEnvironmentError('launch_app needs the session_id of a desktop session. Open one with new_session {"environment": "desktop"} and pass its session_id.');
    }
    const session = await connection.session(session_id);
    if (!(session instanceof DesktopSession)) {
      throw new WrongEnvironmentError(
        `launch_app needs a desktop session, and session ${session.id} is a ${session.environment} session. ` +
          'Open one with new_session {"environment": "desktop"} and pass its session_id.',
      );
    }
    return session.exclusive(async () => {
      const { launched, ready } = await session.launch(app, config.desktop.apps);
      const summary = ready
        ? `Launched ${app} (pid ${launched.pid}); it is ready`
        : `Launched ${app} (pid ${launched.pid}); it was not ready within ${LAUNCH_READY_MS / 1000} s (still starting or still drawing): the screenshot shows what is there now`;
      return screenResult(session, config.clientImage, summary, { app, pid: launched.pid, ready });
    });
  },
});
