import { z } from 'zod';
import { optional } from '../strict-schema.js';
import { PAGE_STRING_LIMITS, pageString, screenResult, screenStateShape } from './results.js';
import { defineTool, sessionIdArg } from './tool.js';

export const newSessionTool = defineTool({
  name: 'new_session',
  title: 'Open a session',
  description:
    'Opens a new session and returns its session_id and first screenshot: an isolated browser (its own cookies and storage), ' +
    'or with environment "desktop" a whole Linux X desktop, where launch_app starts the applications the server allows.',
  inputSchema: {
    environment: optional(z.enum(['browser', 'desktop'])).describe('browser (default) or desktop'),
    start_url: optional(z.string()).describe("Page to open first, in a browser session (default: the server's start URL)"),
  },
  outputSchema: screenStateShape,
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
  handler: async ({ environment, start_url }, { principal, config }) => {
    if (environment === 'desktop' && start_url !== undefined) {
      throw new Error(
        'start_url is for browser sessions; a desktop session starts empty: open an application with launch_app (a browser too, if the server allows one).',
      );
    }
    const session = await principal.newSession(start_url, environment);
    return session.exclusive(() => screenResult(session, config.clientImage, `Opened session ${session.id}`));
  },
});

const sessionSummary = z.object({
  session_id: z.string(),
  environment: z.enum(['browser', 'desktop']),
  url: z.string(),
  title: z.string(),
  tab_count: z.number().describe('How many tabs the session has'),
  tabs: z.number().describe('The same count as tab_count, kept for clients that read it (in screen results, tabs is the list of tabs)'),
  is_default: z.boolean(),
  created_at: z.string(),
  idle_seconds: z.number(),
});

export const listSessionsTool = defineTool({
  name: 'list_sessions',
  title: 'List your sessions',
  description:
    'Lists your open sessions (every connection of yours sees the same ones) with their current URL and title, and which browser drives them.',
  inputSchema: {},
  outputSchema: {
    sessions: z.array(sessionSummary),
    browser: z.string().nullable(),
    desktop: z.string().nullable().describe('The X displays of the desktop sessions'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: async (_args, { principal }) => {
    const now = Date.now();
    const sessions = await Promise.all(
      principal.list().map(async (s) => {
        const state = await s.state();
        return {
          session_id: s.id,
          environment: s.environment,
          url: pageString(state.url, PAGE_STRING_LIMITS.url),
          title: pageString(state.title, PAGE_STRING_LIMITS.title),
          tab_count: state.tabs.length,
          tabs: state.tabs.length,
          is_default: s.id === principal.defaultSession,
          created_at: new Date(s.createdAt).toISOString(),
          idle_seconds: Math.round((now - s.lastUsedAt) / 1000),
        };
      }),
    );
    const browser = (await principal.sessions.description('browser', principal.id)) ?? null;
    const desktop = (await principal.sessions.description('desktop', principal.id)) ?? null;
    const lines = sessions.length
      ? sessions.map((s) =>
          s.environment === 'desktop'
            ? `${s.session_id}: desktop, focused window "${s.title}", idle ${s.idle_seconds} s`
            : `${s.session_id}${s.is_default ? ' (default)' : ''}: ${s.url} "${s.title}", ${s.tab_count} tab(s), idle ${s.idle_seconds} s`,
        )
      : ['No browser sessions open. Any tool call without session_id opens the default one.'];
    if (browser) lines.push(`Browser: ${browser}`);
    if (desktop) lines.push(`Desktop: ${desktop}`);
    return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { sessions, browser, desktop } };
  },
});

export const closeSessionTool = defineTool({
  name: 'close_session',
  title: 'Close a session',
  description:
    "Closes a session and everything in it: a browser's tabs, cookies and storage; a desktop's applications (and its display, when the server started it).",
  inputSchema: {
    session_id: sessionIdArg('The session to close (see list_sessions)'),
  },
  outputSchema: { session_id: z.string(), closed: z.boolean() },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async ({ session_id }, { principal }) => {
    await principal.close(session_id);
    return { content: [{ type: 'text', text: `Closed session ${session_id}` }], structuredContent: { session_id, closed: true } };
  },
});
