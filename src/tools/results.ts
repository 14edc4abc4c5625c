import { z } from 'zod';
import type { ClientImageLimits } from '../images.js';
import type { ComputerSession, ScreenState } from '../session/computer-session.js';
import type { SessionEvent } from '../session/events.js';
import { clientDisplay, fitForClient } from './client-image.js';
import type { ToolResult } from './tool-result.js';

/** structuredContent of every result that shows the screen. */
export const screenStateShape = {
  summary: z.string().describe('What this call did, and what to do when something stopped it'),
  session_id: z.string(),
  url: z.string(),
  title: z.string(),
  display: z
    .object({ width: z.number(), height: z.number() })
    .describe(
      'Coordinates of actions are in these pixels: the size of the screenshot, unless screenshot.scale says the image was made smaller',
    ),
  viewport: z
    .object({ width: z.number(), height: z.number() })
    .describe('The page layout size in CSS pixels (larger than display when screenshots are scaled down)'),
  tabs: z.array(z.object({ index: z.number(), url: z.string(), title: z.string(), active: z.boolean() })),
  http_status: z
    .number()
    .nullable()
    .describe('HTTP status the current page was served with (404, 500...); null for about:blank and where the browser does not tell'),
  scroll: z.object({ x: z.number(), y: z.number() }).nullable().describe('How far the page is scrolled, in viewport pixels'),
  page_size: z
    .object({ width: z.number(), height: z.number() })
    .nullable()
    .describe('The whole page in viewport pixels: the bottom is reached when scroll.y + viewport.height >= page_size.height'),
  events: z
    .array(z.object({ kind: z.string(), description: z.string() }).passthrough())
    .describe(
      'What happened beside the screen: dialogs answered, downloads saved, popups followed, tabs closed, requests blocked, browser restarts, launched applications that exited, an expired default session replaced',
    ),
  screenshot: z.object({
    mime_type: z.string(),
    bytes: z.number(),
    width: z.number(),
    height: z.number(),
    scale: z
      .number()
      .optional()
      .describe('Image pixels per display pixel, when the image is smaller than display (divide positions in the image by it)'),
    notes: z.array(z.string()).describe('How the image differs from a plain screenshot (format, size) and why'),
  }),
};

/**
 * Longest page-controlled strings in a result. A page chooses its title,
 * URL, dialog texts and download names: uncapped, a 4-million-character
 * title would push the result past the 10 MiB a stdio message may have,
 * and the client would drop the connection with every session on it.
 */
export const PAGE_STRING_LIMITS = { title: 300, url: 2048, text: 1000 } as const;
/** Events shown per result; the rest are counted. */
const MAX_EVENTS = 50;

/** `text` cut to `max` UTF-16 units (never inside a surrogate pair), saying how long it was. */
export function pageString(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return `${text.slice(0, end)}… (cut, ${text.length} characters)`;
}

/** The state and events with every page-controlled string capped, and at most MAX_EVENTS events. */
export function boundedScreen(
  state: ScreenState,
  events: SessionEvent[],
): { state: ScreenState; events: SessionEvent[]; eventsLeftOut: number } {
  const { title, url, text } = PAGE_STRING_LIMITS;
  const bounded: ScreenState = {
    ...state,
    url: pageString(state.url, url),
    title: pageString(state.title, title),
    tabs: state.tabs.map((tab) => ({ ...tab, url: pageString(tab.url, url), title: pageString(tab.title, title) })),
  };
  const capped = events.slice(0, MAX_EVENTS).map((event): SessionEvent => {
    switch (event.kind) {
      case 'dialog':
        return { ...event, dialog_type: pageString(event.dialog_type, text), message: pageString(event.message, text) };
      case 'download':
        return {
          ...event,
          url: pageString(event.url, url),
          filename: pageString(event.filename, text),
          ...(event.error !== undefined ? { error: pageString(event.error, text) } : {}),
        };
      case 'blocked':
        return { ...event, url: pageString(event.url, url), reason: pageString(event.reason, text) };
      case 'reset':
        return { ...event, url: pageString(event.url, url), reason: pageString(event.reason, text) };
      case 'shortcut':
        return { ...event, effect: pageString(event.effect, text) };
      case 'not_answering':
        return { ...event, url: pageString(event.url, url) };
      case 'limit':
      case 'session_replaced':
        return event;
      case 'app_exited':
        return { ...event, stderr: pageString(event.stderr, text) };
      case 'popup':
      case 'window_reused':
      case 'tab_closed':
        return { ...event, url: pageString(event.url, url) };
    }
  });
  return { state: bounded, events: capped, eventsLeftOut: events.length - capped.length };
}

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
    case 'not_answering':
      return `the page ${event.url} stopped answering: ${event.detail}`;
    case 'limit':
      return event.detail;
    case 'app_exited':
      return `${event.app} (pid ${event.pid}) exited with ${event.signal ?? `code ${event.code}`}${event.stderr ? `: ${event.stderr.split('\n').slice(-3).join(' / ')}` : ''}`;
    case 'session_replaced':
      return `this is a new default session: the previous one (${event.previous_session_id}) is gone, with its pages, cookies and tabs, because ${event.reason}`;
  }
}

/**
 * The standard result: a text line, the screenshot as image content, and
 * the page state as structuredContent for other tools to chain on. The text
 * and structuredContent carry the same facts (see result-policy.ts).
 */
export async function screenResult(
  session: ComputerSession,
  limits: ClientImageLimits,
  summary: string,
  extra: Record<string, unknown> = {},
  /** Text lines after the summary for facts that `extra` carries as fields. */
  details: string[] = [],
): Promise<ToolResult> {
  // Independent reads of the same settled page: overlapping them saves the titles' round trips.
  // page() first, so a tab that must be reopened (crash, all closed) is opened once, not by both.
  await session.ready();
  const [shot, fullState] = await Promise.all([session.screenshot(), session.state()]);
  const image = await fitForClient(shot, limits);
  const bounded = boundedScreen(fullState, session.takeEvents());
  const { state, eventsLeftOut } = bounded;
  const events = bounded.events.map((event) => ({ ...event, description: describeEvent(event) }));
  const lines = [
    summary,
    ...details,
    `Session ${state.session_id}:${state.url ? ` ${state.url}` : ''}${state.title ? ` "${state.title}"` : ''}`,
    ...events.map((e) => e.description),
  ];
  if (state.http_status !== null && (state.http_status < 200 || state.http_status > 299))
    lines.push(`The page came with HTTP status ${state.http_status}, not a success.`);
  if (eventsLeftOut) lines.push(`(${eventsLeftOut} more event(s) since the last call not shown)`);
  lines.push(...image.notes.map((note) => `Screenshot: ${note}.`));
  if (state.tabs.length > 1) {
    lines.push(`Tabs: ${state.tabs.map((t) => `${t.active ? '*' : ''}[${t.index}] ${t.url}`).join(', ')}`);
  }
  return {
    content: [
      { type: 'text', text: lines.join('\n') },
      { type: 'image', data: image.data.toString('base64'), mimeType: image.mimeType },
    ],
    structuredContent: {
      summary,
      ...state,
      display: clientDisplay(state.display, limits),
      events,
      ...(eventsLeftOut > 0 && { events_left_out: eventsLeftOut }),
      screenshot: {
        mime_type: image.mimeType,
        bytes: image.data.length,
        width: image.width,
        height: image.height,
        ...(image.scale !== 1 && { scale: image.scale }),
        notes: image.notes,
      },
      ...extra,
    },
  };
}
