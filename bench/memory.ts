import fs from 'node:fs';

/** Resident memory of a process tree. PSS splits the pages Chromium's processes share among them, so it sums without double counting. */
export interface TreeMemory {
  processes: number;
  rssMiB: number;
  pssMiB: number;
}

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (2nd field) is in parentheses and may hold spaces: read after the last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return byParent;
}

function kib(file: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The direct children of a process (e.g. the browser a Playwright launch in this process started). */
export function childrenOf(pid: number): number[] {
  return children().get(pid) ?? [];
}

function tree(root: number): number[] {
  const byParent = children();
  const pids: number[] = [];
  for (const queue = [root]; queue.length;) {
    const pid = queue.pop()!;
    pids.push(pid);
    queue.push(...(byParent.get(pid) ?? []));
  }
  return pids;
}

/** Clock ticks per second of utime and stime in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** CPU time used so far by a process tree, in ms, split into the root process and its descendants (for our server: Node, and the browser's processes). */
export function treeCpu(root: number): { rootMs: number; descendantsMs: number } {
  let rootMs = 0;
  let descendantsMs = 0;
  for (const pid of tree(root)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
      if (pid === root) rootMs = ms;
      else descendantsMs += ms;
    } catch {
      // The process ended while we looked.
    }
  }
  return { rootMs, descendantsMs };
}

export function treeMemory(root: number): TreeMemory {
  const pids = tree(root);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += kib(`/proc/${pid}/status`, 'VmRSS');
    pss += kib(`/proc/${pid}/smaps_rollup`, 'Pss');
  }
  return { processes: pids.length, rssMiB: rss / 1024, pssMiB: pss / 1024 };
}
