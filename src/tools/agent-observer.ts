import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import type { HeldRun, RunObserver } from '../agent/types.js';
import { log } from '../log.js';
import type { ToolContext } from './tool.js';

/** The text a person sees for a held action, in the tool result and the elicitation form. */
export function safetyQuestion(run: HeldRun): string {
  const checks = run.pendingChecks.map((c) => `- ${c.code}: ${c.message}`).join('\n');
  const actions = (run.pending ?? []).flatMap((c) => c.descriptions).join('; ');
  return `The computer-use model wants to run: ${actions || '(no action)'}\non ${run.session.id} for the task "${run.task}".\nThe safety system flagged it:\n${checks}\nApprove to run it now, or deny to drop it and end the run.`;
}

/**
 * Reports a run to the MCP client while one of its calls waits on it:
 * progress notifications (so clients keep waiting), reasoning summaries as
 * log messages, and, when the client can show forms, the safety question
 * asked directly through elicitation. The question is withdrawn when
 * `signal` aborts (the call stops waiting): the run then stays paused.
 */
export function mcpObserver({ extra, connection }: ToolContext, signal: AbortSignal): RunObserver {
  const token = extra._meta?.progressToken;
  const notify = (notification: ServerNotification) => void extra.sendNotification(notification).catch((error: unknown) => log.debug('notification not sent', error));
  return {
    step(done, total, description) {
      if (token === undefined) return;
      notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message: `step ${done}/${total}: ${description}` } });
    },
    reasoning(summary) {
      notify({ method: 'notifications/message', params: { level: 'info', logger: 'cua-mcp.agent', data: `reasoning: ${summary}` } });
    },
    async confirm(run) {
      const server = connection.mcpServer;
      if (!server?.getClientCapabilities()?.elicitation) return undefined;
      try {
        const answer = await server.elicitInput(
          {
            mode: 'form',
            message: safetyQuestion(run),
            requestedSchema: {
              type: 'object',
              properties: {
                decision: { type: 'string', title: 'Decision', enum: ['approve', 'deny'], description: 'approve runs the held action now; deny drops it and ends the run' },
              },
              required: ['decision'],
            },
          },
          { signal, relatedRequestId: extra.requestId },
        );
        // decline is a "no" (given by the client, maybe without a person); cancel (dismissed without choosing) leaves the run paused for acknowledge_safety_check.
        if (answer.action === 'accept') return { decision: answer.content?.decision === 'approve' ? 'approve' : 'deny', by: 'elicitation' };
        return answer.action === 'decline' ? { decision: 'deny', by: 'client-declined' } : undefined;
      } catch (error) {
        log.warn('asking the person through elicitation failed; the run stays paused', error);
        return undefined;
      }
    },
  };
}
