import { z } from 'zod';
import { WrongEnvironmentError } from '../session/computer-session.js';
import { capability } from './capability.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionIdArg } from './tool.js';

export const launchAppTool = defineTool({
  name: 'launch_app',
  title: 'Start an application on the desktop',
  description:
    "Starts one of the applications the server allows (--desktop-app) on a desktop session's screen, waits until it is ready (its window drawn and the screen quiet), and returns the screenshot; " +
    '`ready` false means it was still starting when the wait ended. Nothing else can be started through the server. The applications end when the session closes.',
  inputSchema: {
    session_id: optionalSessionIdArg('Desktop session to start it on (new_session {"environment": "desktop"} opens one); required'),
    app: z.string().min(1, { error: 'app must name an allowed application' }).describe('Name of an allowed application'),
  },
  outputSchema: {
    ...screenStateShape,
    app: z.string(),
    pid: z.number(),
    ready: z.boolean().describe('The application drew its window and the screen went quiet before the wait ended'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ session_id, app }, { principal, config }) => {
    // The default session is a browser: never open one just to refuse it.
    if (session_id === undefined) {
      throw new WrongEnvironmentError(
        'launch_app needs the session_id of a desktop session. Open one with new_session {"environment": "desktop"} and pass its session_id.',
      );
    }
    const session = await principal.session(session_id);
    const apps = capability(session, 'apps', 'launch_app');
    return session.exclusive(async () => {
      const { pid, ready, readyWithinMs } = await apps.launch(app);
      const summary = ready
        ? `Launched ${app} (pid ${pid}); it is ready`
        : `Launched ${app} (pid ${pid}); it was not ready within ${readyWithinMs / 1000} s (still starting or still drawing): the screenshot shows what is there now`;
      return screenResult(session, config.clientImage, summary, { app, pid, ready });
    });
  },
});
