import type { AgentRun } from '../agent/run.js';
import type { Principal } from '../session/principal.js';

/**
 * Starts the run `prepare` makes (opening a session, replacing the
 * session's last run, recording it) within the principal's limits. The
 * admission comes first, so a refused run opens, replaces and records
 * nothing.
 */
export async function startRun(principal: Principal, budget: number, prepare: () => Promise<AgentRun>): Promise<AgentRun> {
  const admitted = principal.quota.admitRun();
  let run: AgentRun;
  try {
    run = await prepare();
  } catch (error) {
    admitted();
    throw error;
  }
  run.start(budget, admitted);
  return run;
}
