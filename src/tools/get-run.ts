import { RunStateError } from '../agent/run.js';
import { runResultShape } from './agent-result.js';
import { followAnswer, followRun, waitSecondsArg } from './follow-run.js';
import { RUN_VIEW_META } from './run-view-html.js';
import { defineTool, sessionIdArg } from './tool.js';

export const getRunTool = defineTool({
  name: 'get_run',
  title: 'Follow a computer-use run',
  description:
    "The session's run as it stands: its status, the actions and reasoning since the last result about this run (each is reported once), and the current screenshot. " +
    'While the run is working, waits up to wait_seconds for it to stop (completed, needs_confirmation, max_steps, cancelled, failed, denied); ' +
    'if it is still working then, the status is running: call get_run again. Cancelling this call only stops the waiting; cancel_run stops the run.',
  inputSchema: {
    session_id: sessionIdArg('The session whose run to follow'),
    wait_seconds: waitSecondsArg,
  },
  outputSchema: runResultShape,
  _meta: RUN_VIEW_META,
  annotations: { readOnlyHint: true, openWorldHint: false },
  handler: async ({ session_id, wait_seconds }, context) => {
    // The call again, with a person's answer to the question its result asked (2026-07-28).
    const answered = await followAnswer(context, wait_seconds);
    if (answered) return answered;
    const session = await context.principal.session(session_id);
    const run = context.runs.current(session);
    if (!run) throw new RunStateError(`Session ${session.id} has no run: start one with run_task.`);
    return followRun(run, context, wait_seconds, false);
  },
});
