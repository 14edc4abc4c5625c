import { z } from 'zod';
import { screenResult, screenStateShape } from './results.js';
import { defineTool } from './tool.js';

export const screenshotTool = defineTool({
  name: 'screenshot',
  title: 'Look at the screen',
  description: 'Returns the current screenshot of a browser session with its URL, title and tabs.',
  inputSchema: {
    session_id: z.string().optional().describe('Browser session (default: this connection\'s default session)'),
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: async ({ session_id }, { connection }) => {
    const session = await connection.session(session_id);
    return session.exclusive(() => screenResult(session, 'Screenshot'));
  },
});
