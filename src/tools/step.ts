import { z } from 'zod';
import { RunStateError } from '../agent/run.js';
import { optional } from '../strict-schema.js';
import { runResultShape } from './agent-result.js';
import { followAnswer, followRun, waitSecondsArg } from './follow-run.js';
import { RUN_VIEW_META } from './run-view-html.js';
import { defineTool, sessionIdArg } from './tool.js';

export const stepTool = defineTool({
  name: 'step',
  title: 'One computer-use model turn',
  description:
    "Runs exactly one model turn of the session's run: the model looks at the screen and its actions are executed. " +
    'With task, a new run starts in that session; without, the current run goes on (after max_steps, cancelled or failed). Same result and wait_seconds as run_task.',
  inputSchema: {
    session_id: sessionIdArg('The session whose run to advance'),
    task: optional(z.string().min(1)).describe('Start a new run with this task instead of continuing'),
    wait_seconds: waitSecondsArg,
  },
  outputSchema: runResultShape,
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  _meta: RUN_VIEW_META,
  handler: async ({ session_id, task, wait_seconds }, context) => {
    // The call again, with a person's answer to the question its result asked (2026-07-28).
    const answered = await followAnswer(context, wait_seconds);
    if (answered) return answered;
    const { principal, runs } = context;
    // Says what to configure before anything is done.
    void runs.provider;
    const session = await principal.session(session_id);
    if (task) {
      const run = await runs.start(session, task, { maxSteps: 1, owner: principal.id, gate: principal.quota });
      return followRun(run, context, wait_seconds, true);
    }
    const run = runs.current(session);
    if (!run) throw new RunStateError(`Session ${session.id} has no run yet: pass task to start one (or call run_task).`);
    run.resume(1);
    return followRun(run, context, wait_seconds, true);
  },
});
