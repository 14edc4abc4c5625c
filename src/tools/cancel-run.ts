import { RunStateError } from '../agent/run.js';
import { runResult, runResultShape } from './agent-result.js';
import { RUN_VIEW_META } from './run-view-html.js';
import { defineTool, sessionIdArg } from './tool.js';

export const cancelRunTool = defineTool({
  name: 'cancel_run',
  title: 'Stop a computer-use run',
  description:
    "Stops the session's run after the action it is running (the model request in flight is dropped, and no other is made), then answers like get_run, with status cancelled. " +
    'step with this session_id goes on from there. A run that is not working is left as it is.',
  inputSchema: {
    session_id: sessionIdArg('The session whose run to stop'),
  },
  outputSchema: runResultShape,
  _meta: RUN_VIEW_META,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async ({ session_id }, context) => {
    const session = await context.principal.session(session_id);
    const run = context.runs.current(session);
    if (!run) throw new RunStateError(`Session ${session.id} has no run to cancel.`);
    run.cancel();
    await run.stopped();
    return runResult(run, run.report(), context.config.clientImage);
  },
});
