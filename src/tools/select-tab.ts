import { z } from 'zod';
import { capability } from './capability.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const selectTabTool = defineTool({
  name: 'select_tab',
  title: 'Switch to a tab',
  description: "Makes one of the session's tabs (numbered as in `tabs` of every result) the one actions go to, and returns its screenshot.",
  inputSchema: {
    session_id: optionalSessionId,
    index: z.number().int().min(0).describe('Tab number from `tabs`, starting at 0'),
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
  handler: async ({ session_id, index }, { principal, config }) => {
    const session = await principal.session(session_id);
    const tabs = capability(session, 'tabs', 'select_tab');
    return session.exclusive(async () => {
      await tabs.select(index);
      return screenResult(session, config.clientImage, `Switched to tab ${index}`);
    });
  },
});
