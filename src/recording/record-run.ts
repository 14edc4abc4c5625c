import type { AgentRun } from '../agent/run.js';
import type { ServerConfig } from '../config.js';
import { RunRecorder } from './recorder.js';

const recorders = new WeakMap<AgentRun, RunRecorder>();
/** The latest recording in each session: a new run replaces a paused one, whose held action then never runs. */
const latest = new WeakMap<AgentRun['session'], RunRecorder>();

/**
 * Records the run from now on, unless recording is off (--no-record).
 * `owner` is the principal allowed to read it over MCP.
 */
export function recordRun(run: AgentRun, recording: ServerConfig['recording'], owner?: string): RunRecorder | undefined {
  if (!recording.enabled) return undefined;
  const { provider, session } = run;
  const replacing = latest.get(session)?.replaced();
  const recorder = new RunRecorder(recording.dir, { task: run.task, model: provider.model, provider: provider.kind, session, owner }, recording.keep, replacing);
  run.watch(recorder);
  recorders.set(run, recorder);
  latest.set(session, recorder);
  return recorder;
}

/** The recording of a run, if it has one. */
export function recordingOf(run: AgentRun): RunRecorder | undefined {
  return recorders.get(run);
}
