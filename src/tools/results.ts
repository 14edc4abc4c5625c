import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ComputerSession } from '../session/computer-session.js';
import type { SessionEvent } from '../session/events.js';

/** structuredContent of every result that shows the screen. */
export const screenStateShape = {
  session_id: z.string(),
  url: z.string(),
  title: z.string(),
  display: z.object({ width: z.number(), height: z.number() }).describe('Screenshot size: coordinates of actions are in these pixels'),
  viewport: z.object({ width: z.number(), height: z.number() }).describe('The page layout size in CSS pixels (larger than display when screenshots are scaled down)'),
  tabs: z.array(z.object({ index: z.number(), url: z.string(), title: z.string(), active: z.boolean() })),
  events: z
    .array(z.object({ kind: z.string() }).passthrough())
    .describe('What happened beside the screen: dialogs answered, downloads saved, popups followed, tabs closed, requests blocked, browser restarts, launched applications that exited'),
  screenshot: z.object({ mime_type: z.string(), bytes: z.number(), width: z.number(), height: z.number() }),
};

export function describeEvent(event: SessionEvent): string {
  switch (event.kind) {
    case 'dialog':
      return `${event.dialog_type} dialog ${JSON.stringify(event.message)} was ${event.response}`;
    case 'download':
      return event.error
        ? `download of ${event.filename} failed: ${event.error}`
        : `downloaded ${event.filename}${event.bytes !== undefined ? ` (${event.bytes} bytes)` : ''} to ${event.path ?? '(still saving)'}`;
    case 'popup':
      return `a new tab opened (${event.url}); the session now follows it`;
    case 'window_reused':
      return `an already open named window loads ${event.url}; the session now follows that tab`;
    case 'shortcut':
      return `${event.keys}: ${event.effect}`;
    case 'tab_closed':
      return `tab ${event.url} closed`;
    case 'blocked':
      return `blocked ${event.url}: ${event.reason}`;
    case 'reset':
      return `${event.what === 'browser' ? 'browser restarted' : 'tab crashed'}; session reset to ${event.url} (${event.reason})`;
    case 'app_exited':
      return `${event.app} (pid ${event.pid}) exited with ${event.signal ?? `code ${event.code}`}${event.stderr ? `: ${event.stderr.split('\n').slice(-3).join(' / ')}` : ''}`;
  }
}

/**
 * The standard result: a text line, the screenshot as image content, and
 * the page state as structuredContent for other tools to chain on.
 */
export async function screenResult(session: ComputerSession, summary: string, extra: Record<string, unknown> = {}): Promise<CallToolResult> {
  // Independent reads of the same settled page: overlapping them saves the titles' round trips.
  // page() first, so a tab that must be reopened (crash, all closed) is opened once, not by both.
  await session.ready();
  const [shot, state] = await Promise.all([session.screenshot(), session.state()]);
  const events = session.takeEvents();
  const lines = [summary, `Session ${state.session_id}: ${state.url}${state.title ? ` "${state.title}"` : ''}`, ...events.map(describeEvent)];
  if (shot.note) lines.push(`Screenshot: ${shot.note}.`);
  if (state.tabs.length > 1) {
    lines.push(`Tabs: ${state.tabs.map((t) => `${t.active ? '*' : ''}[${t.index}] ${t.url}`).join(', ')}`);
  }
  return {
    content: [
      { type: 'text', text: lines.join('\n') },
      { type: 'image', data: shot.data.toString('base64'), mimeType: shot.mimeType },
    ],
    structuredContent: {
      ...state,
      events,
      screenshot: { mime_type: shot.mimeType, bytes: shot.data.length, width: shot.width, height: shot.height },
      ...extra,
    },
  };
}
