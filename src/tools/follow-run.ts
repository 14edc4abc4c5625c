import { setTimeout as sleep } from 'node:timers/promises';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentRun } from '../agent/run.js';
import { optional } from '../strict-schema.js';
import { mcpObserver } from './agent-observer.js';
import { runResult } from './agent-result.js';
import type { ToolContext } from './tool.js';

/** The `wait_seconds` argument of the tools that wait on a run. */
export const waitSecondsArg = optional(z.number().min(0).max(3600)).describe('Longest wait in seconds for the run to stop; past it this call answers with status running and the run goes on (follow it with get_run). Keep it below your client\'s call timeout. Default: the server\'s --call-wait');

/**
 * Waits on the run until `waitSeconds` after the call arrived, reporting its progress to this
 * call, then answers with what happened since the last look and the
 * current screen. `drives`: the call started or resumed the work, so the
 * session stays open while the run works, and the client cancelling this
 * call (the person pressing stop) cancels the run; cancelling a call that
 * only watches (get_run) just stops the waiting.
 */
export async function followRun(run: AgentRun, context: ToolContext, waitSeconds: number | undefined, drives: boolean): Promise<CallToolResult> {
  const { extra, config, connection } = context;
  if (drives) {
    const release = connection.sessions.hold(run.session);
    void run.stopped().then(release);
  }
  const leaving = new AbortController();
  const leave = () => {
    if (drives) run.cancel();
    leaving.abort();
  };
  extra.signal.addEventListener('abort', leave, { once: true });
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
    const left = context.arrivedAt + (waitSeconds ?? config.callWaitSeconds) * 1000 - Date.now();
    const timeUp = sleep(Math.max(0, left), undefined, { signal: leaving.signal }).catch(() => {});
    await Promise.race([run.stopped(), timeUp]);
  } finally {
    extra.signal.removeEventListener('abort', leave);
    unwatch();
    leaving.abort();
  }
  // A question this call was asking is withdrawn with it: the run pauses at once, and this result says so.
  if (asking) await run.stopped();
  return runResult(run, run.report(), config.clientImage);
}
