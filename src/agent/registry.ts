import type { AgentOptions } from './agent-options.js';
import type { ModelProvider } from './model-provider.js';
import { createProvider } from '../providers/index.js';
import type { ComputerSession } from '../session/computer-session.js';
import { AgentRun } from './run.js';

/** The run of each browser session; it goes away with the session. */
const runs = new WeakMap<ComputerSession, AgentRun>();

export function currentRun(session: ComputerSession): AgentRun | undefined {
  return runs.get(session);
}

/** Refuses while a run is working in the session: another would fight it for the screen. */
export function assertNoRunWorking(session: ComputerSession): void {
  runs.get(session)?.assertIdle();
}

/** A new run in the session, replacing a finished or paused one (a held action is dropped). */
export function newRun(session: ComputerSession, options: AgentOptions, task: string, instructions?: string): AgentRun {
  const provider = providerFor(options);
  assertNoRunWorking(session);
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
