import type { Decision, HeldRun, RunObserver } from '../agent/types.js';
import { log } from '../log.js';
import type { FormAnswer, FormRequest } from './request-context.js';
import type { ToolContext } from './tool.js';

/** The text a person sees for a held action, in the tool result and the elicitation form. */
export function safetyQuestion(run: HeldRun): string {
  const checks = run.pendingChecks.map((c) => `- ${c.code}: ${c.message}`).join('\n');
  const actions = (run.pending ?? []).flatMap((c) => c.descriptions).join('; ');
  return `The computer-use model wants to run: ${actions || '(no action)'}\non ${run.session.id} for the task "${run.task}".\nThe safety system flagged it:\n${checks}\nApprove to run it now, or deny to drop it and end the run.`;
}

/** The form that asks a person about a held action: approve or deny. */
export function safetyForm(run: HeldRun): FormRequest {
  return {
    message: safetyQuestion(run),
    requestedSchema: {
      type: 'object',
      properties: {
        decision: {
          type: 'string',
          title: 'Decision',
          enum: ['approve', 'deny'],
          description: 'approve runs the held action now; deny drops it and ends the run',
        },
      },
      required: ['decision'],
    },
  };
}

/**
 * An answer to safetyForm: decline is a "no" (given by the client, maybe
 * without a person); cancel (dismissed without choosing) decides nothing,
 * and the run stays paused.
 */
export function decisionOf(answer: FormAnswer): Decision | undefined {
  if (answer.action === 'accept') return { decision: answer.content?.decision === 'approve' ? 'approve' : 'deny', by: 'elicitation' };
  return answer.action === 'decline' ? { decision: 'deny', by: 'client-declined' } : undefined;
}

/**
 * Reports a run to the MCP client while one of its calls waits on it:
 * progress notifications (so clients keep waiting), reasoning summaries as
 * log messages, and, when the client can show forms, the safety question
 * asked directly through elicitation. The question is withdrawn when
 * `signal` aborts (the call stops waiting): the run then stays paused.
 */
export function mcpObserver({ request }: ToolContext, signal: AbortSignal): RunObserver {
  return {
    step(done, total, description) {
      request.progress(done, total, `step ${done}/${total}: ${description}`);
    },
    reasoning(summary) {
      request.log('info', 'cua-mcp.agent', `reasoning: ${summary}`);
    },
    async confirm(run) {
      if (!request.askForm) return undefined;
      try {
        return decisionOf(await request.askForm(safetyForm(run), signal));
      } catch (error) {
        log.warn('asking the person through elicitation failed; the run stays paused', error);
        return undefined;
      }
    },
  };
}
