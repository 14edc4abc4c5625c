import fs from 'node:fs/promises';
import path from 'node:path';
import type { Retention } from './recording-config.js';
import { log } from '../log.js';
import { ownerFolder } from '../session/principal-ids.js';
import { GOING_STATUSES, RUN_FILE, type RunRecord } from './records.js';

/** run ids as newRunId makes them; anything else is not a run of ours (and never a path). */
const RUN_ID = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/;

export const isRunId = (value: string): boolean => RUN_ID.test(value);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run that is working or waiting for a person, in a process that still exists. */
export function isGoing(run: RunRecord): boolean {
  return GOING_STATUSES.has(run.status) && alive(run.pid);
}

/** The recorded runs under `runsDir`, oldest first; folders without a readable run.json are skipped. */
export async function listRuns(runsDir: string): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = (await fs.readdir(runsDir)).filter(isRunId).sort();
  } catch {
    return [];
  }
  const runs = await Promise.all(names.map((name) => readRun(runsDir, name)));
  return runs.filter((run): run is RunRecord => run !== undefined);
}

export async function readRun(runsDir: string, runId: string): Promise<RunRecord | undefined> {
  if (!isRunId(runId)) return undefined;
  try {
    return JSON.parse(await fs.readFile(path.join(runsDir, runId, RUN_FILE), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        fs.stat(path.join(dir, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Keeps the newest runs within the retention limit and deletes the older
 * ones, except runs still going (this process's or another live one's)
 * and `current` (the run being recorded). Returns the deleted ids. Only
 * runs of `owner`'s group count and go (see ownerFolder): one principal's
 * runs never push another's out.
 */
export async function pruneRuns(runsDir: string, keep: Retention, current?: string, owner?: string): Promise<string[]> {
  const group = ownerFolder(owner);
  const newestFirst = (await listRuns(runsDir)).filter((run) => ownerFolder(run.owner) === group).reverse();
  const sizes = 'bytes' in keep ? await Promise.all(newestFirst.map((run) => folderBytes(path.join(runsDir, run.run_id)))) : [];
  const doomed: string[] = [];
  let used = 0;
  for (const [index, run] of newestFirst.entries()) {
    used += 'runs' in keep ? 1 : sizes[index]!;
    const within = 'runs' in keep ? used <= keep.runs : used <= keep.bytes;
    if (within || run.run_id === current || isGoing(run)) continue;
    doomed.push(run.run_id);
    used -= 'runs' in keep ? 1 : sizes[index]!;
  }
  for (const id of doomed) await fs.rm(path.join(runsDir, id), { recursive: true, force: true });
  if (doomed.length) log.debug(`retention: deleted ${doomed.length} old run(s): ${doomed.join(', ')}`);
  return doomed;
}
