import fs from 'node:fs';

/** Linux /proc readers, to find the browser our server spawned and to catch orphans. */

function read(pid: number, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function parentOf(pid: number): number | undefined {
  const stat = read(pid, 'stat');
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[1] ? Number(fields[1]) : undefined;
}

export function isAlive(pid: number): boolean {
  const stat = read(pid, 'stat');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

export function commandLine(pid: number): string[] {
  return read(pid, 'cmdline').split('\0').filter(Boolean);
}

export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Live processes whose environment holds `NAME=value`: every process the
 * server started inherits it, even after being re-parented to init.
 */
export function processesWithEnv(entry: string, exceptPid?: number): number[] {
  return allPids().filter((pid) => pid !== exceptPid && isAlive(pid) && read(pid, 'environ').split('\0').includes(entry));
}

/** Polls until `check` holds or `ms` pass (a failure guard, not a figure); returns the last value for the assertion. */
export async function until<T>(probe: () => T | Promise<T>, check: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}
