import { z } from 'zod';
import { DesktopSession } from '../desktop/desktop-session.js';
import { WrongEnvironmentError } from '../session/computer-session.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const launchAppTool = defineTool({
  name: 'launch_app',
  title: 'Start an application on the desktop',
  description:
    'Starts one of the applications the server allows (--desktop-app) on a desktop session\'s screen, waits for it to draw, and returns the screenshot. ' +
    'Nothing else can be started through the server. The applications end when the session closes.',
  inputSchema: {
    session_id: optionalSessionId,
    app: z.string().min(1, { error: 'app must name an allowed application' }).describe('Name of an allowed application'),
  },
  outputSchema: { ...screenStateShape, app: z.string(), pid: z.number() },
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ session_id, app }, { principal, config }) => {
    const session = await principal.session(session_id);
    if (!(session instanceof DesktopSession)) {
      throw new WrongEnvironmentError(
        `launch_app needs a desktop session, and session ${session.id} is a ${session.environment} session. ` +
          'Open one with new_session {"environment": "desktop"} and pass its session_id.',
      );
    }
    return session.exclusive(async () => {
      const launched = await session.launch(app, config.desktop.apps);
      return screenResult(session, config.clientImage, `Launched ${app} (pid ${launched.pid})`, { app, pid: launched.pid });
    });
  },
});
