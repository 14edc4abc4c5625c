import type { AgentOptions } from '../config.js';
import type { ModelProvider } from '../model/provider.js';
import { createProvider } from '../model/select.js';
import type { ComputerSession } from '../session/computer-session.js';
import { AgentRun, RunStateError } from './run.js';

/** The run of each browser session; it goes away with the session. */
const runs = new WeakMap<ComputerSession, AgentRun>();

export function currentRun(session: ComputerSession): AgentRun | undefined {
  return runs.get(session);
}

/** A new run in the session, replacing a finished or paused one (a held action is dropped). */
export function newRun(session: ComputerSession, options: AgentOptions, task: string, instructions?: string): AgentRun {
  const provider = providerFor(options);
  if (runs.get(session)?.isActive) {
    throw new RunStateError(`A run is already working on session ${session.id}; follow it with get_run, or stop it with cancel_run.`);
  }
  const run = new AgentRun(session, provider, options, task, instructions);
  runs.set(session, run);
  return run;
}

const providers = new WeakMap<AgentOptions, ModelProvider>();

/** One client per server configuration, built on first use so the browser tools work without a model. */
export function providerFor(options: AgentOptions): ModelProvider {
  let provider = providers.get(options);
  if (!provider) {
    provider = createProvider(options);
    providers.set(options, provider);
  }
  return provider;
}
