import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const screenshotTool = defineTool({
  name: 'screenshot',
  title: 'Look at the screen',
  description:
    "Returns the current screenshot of a session: a browser's with its URL, title and tabs, a desktop's with the active window's title.",
  inputSchema: {
    session_id: optionalSessionId,
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: async ({ session_id }, { principal, config }) => {
    const session = await principal.session(session_id);
    return session.exclusive(() => screenResult(session, config.clientImage, 'Screenshot'));
  },
});
