import { z } from 'zod';
import { RunStateError } from '../agent/run.js';
import { optional } from '../strict-schema.js';
import { runResultShape } from './agent-result.js';
import { followAnswer, followRun, waitSecondsArg } from './follow-run.js';
import { RUN_VIEW_META } from './run-view-html.js';
import { defineTool, sessionIdArg } from './tool.js';

export const acknowledgeSafetyCheckTool = defineTool({
  name: 'acknowledge_safety_check',
  title: 'Approve or deny a flagged action',
  description:
    'Answers the safety check a run is paused on (status needs_confirmation). The flagged action has NOT run yet. ' +
    "Only call this with the user's own decision. approve: the action runs now, its output acknowledges the checks, and the run continues as run_task would. " +
    'deny: the action is dropped and the run ends with status denied; the session stays usable. Waits like run_task (wait_seconds, status running).',
  inputSchema: {
    session_id: sessionIdArg('The session whose run is paused'),
    decision: z.enum(['approve', 'deny'], { error: 'decision must be "approve" or "deny"' }),
    check_ids: optional(z.array(z.string())).describe('The pending check ids being answered (default: all of them)'),
    wait_seconds: waitSecondsArg,
  },
  outputSchema: runResultShape,
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  _meta: RUN_VIEW_META,
  handler: async ({ session_id, decision, check_ids, wait_seconds }, context) => {
    // The call again, with a person's answer to the question its result asked (2026-07-28).
    const answered = await followAnswer(context, wait_seconds);
    if (answered) return answered;
    const session = await context.principal.session(session_id);
    const run = context.runs.current(session);
    if (!run) throw new RunStateError(`Session ${session.id} has no run, so there is no safety check to answer.`);
    run.decide(decision, check_ids);
    return followRun(run, context, wait_seconds, true);
  },
});
