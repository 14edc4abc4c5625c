import { z } from 'zod';
import { browserOnly } from './browser-only.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

/** "example.com" means https://example.com; anything with a scheme is taken as given. */
export function normalizeUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[^:/]+:\d+(\/|$)/.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    return new URL(withScheme).href;
  } catch {
    throw new Error(`Not a valid URL: ${JSON.stringify(input)}. Give a full address such as https://example.com/page`);
  }
}

export const navigateTool = defineTool({
  name: 'navigate',
  title: 'Go to a URL',
  description: 'Loads a URL in the session\'s current tab, waits for the page, and returns the screenshot. A URL without a scheme gets https://.',
  inputSchema: {
    session_id: optionalSessionId,
    url: z.string().min(1, { error: 'url must not be empty' }).describe('Address to open, e.g. https://example.com'),
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ session_id, url }, { connection, config }) => {
    const target = normalizeUrl(url);
    const session = browserOnly(await connection.session(session_id), 'navigate');
    return session.exclusive(async () => {
      try {
        await session.goto(await session.page(), target);
      } catch (error) {
        throw new Error(`Could not open ${target}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      return screenResult(session, config.clientImage, `Navigated to ${target}`);
    });
  },
});
