import fs from 'node:fs';
import path from 'node:path';

/** How long a process group gets to end after SIGTERM before SIGKILL. */
const GRACE_MS = 1500;

/** True when `command` is an executable on PATH (or an executable path). */
export function onPath(command: string): boolean {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** The fields of /proc/PID/stat after the command name, the state first; undefined once the process is gone (and off Linux). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name may hold spaces and parentheses: the fields after it start past the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When `pid` started (clock ticks since boot), which tells it from a later process given the same id; '' once it is gone. */
export function startTime(pid: number): string {
  return statFields(pid)?.[19] ?? '';
}

/** Every live descendant of `root` (Linux /proc; none elsewhere). */
function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const parent = statFields(entry)?.[1];
    if (parent !== undefined) children.set(Number(parent), [...(children.get(Number(parent)) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length;) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** True while `pid` runs (a zombie has ended: only its parent's wait is missing). */
function running(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}

/**
 * True while a process of group `pgid` runs. kill(-pgid, 0) counts zombies
 * too, and the orphans of an ended group wait for init to reap them, which
 * may take seconds, or forever where the server itself runs as PID 1 in a
 * container: on Linux a group of zombies only has ended.
 */
function groupRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  return entries.some((entry) => {
    const fields = statFields(entry);
    return fields !== undefined && fields[2] === String(pgid) && fields[0] !== 'Z';
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * Ends the process group `pgid` (a child started with `detached: true` leads
 * its own), everything it started in that group, and its descendants that
 * left the group (a terminal's shell runs in a session of its own):
 * SIGTERM, then SIGKILL for what is left after a grace period. Resolves
 * once none of them runs.
 */
export async function endGroup(pgid: number): Promise<void> {
  const others = descendants(pgid);
  signalGroup(pgid, 'SIGTERM');
  for (const pid of others) signal(pid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  const alive = () => groupRunning(pgid) || others.some(running);
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!alive()) return;
  signalGroup(pgid, 'SIGKILL');
  for (const pid of others) signal(pid, 'SIGKILL');
  for (let i = 0; i < 40 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}
