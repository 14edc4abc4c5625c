/** A screen rectangle the X server says was drawn on (DAMAGE). */
export interface DamageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How long to wait for the screen after something was done to it. */
export interface SettleOptions {
  /** Longest wait for the first change: nothing by then means the action changed nothing visible. */
  reactionMs: number;
  /** Once changing, the screen has settled when nothing changed for this long. */
  quietMs: number;
  /** Longest wait in all, from `since`: a screen that never stops changing (a video) gets this long. */
  maxMs: number;
  /** Whether the applications are at work (see process-activity.ts): while they are, the wait goes on, up to maxMs. */
  busy?: () => boolean;
  signal?: AbortSignal;
}

export interface SettleOutcome {
  /** Something (other than a background animation) was drawn after `since`. */
  changed: boolean;
  /** The screen was still changing, or the applications still working, when maxMs ran out. */
  capped: boolean;
}

/**
 * Small areas repainted again and again before an action (a blinking
 * caret, a spinner already running) are animations, not the action's
 * doing; so is a small area repainted again after a pause (a caret or a
 * cursor blinking where the action left it). A small area repainted many
 * times a second that starts with the action (a browser's loading
 * spinner) is the action's doing: it is waited for, up to maxMs.
 */
const BACKGROUND_AREA = 48 * 48;
const BACKGROUND_WINDOW_MS = 2000;
const BACKGROUND_REPEATS = 2;
/** A blink: the same small area repainted at least this long after its last repaint. */
const BLINK_MS = 250;
/** Damage kept for the background check and the running settle. */
const KEEP_MS = 10_000;
const KEEP_MAX = 5000;
/** How often a settle looks at what arrived: damage comes as a stream of events, read in batches. */
const POLL_MS = 10;
/** How often it asks whether the applications are at work (a look at /proc). */
const BUSY_SAMPLE_MS = 50;

interface Damage {
  at: number;
  /** Set for small areas: where they are, to recognise one repainted over and over. */
  key?: string;
  /** A small area repainted again after a pause: a blink. */
  blink: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When the screen changes, from the X server's DAMAGE reports: the
 * server knows every repaint as it happens, so waiting for an action's
 * effect needs no frame comparisons. A settle waits (briefly) for the
 * reaction to begin, then until repainting stops for a quiet interval;
 * small areas that were already repainted periodically before the action
 * (a blinking caret, an animation already running) are left out, and a
 * screen that never goes quiet ends the wait at maxMs.
 */
export class ScreenActivity {
  private readonly damage: Damage[] = [];
  /** When each small area was last repainted. */
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A repaint the X server reported. */
  record(rect: DamageRect): void {
    const at = this.now();
    if (rect.width * rect.height > BACKGROUND_AREA) {
      this.damage.push({ at, blink: false });
    } else {
      const key = `${rect.x},${rect.y},${rect.width},${rect.height}`;
      const previous = this.lastAt.get(key);
      this.lastAt.set(key, at);
      this.damage.push({ at, key, blink: previous !== undefined && at - previous >= BLINK_MS && at - previous <= BACKGROUND_WINDOW_MS });
    }
    // Pruned in batches: a flood of repaints (a terminal scrolling output) must not cost a scan each.
    if (this.damage.length > 2 * KEEP_MAX || this.damage[0]!.at < at - 2 * KEEP_MS) this.prune(at);
  }

  private prune(now: number): void {
    const oldest = now - KEEP_MS;
    let drop = Math.max(0, this.damage.length - KEEP_MAX);
    while (drop < this.damage.length && this.damage[drop]!.at < oldest) drop++;
    this.damage.splice(0, drop);
    for (const [key, at] of this.lastAt) if (at < oldest) this.lastAt.delete(key);
  }

  /** The small areas repainted at least BACKGROUND_REPEATS times in the BACKGROUND_WINDOW_MS before `since`. */
  private background(since: number): Set<string> {
    const counts = new Map<string, number>();
    for (const d of this.damage) {
      if (d.key && d.at >= since - BACKGROUND_WINDOW_MS && d.at < since) counts.set(d.key, (counts.get(d.key) ?? 0) + 1);
    }
    return new Set([...counts].filter(([, n]) => n >= BACKGROUND_REPEATS).map(([key]) => key));
  }

  /** The time of the last repaint at or after `since` that is not a background animation. */
  private lastChange(since: number, background: Set<string>): number | undefined {
    for (let i = this.damage.length - 1; i >= 0 && this.damage[i]!.at >= since; i--) {
      const d = this.damage[i]!;
      if (!d.key || (!d.blink && !background.has(d.key))) return d.at;
    }
    return undefined;
  }

  /** Waits until what started at `since` (an action's input) has been drawn and the screen is quiet; see SettleOptions. */
  async settle(since: number, { reactionMs, quietMs, maxMs, busy, signal }: SettleOptions): Promise<SettleOutcome> {
    const background = this.background(since);
    let working = false;
    let sampledAt = -Infinity;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      if (busy && now - sampledAt >= BUSY_SAMPLE_MS) {
        working = busy();
        sampledAt = now;
      }
      const last = this.lastChange(since, background);
      if (!working && last === undefined && now >= since + reactionMs) return { changed: false, capped: false };
      if (!working && last !== undefined && now >= last + quietMs) return { changed: true, capped: false };
      if (now >= since + maxMs) return { changed: last !== undefined, capped: working || last !== undefined };
      const until = working ? now + POLL_MS : Math.min(since + maxMs, last === undefined ? since + reactionMs : last + quietMs);
      await sleep(Math.max(1, Math.min(POLL_MS, until - now)));
    }
  }
}
