import { z } from 'zod';
import type { Principal } from '../session/principal.js';
import { defineTool, type ToolSettings } from './tool.js';

/** Whether the principal gets the operator's view (--operators names principal ids, whatever proved them: a token, an OAuth subject). */
export const isOperator = (principal: Principal, config: ToolSettings): boolean => config.operators.includes(principal.id);

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

const sessionShape = z.object({
  session_id: z.string(),
  environment: z.enum(['browser', 'desktop']),
  idle_seconds: z.number(),
  run: z.string().nullable().describe("The status of the session's last run (running, needs_confirmation, completed...), or null"),
});

const principalShape = z.object({
  principal: z.string(),
  sessions: z.array(sessionShape),
  runs_working: z.number(),
  steps_last_minute: z.number(),
  idle_seconds: z
    .number()
    .nullable()
    .describe('Seconds since its last tool call on this server; null if it has made none since the server started'),
});

export const serverStatusTool = defineTool({
  name: 'server_status',
  title: 'Who holds what (operators)',
  description:
    "For the server's operators (--operators): every principal with its open sessions, working runs, model steps in the last 60 s and idle time, beside the limits. " +
    'It shows no page, task or screenshot of anyone: only what they hold.',
  inputSchema: {},
  outputSchema: {
    principals: z.array(principalShape),
    sessions_open: z.number(),
    limits: z
      .object({
        max_sessions: z.number(),
        sessions_per_principal: z.number(),
        runs_per_principal: z.number(),
        steps_per_minute: z.number(),
      })
      .describe('0 = no limit'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: async (_args, { principal, runs, config }) => {
    // Listed only for operators; refused here too, whatever server object carried the call.
    if (!isOperator(principal, config)) throw new Error("server_status is for the server's operators (--operators); nothing is shown.");
    const { sessions } = principal;
    const now = Date.now();
    // Every principal that has made a call or holds a session, and every one the token file names.
    const ids = new Set([...sessions.quotas.all().map((q) => q.id), ...(config.http?.tokens ?? []).map((t) => t.principal)]);
    const principals = [...ids].sort().map((id) => {
      const quota = sessions.quotas.of(id);
      const held = sessions.list(id).map((s) => ({
        session_id: s.id,
        environment: s.environment,
        idle_seconds: seconds(now - s.lastUsedAt),
        run: runs.current(s)?.status ?? null,
      }));
      return {
        principal: id,
        sessions: held,
        runs_working: quota.activeRuns,
        steps_last_minute: quota.steps.count(),
        idle_seconds: quota.lastSeenAt === undefined ? null : seconds(now - quota.lastSeenAt),
      };
    });
    const limits = {
      max_sessions: config.maxSessions,
      sessions_per_principal: config.principalLimits.sessions,
      runs_per_principal: config.principalLimits.runs,
      steps_per_minute: config.principalLimits.stepsPerMinute,
    };
    const sessionsOpen = principals.reduce((n, p) => n + p.sessions.length, 0);
    const limit = (n: number) => (n > 0 ? String(n) : 'no limit');
    const lines = [
      `${principals.length} principal(s), ${sessionsOpen} session(s) open (--max-sessions ${limit(limits.max_sessions)}; per principal: ` +
        `${limit(limits.sessions_per_principal)} sessions, ${limit(limits.runs_per_principal)} runs at once, ${limit(limits.steps_per_minute)} steps a minute)`,
      ...principals.map(
        (p) =>
          `${p.principal}: ${p.sessions.length} session(s), ${p.runs_working} run(s) working, ${p.steps_last_minute} step(s) in the last 60 s, ` +
          `${p.idle_seconds === null ? 'no call yet' : `last call ${p.idle_seconds} s ago`}` +
          p.sessions.map((s) => `\n  ${s.session_id}: ${s.environment}, idle ${s.idle_seconds} s${s.run ? `, run ${s.run}` : ''}`).join(''),
      ),
    ];
    return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { principals, sessions_open: sessionsOpen, limits } };
  },
});
