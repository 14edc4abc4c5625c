import fs from 'node:fs';

/** How often the list of processes in the groups is read again (an application starts helpers, a browser its renderers). */
const RESCAN_MS = 1000;
/** CPU time (clock ticks, 10 ms each on Linux) between two samples that counts as working. */
const BUSY_TICKS = 2;
/** A previous sample older than this is no baseline: CPU used long ago says nothing about now. */
const BASELINE_MS = 250;

interface ProcStat {
  pgrp: number;
  running: boolean;
  ticks: number;
}

/** /proc/PID/stat: the state, the process group and the user + system CPU time; undefined once the process is gone. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { running: fields[0] === 'R', pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * Whether the applications a desktop session launched are at work: any of
 * their processes running or waiting for a CPU, or having used CPU time
 * since the last look. An application that has not drawn yet but is busy
 * (a browser handling keys on a loaded machine, a page loading) is still
 * reacting; the screen alone cannot tell that from one that ignored the
 * input. Linux only (/proc); elsewhere it never reports work.
 */
export class ProcessActivity {
  private pids: number[] = [];
  private scannedAt = -Infinity;
  private ticks = new Map<number, number>();
  private sampledAt = -Infinity;

  /** `groups`: the process groups of the launched applications (each is started as its own group leader). */
  constructor(private readonly groups: () => number[]) {}

  private rescan(now: number): void {
    this.scannedAt = now;
    const groups = new Set(this.groups());
    if (!groups.size) {
      this.pids = [];
      return;
    }
    let entries: string[];
    try {
      entries = fs.readdirSync('/proc');
    } catch {
      entries = [];
    }
    this.pids = entries
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .filter((pid) => groups.has(readStat(pid)?.pgrp ?? -1));
  }

  /** True if the applications worked since the last call (a call long after the previous one only sets the baseline, unless one runs now). */
  busy(now = performance.now()): boolean {
    if (now - this.scannedAt >= RESCAN_MS) this.rescan(now);
    const baseline = now - this.sampledAt <= BASELINE_MS;
    this.sampledAt = now;
    let busy = false;
    const ticks = new Map<number, number>();
    for (const pid of this.pids) {
      const stat = readStat(pid);
      if (!stat) continue;
      ticks.set(pid, stat.ticks);
      const before = baseline ? this.ticks.get(pid) : undefined;
      if (stat.running || (before !== undefined && stat.ticks - before >= BUSY_TICKS)) busy = true;
    }
    this.ticks = ticks;
    return busy;
  }
}
