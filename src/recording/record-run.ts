import type { AgentRun } from '../agent/run.js';
import type { ServerConfig } from '../config.js';
import { RunRecorder } from './recorder.js';

const recorders = new WeakMap<AgentRun, RunRecorder>();

/**
 * Records the run from now on, unless recording is off (--no-record).
 * `owner` is the connection allowed to read it over MCP.
 */
export function recordRun(run: AgentRun, recording: ServerConfig['recording'], owner?: string): RunRecorder | undefined {
  if (!recording.enabled) return undefined;
  const { provider, session } = run;
  const recorder = new RunRecorder(recording.dir, { task: run.task, model: provider.model, provider: provider.kind, session, owner }, recording.keep);
  run.watch(recorder);
  recorders.set(run, recorder);
  return recorder;
}

/** The recording of a run, if it has one. */
export function recordingOf(run: AgentRun): RunRecorder | undefined {
  return recorders.get(run);
}
