import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RunStateError, type AgentRun } from '../agent/run.js';
import { optional } from '../strict-schema.js';
import { decisionOf, mcpObserver, safetyForm } from './agent-observer.js';
import { runResult } from './agent-result.js';
import type { ToolContext } from './tool.js';
import type { ToolResult } from './tool-result.js';

/** The `wait_seconds` argument of the tools that wait on a run. */
export const waitSecondsArg = optional(z.number().min(0).max(3600)).describe(
  "Longest wait in seconds for the run to stop; past it this call answers with status running and the run goes on (follow it with get_run). Keep it below your client's call timeout. Default: the server's --call-wait",
);

/**
 * Waits on the run until `waitSeconds` after the call arrived, reporting its progress to this
 * call, then answers with what happened since the last look and the
 * current screen. `drives`: the call started or resumed the work, so the
 * session stays open while the run works, and the client cancelling this
 * call (the person pressing stop) cancels the run; cancelling a call that
 * only watches (get_run) just stops the waiting. A run paused on a safety
 * check is answered with the question itself to clients that take
 * questions in results (2026-07-28), unless `ask` is false. A client that
 * takes tasks gets one at once instead (its call does not wait).
 */
export async function followRun(
  run: AgentRun,
  context: ToolContext,
  waitSeconds: number | undefined,
  drives: boolean,
  ask = true,
): Promise<ToolResult> {
  const { request, config, principal } = context;
  if (drives) {
    const release = principal.sessions.keepOpen(run.session);
    void run.stopped().then(release);
    // The client follows it as a task (tasks/get) instead of this call waiting on it.
    if (request.followAsTask) return request.followAsTask(run, (stopped) => runResult(stopped, stopped.report(), config.clientImage));
  }
  const leaving = new AbortController();
  const leave = () => {
    if (drives) run.cancel();
    leaving.abort();
  };
  request.signal.addEventListener('abort', leave, { once: true });
  const observer = mcpObserver(context, leaving.signal);
  let asking = false;
  const unwatch = run.watch({
    ...observer,
    async confirm(held) {
      asking = true;
      try {
        return await observer.confirm!(held);
      } finally {
        asking = false;
      }
    },
  });
  try {
    // A deadline from the call's arrival: opening a browser first must not make the client wait longer than it asked.
    const left = request.arrivedAt + (waitSeconds ?? config.callWaitSeconds) * 1000 - Date.now();
    const timeUp = sleep(Math.max(0, left), undefined, { signal: leaving.signal }).catch(() => {});
    await Promise.race([run.stopped(), timeUp]);
  } finally {
    request.signal.removeEventListener('abort', leave);
    unwatch();
    leaving.abort();
  }
  // A question this call was asking is withdrawn with it: the run pauses at once, and this result says so.
  if (asking) await run.stopped();
  // Nothing is reported yet: the result of the call that brings the answer reports all of it.
  if (ask && run.status === 'needs_confirmation' && request.askInResult) {
    return request.askInResult(safetyForm(run), { session_id: run.session.id, check_ids: run.pendingChecks.map((c) => c.id) });
  }
  return runResult(run, run.report(), config.clientImage);
}

/**
 * The retry of a run tool's call that asked a person in its result
 * (2026-07-28 input_required), bringing the answer: the answer goes to the
 * run as acknowledge_safety_check would take it, and the call follows the
 * run on. Undefined for any other call. The state names the checks that
 * were asked about, so an answer never approves a different action.
 */
export async function followAnswer(context: ToolContext, waitSeconds: number | undefined): Promise<ToolResult | undefined> {
  const answered = context.request.answered;
  if (!answered) return undefined;
  const session = await context.principal.session(answered.state.session_id);
  const run = context.runs.current(session);
  if (!run) throw new RunStateError(`Session ${session.id} has no run, so there is no safety check to answer.`);
  const decision = decisionOf(answered.answer);
  if (decision) run.decide(decision.decision, answered.state.check_ids);
  // Dismissed without a choice: the run stays paused, and the result says so instead of asking again.
  return followRun(run, context, waitSeconds, decision !== undefined, decision !== undefined);
}
