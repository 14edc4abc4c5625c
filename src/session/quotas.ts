/**
 * Limits per principal (--max-sessions-per-principal,
 * --max-runs-per-principal, --max-steps-per-minute), so people sharing one
 * server cannot crowd each other out: past a limit only the principal that
 * reached it is refused, with an error naming the limit, its value, the
 * option that sets it and what to do.
 */

/** 0 = no limit. */
export interface PrincipalLimits {
  sessions: number;
  runs: number;
  stepsPerMinute: number;
}

export const NO_LIMITS: PrincipalLimits = { sessions: 0, runs: 0, stepsPerMinute: 0 };

/** The sliding window of --max-steps-per-minute. */
export const STEP_WINDOW_MS = 60_000;

/** A principal reached one of its limits; nothing was done. */
export class QuotaError extends Error {}

/** What runs the gate admits: a run's work (start, resume, an approval), and each model turn of it. */
export interface RunGate {
  /** Admits work of a run now, or throws a QuotaError; the returned function ends it. */
  admitRun(): () => void;
  /** Admits one model turn now (and counts it), or throws a QuotaError. */
  admitStep(): void;
}

/** Times of the steps taken in the last `windowMs`, oldest first; the clock is injectable so tests need not wait a minute. */
export class StepWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs = STEP_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private drop(): number {
    const now = this.now();
    while (this.times.length && this.times[0]! <= now - this.windowMs) this.times.shift();
    return now;
  }

  /** Steps taken in the window ending now. */
  count(): number {
    this.drop();
    return this.times.length;
  }

  /** How long until a step fits under `limit` (0: now). */
  waitMs(limit: number): number {
    const now = this.drop();
    if (this.times.length < limit) return 0;
    return this.times[this.times.length - limit]! + this.windowMs - now;
  }

  take(): void {
    this.times.push(this.drop());
  }
}

const option = (flag: string, env: string) => `--${flag} (${env})`;

/** One principal's share of the server: what it holds now, checked against the limits. */
export class PrincipalQuota implements RunGate {
  /** Runs working now (not paused on a question). */
  activeRuns = 0;
  /** Sessions being opened: counted before they exist, so two calls at once cannot both slip under the limit. */
  private openingSessions = 0;
  readonly steps: StepWindow;
  /** The principal's last request (Date.now()); undefined until it makes one. */
  lastSeenAt: number | undefined;

  constructor(
    readonly id: string,
    private readonly limits: PrincipalLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.steps = new StepWindow(STEP_WINDOW_MS, now);
  }

  seen(): void {
    this.lastSeenAt = this.now();
  }

  /** Admits opening one more session beside the `open` ones the principal holds; the returned function says it is opened (or failed). */
  admitSession(open: number): () => void {
    const max = this.limits.sessions;
    if (max > 0 && open + this.openingSessions >= max) {
      throw new QuotaError(
        `Session limit reached: you (principal "${this.id}") have ${open + this.openingSessions} session(s) open, the most each principal may hold on this server ` +
          `(${max}, set by ${option('max-sessions-per-principal', 'CUA_MAX_SESSIONS_PER_PRINCIPAL')}); nothing was opened. ` +
          'Close one you no longer need with close_session (list_sessions shows yours), then try again.',
      );
    }
    this.openingSessions++;
    let done = false;
    return () => {
      if (!done) this.openingSessions--;
      done = true;
    };
  }

  admitRun(): () => void {
    const max = this.limits.runs;
    if (max > 0 && this.activeRuns >= max) {
      throw new QuotaError(
        `Run limit reached: ${this.activeRuns} of your runs (principal "${this.id}") are working, the most each principal may run at once on this server ` +
          `(${max}, set by ${option('max-runs-per-principal', 'CUA_MAX_RUNS_PER_PRINCIPAL')}); nothing was started. ` +
          'Wait for one to stop (get_run follows it) or stop one with cancel_run, then try again.',
      );
    }
    this.checkStep();
    this.activeRuns++;
    let done = false;
    return () => {
      if (!done) this.activeRuns--;
      done = true;
    };
  }

  admitStep(): void {
    this.checkStep();
    this.steps.take();
  }

  /** Refuses while no model step is left in the window. */
  private checkStep(): void {
    const max = this.limits.stepsPerMinute;
    if (max <= 0) return;
    const waitMs = this.steps.waitMs(max);
    if (waitMs <= 0) return;
    throw new QuotaError(
      `Model step limit reached: your runs (principal "${this.id}") took ${this.steps.count()} model steps in the last 60 s, the most each principal may take ` +
        `(${max} a minute, set by ${option('max-steps-per-minute', 'CUA_MAX_STEPS_PER_MINUTE')}); no model request was made. ` +
        `Wait ${Math.ceil(waitMs / 1000)} s, then try again (a run stopped by this limit goes on with step and its session_id).`,
    );
  }
}

/** Every principal's quota, by id, made on first use; the session manager holds the one of the process. */
export class Quotas {
  private readonly known = new Map<string, PrincipalQuota>();

  constructor(
    readonly limits: PrincipalLimits,
    private readonly now: () => number = Date.now,
  ) {}

  of(id: string): PrincipalQuota {
    let quota = this.known.get(id);
    if (!quota) this.known.set(id, (quota = new PrincipalQuota(id, this.limits, this.now)));
    return quota;
  }

  /** The principals seen so far. */
  all(): PrincipalQuota[] {
    return [...this.known.values()];
  }
}
