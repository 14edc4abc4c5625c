import path from 'node:path';
import type { AgentRun } from '../agent/run.js';
import type { RecordingConfig } from './recording-config.js';
import { log } from '../log.js';
import { privateDir } from '../private-dir.js';
import { RunRecorder } from './recorder.js';

const recorders = new WeakMap<AgentRun, RunRecorder>();
/** Why a run is not recorded although recording is on (its folder is not ours). */
const refusals = new WeakMap<AgentRun, string>();
/** The latest recording in each session: a new run replaces a paused one, whose held action then never runs. */
const latest = new WeakMap<AgentRun['session'], RunRecorder>();

/**
 * Records the run from now on, unless recording is off (--no-record) or
 * the runs folder is not private to us (then the run goes on unrecorded,
 * with a warning). `owner` is the principal allowed to read it over MCP.
 */
export async function recordRun(run: AgentRun, recording: RecordingConfig, owner?: string): Promise<RunRecorder | undefined> {
  if (!recording.enabled) return undefined;
  try {
    await privateDir(path.dirname(recording.dir), path.basename(recording.dir), 'recordings');
  } catch (error) {
    const reason = `recording is off for this run: ${(error as Error).message}`;
    log.warn(reason);
    refusals.set(run, reason);
    return undefined;
  }
  const { provider, session } = run;
  const replacing = latest.get(session)?.replaced();
  const recorder = new RunRecorder(
    recording.dir,
    { task: run.task, model: provider.model, provider: provider.kind, session, owner },
    recording.keep,
    replacing,
  );
  run.watch(recorder);
  recorders.set(run, recorder);
  latest.set(session, recorder);
  return recorder;
}

/** The recording of a run, if it has one. */
export function recordingOf(run: AgentRun): RunRecorder | undefined {
  return recorders.get(run);
}

/** Why the run is not recorded, when recording is on but its folder was refused. */
export function recordingRefusal(run: AgentRun): string | undefined {
  return refusals.get(run);
}
