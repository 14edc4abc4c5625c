import { z } from 'zod';
import { optional } from '../strict-schema.js';
import { capability } from './capability.js';
import { runResultShape } from './agent-result.js';
import { followAnswer, followRun, waitSecondsArg } from './follow-run.js';
import { RUN_VIEW_META } from './run-view-html.js';
import { defineTool, optionalSessionIdArg } from './tool.js';

export const runTaskTool = defineTool({
  name: 'run_task',
  title: 'Run a task with the computer-use model',
  description:
    'Hands a task to the configured computer-use model (OpenAI, Azure OpenAI, Anthropic, Gemini or an OpenAI-compatible open model), which operates a browser or desktop session screenshot by screenshot until it is done. ' +
    "Without session_id a new session is opened (its id comes back). Stops with status completed (the model's final message), " +
    'max_steps (resume with step), needs_confirmation (a safety check: the flagged action has NOT run; ask the user, then call acknowledge_safety_check), ' +
    'cancelled, failed (with the reason) or denied. The session survives every outcome. ' +
    'A run that is still working after wait_seconds answers with status running and goes on in the background: follow it with get_run, stop it with cancel_run. ' +
    'Cancelling this call while it waits cancels the run.',
  inputSchema: {
    task: z
      .string()
      .min(1, { error: 'task must describe what the model should do' })
      .describe('What the model should do, in plain language'),
    session_id: optionalSessionIdArg('Session to work in (default: a new session)'),
    environment: optional(z.enum(['browser', 'desktop'])).describe(
      'What the new session drives when no session_id is given: browser (default) or desktop',
    ),
    start_url: optional(z.string()).describe('Page to open before the model starts'),
    max_steps: optional(z.number().int().min(1).max(1000)).describe(
      "Most model turns this call may take (default: the server's --max-steps)",
    ),
    instructions: optional(z.string()).describe('Extra system instructions for the model'),
    wait_seconds: waitSecondsArg,
  },
  outputSchema: runResultShape,
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  _meta: RUN_VIEW_META,
  handler: async ({ task, session_id, environment, start_url, max_steps, instructions, wait_seconds }, context) => {
    // The call again, with a person's answer to the question its result asked (2026-07-28).
    const answered = await followAnswer(context, wait_seconds);
    if (answered) return answered;
    const { principal, runs } = context;
    // Says what to configure, or how to sign in, before a session is opened.
    await runs.provider.checkCredentials?.();
    if (environment === 'desktop' && start_url !== undefined)
      throw new Error('start_url is for browser sessions; a desktop session opens no page.');
    // Admitted before a session is opened: a principal at its limits is refused with nothing opened or recorded.
    const admitted = principal.quota.admitRun();
    let run;
    try {
      const session = session_id ? await principal.session(session_id) : await principal.newSession(start_url, environment);
      if (environment && session.environment !== environment) {
        throw new Error(
          `environment ${environment} applies to the session run_task opens; session ${session.id} is a ${session.environment} session. Leave out one of them.`,
        );
      }
      if (session_id && start_url) {
        runs.assertNoneWorking(session);
        const navigation = capability(session, 'navigation', 'start_url');
        await session.exclusive(() => navigation.open(start_url));
      }
      // Until the run keeps the session open (followRun, at once after this), writing the recording is the one wait: a
      // session just opened could be closed by a short --idle-timeout meanwhile.
      const release = principal.sessions.keepOpen(session);
      run = await runs
        .start(session, task, { maxSteps: max_steps, instructions, owner: principal.id, gate: principal.quota, admitted })
        .finally(release);
    } catch (error) {
      admitted();
      throw error;
    }
    return followRun(run, context, wait_seconds, true);
  },
});
