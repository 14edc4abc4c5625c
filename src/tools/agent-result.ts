import { z } from 'zod';
import type { AgentRun, RunReport } from '../agent/run.js';
import type { ClientImageLimits } from '../images.js';
import { describeUsage } from '../agent/usage.js';
import { recordingOf, recordingRefusal } from '../recording/record-run.js';
import { safetyQuestion } from './agent-observer.js';
import type { ToolResult } from './tool-result.js';
import { screenResult, screenStateShape } from './results.js';

const safetyCheckShape = z.object({
  id: z.string(),
  code: z.string(),
  message: z.string(),
  rule: z.string().optional().describe("The operator's approval rule that asked (absent for the model's own checks)"),
});

/** structuredContent of run_task, step, acknowledge_safety_check, get_run and cancel_run. */
export const runResultShape = {
  ...screenStateShape,
  status: z.enum(['running', 'completed', 'max_steps', 'needs_confirmation', 'cancelled', 'failed', 'denied']),
  steps: z.number().describe('Model turns taken by this run so far'),
  actions: z.array(z.string()).describe('Actions executed since the last result about this run, in order (each is reported once)'),
  reasoning: z.array(z.string()).describe('Reasoning summaries from the model since the last result about this run'),
  message: z.string().describe("The model's last message (its answer when completed)"),
  pending_safety_checks: z.array(safetyCheckShape).describe('Checks waiting for a person when status is needs_confirmation'),
  pending_actions: z.array(z.string()).describe('The held actions, not run yet'),
  usage: z
    .object({
      input_tokens: z.number(),
      cached_input_tokens: z.number(),
      cache_write_tokens: z.number(),
      output_tokens: z.number(),
      reasoning_tokens: z.number(),
      requests: z.number(),
      model_ms: z.number(),
      cost_usd: z.number().optional(),
    })
    .optional()
    .describe(
      'Tokens of the whole run so far (input includes cached and cache writes; output includes reasoning), model requests, time waiting for the model, and the estimated cost in USD when the operator set --model-prices',
    ),
  error: z.string().optional(),
  run_id: z.string().optional().describe('The recording of this run (absent with --no-record): resource cua-mcp://runs/{run_id}'),
  report: z.string().optional().describe("Path of the recording's report.html, a page to open in a browser"),
  next_step: z.string().describe('What to do now: for needs_confirmation, ask the user and call acknowledge_safety_check'),
};

/** What the caller should do next, by status: in the text and in structuredContent (`next_step`), since clients show their model one or the other. */
function nextStep(status: RunReport['status'], sessionId: string): string {
  switch (status) {
    case 'running':
      return `The run is still working in the background; call get_run with session_id "${sessionId}" to follow it, or cancel_run to stop it.`;
    case 'completed':
      return 'The model finished the task; its answer is in message.';
    case 'max_steps':
      return `The step budget is spent; call step with session_id "${sessionId}" to go on one turn at a time, or run_task for a new task.`;
    case 'needs_confirmation':
      return `The flagged action has NOT run. Ask the user, then call acknowledge_safety_check with session_id "${sessionId}" and decision "approve" or "deny".`;
    case 'cancelled':
      return `Cancelled after the current action; call step with session_id "${sessionId}" to go on.`;
    case 'failed':
      return `The run failed; the session is still usable. Fix the cause and call step with session_id "${sessionId}" to retry the turn, or start a new run.`;
    case 'denied':
      return 'The flagged action was dropped and the run ended; the session is still usable.';
  }
}

/** Text (status, next step, actions, reasoning, message, pending checks) + final screenshot + structuredContent. */
export function runResult(run: AgentRun, report: RunReport, limits: ClientImageLimits): Promise<ToolResult> {
  const session = run.session;
  const next = nextStep(report.status, session.id);
  const summary = `Status: ${report.status} after ${report.steps} step(s) in session ${session.id}.${next ? ` Next: ${next}` : ''}`;
  const lines: string[] = [];
  if (report.actions.length) lines.push('Actions:', ...report.actions.map((a, i) => `  ${i + 1}. ${a}`));
  if (report.reasoning.length) lines.push('Reasoning:', ...report.reasoning.map((r) => `  - ${r}`));
  if (report.message) lines.push(`Message: ${report.message}`);
  if (report.status === 'needs_confirmation')
    lines.push(safetyQuestion(run), `Check ids: ${report.pending_safety_checks.map((c) => c.id).join(', ')}`);
  if (report.error) lines.push(`Error: ${report.error}`);
  if (report.usage?.requests) lines.push(describeUsage(report.usage));
  const recording = recordingOf(run);
  const recorded = recording ? { run_id: recording.id, report: recording.reportPath } : {};
  if (recording) lines.push(`Run ${recording.id} recorded: ${recording.reportPath}`);
  const refusal = recordingRefusal(run);
  if (refusal) lines.push(`Not recorded: ${refusal}`);
  return session.exclusive(async () => {
    const result = await screenResult(session, limits, summary, { ...report, ...recorded, next_step: next }, lines);
    return report.status === 'failed' ? { ...result, isError: true } : result;
  });
}
