import { z } from 'zod';
import { normalizeUrl } from '../urls.js';
import { capability } from './capability.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const navigateTool = defineTool({
  name: 'navigate',
  title: 'Go to a URL',
  description:
    "Loads a URL in the session's current tab, waits for the page, and returns the screenshot. A URL without a scheme gets https://, or http:// for localhost and private addresses (127.0.0.1:8765, 10.0.0.5), as browsers do.",
  inputSchema: {
    session_id: optionalSessionId,
    url: z.string().min(1, { error: 'url must not be empty' }).describe('Address to open, e.g. https://example.com'),
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ session_id, url }, { principal, config }) => {
    const target = normalizeUrl(url);
    const session = await principal.session(session_id);
    const navigation = capability(session, 'navigation', 'navigate');
    return session.exclusive(async () => {
      let outcome;
      try {
        outcome = await navigation.open(target);
      } catch (error) {
        throw new Error(`Could not open ${target}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      const summary = {
        loaded: `Navigated to ${target}`,
        download: `${target} is a download: it was saved (see the download event); the page did not change`,
        blocked: `Opening ${target} was stopped by the domain policy (see the blocked event)`,
      }[outcome];
      return screenResult(session, config.clientImage, summary);
    });
  },
});
