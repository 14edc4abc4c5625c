import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentAction } from '../agent/actions.js';
import type { DecidedBy, RunObserver, RunReport, TurnAnswer } from '../agent/types.js';
import type { Screenshot } from '../computer/computer.js';
import { log } from '../log.js';
import type { ComputerSession } from '../session/computer-session.js';
import { REPORT_FILE, RUN_FILE, STEPS_FILE, type RecordedAction, type RunRecord, type StepRecord } from './records.js';
import { renderReport } from './report-html.js';
import type { Retention } from './recording-config.js';
import { pruneRuns } from './run-store.js';

/** A recording holds what was typed (passwords too) and what was on screen: only this user may read it. */
const PRIVATE = { mode: 0o600 };

/** Sortable by start time (to the millisecond), unique without coordination: 20261126-031502-123-5f3a9c. */
/** An action as the recording keeps it: navigations in their own shape (goto/back/forward), the rest as the model sent them. */
function recordedAction(action: AgentAction, description: string): RecordedAction {
  if (action.type === 'navigate') return { navigation: { name: 'goto', url: action.url }, description, ran: false };
  if (action.type === 'history') return { navigation: { name: action.direction }, description, ran: false };
  return { action, description, ran: false };
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface RunDescription {
  task: string;
  model: string;
  provider: string;
  session: Pick<ComputerSession, 'id' | 'display' | 'peekEvents'>;
  owner?: string;
}

/**
 * Records one run as an observer of it (AgentRun.watch), to
 * <runs>/<run_id>/ as it happens: a screenshot file per step, a
 * steps.jsonl line per model turn, and run.json and report.html
 * refreshed after every step (so a long run can be watched by reloading
 * the page). Writes are queued so the loop never waits on the disk;
 * `stopped` waits for them, so the report is complete when a call
 * returns. A failed write is logged, never fatal: a full disk must not
 * stop the run it records.
 */
export class RunRecorder implements RunObserver {
  readonly id: string;
  readonly dir: string;
  readonly record: RunRecord;
  private readonly steps: StepRecord[] = [];
  /** The turn in progress: from its request until its screenshot (or the run stops). */
  private open: StepRecord | undefined;
  private openedAt = 0;
  /** When the actions of the open turn started (the answer, or the safety decision). */
  private actionsFrom = 0;
  private answeredTurns = 0;
  private lastShot: string | undefined;
  /** The open turn's actions by the objects the loop parsed (it reports those as they run). */
  private recorded = new Map<AgentAction, RecordedAction>();
  /** Session events already put in a step: the session keeps them until a tool result takes them. */
  private readonly seenEvents = new WeakSet<object>();
  private writes: Promise<void>;
  private refreshQueued = false;
  private failed = false;

  /**
   * Starts the run's folder once `after` has settled (another recording's
   * last writes); with `retention`, then deletes the oldest runs beyond it
   * (never this one: it is going).
   */
  constructor(
    runsDir: string,
    private readonly run: RunDescription,
    retention?: Retention,
    after: Promise<void> = Promise.resolve(),
  ) {
    this.writes = after;
    this.id = newRunId();
    this.dir = path.join(runsDir, this.id);
    const now = new Date().toISOString();
    this.record = {
      run_id: this.id,
      task: run.task,
      model: run.model,
      provider: run.provider,
      session_id: run.session.id,
      status: 'running',
      started: now,
      updated: now,
      steps: 0,
      model_ms: 0,
      action_ms: 0,
      display: run.session.display,
      pid: process.pid,
      ...(run.owner ? { owner: run.owner } : {}),
    };
    // runs/ is private (recordRun checked it); the run's own folder is too, and new: an existing one is not ours.
    this.queue(() => fs.mkdir(this.dir, { mode: 0o700 }));
    this.refresh();
    if (retention) this.queue(() => pruneRuns(runsDir, retention, this.id, run.owner));
  }

  get reportPath(): string {
    return path.join(this.dir, REPORT_FILE);
  }

  request(): void {
    this.closeTurn();
    this.open = {
      step: this.answeredTurns + 1,
      time: new Date().toISOString(),
      model_ms: 0,
      action_ms: 0,
      reasoning: [],
      actions: [],
      safety_checks: [],
      events: [],
      problems: [],
      ...(this.lastShot ? { seen: this.lastShot } : {}),
    };
    this.openedAt = performance.now();
  }

  answered(answer: TurnAnswer): void {
    const turn = this.open;
    if (!turn) return;
    this.answeredTurns++;
    turn.model_ms = Math.round(performance.now() - this.openedAt);
    this.record.model_ms += turn.model_ms;
    turn.response_id = answer.responseId;
    turn.reasoning = answer.reasoning;
    if (answer.message) turn.message = answer.message;
    this.recorded = new Map(
      answer.calls.flatMap((call) =>
        call.actions.map((action, i) => [action, recordedAction(action, call.descriptions[i] ?? action.type)] as const),
      ),
    );
    turn.actions = [...this.recorded.values()];
    turn.safety_checks = answer.calls.flatMap((call) => [...call.checks, ...(call.holds ?? [])]);
    turn.problems = answer.problems;
    if (answer.usage) turn.usage = answer.usage;
    if (answer.total) this.record.usage = answer.total;
    this.actionsFrom = performance.now();
  }

  decided(decision: 'approve' | 'deny', by: DecidedBy, rule: string): void {
    const turn = this.open;
    if (!turn) return;
    turn.safety_decision = { decision, by, rule, time: new Date().toISOString() };
    this.actionsFrom = performance.now();
  }

  /** Matched by identity: the loop reports the action objects it parsed. */
  action(_description: string, action?: AgentAction, error?: string): void {
    const entry = action && this.recorded.get(action);
    if (!entry || entry.ran) return;
    entry.ran = true;
    if (error) entry.error = error;
  }

  /** Step 0 is the screen before the first turn; any other closes the open turn. */
  screenshot(step: number, shot: Screenshot, url: string): void {
    const file = this.saveShot(step, shot);
    const turn = this.open;
    if (step === 0) this.record.first_screenshot = file;
    if (!turn) return;
    turn.screenshot = file;
    if (url) turn.url = url;
    turn.action_ms = Math.round(performance.now() - this.actionsFrom);
    this.record.action_ms += turn.action_ms;
    this.closeTurn();
  }

  /**
   * The call stopped: completed, paused on a safety check, out of steps...
   * A paused turn stays open until its decision; any other stop closes it.
   * Resolves once everything is on disk.
   */
  stopped(report: RunReport): Promise<void> {
    Object.assign(this.record, { status: report.status, steps: this.answeredTurns });
    if (report.message) this.record.message = report.message;
    if (report.usage) this.record.usage = report.usage;
    if (report.error) this.record.error = report.error;
    else delete this.record.error;
    if (report.status !== 'needs_confirmation') this.closeTurn();
    this.refresh();
    return this.flush();
  }

  /** A new run started in the session while this one waited for a safety decision: its held action will never run. */
  replaced(): Promise<void> {
    if (this.record.status !== 'needs_confirmation') return this.flush();
    this.record.status = 'replaced';
    this.record.message = 'A new run started in this session; the held action never ran.';
    this.closeTurn();
    this.refresh();
    return this.flush();
  }

  /** Resolves when every queued write has finished. */
  flush(): Promise<void> {
    return this.writes;
  }

  private saveShot(step: number, shot: Screenshot): string {
    const file = `step-${String(step).padStart(3, '0')}.${shot.mimeType === 'image/png' ? 'png' : 'jpg'}`;
    this.lastShot = file;
    this.queue(() => fs.writeFile(path.join(this.dir, file), shot.data, PRIVATE));
    return file;
  }

  /** Ends the open turn with the events seen meanwhile; a turn the model never answered (its request failed) is no step. */
  private closeTurn(): void {
    const turn = this.open;
    if (!turn) return;
    this.open = undefined;
    if (!turn.response_id) return;
    for (const event of this.run.session.peekEvents()) {
      if (this.seenEvents.has(event)) continue;
      this.seenEvents.add(event);
      turn.events.push({ ...event });
    }
    this.steps.push(turn);
    this.record.steps = this.answeredTurns;
    this.queue(() => fs.appendFile(path.join(this.dir, STEPS_FILE), `${JSON.stringify(turn)}\n`, PRIVATE));
    this.refresh();
  }

  /** Rewrites run.json and report.html once the queue reaches it; bursts of changes make one write. */
  private refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    this.queue(async () => {
      this.refreshQueued = false;
      this.record.updated = new Date().toISOString();
      const steps = this.open ? [...this.steps, this.open] : this.steps;
      // Written aside and renamed: a reader (resources/list, retention) never sees half a file.
      const runFile = path.join(this.dir, RUN_FILE);
      await fs.writeFile(`${runFile}.tmp`, `${JSON.stringify(this.record, null, 1)}\n`, PRIVATE);
      await fs.rename(`${runFile}.tmp`, runFile);
      await fs.writeFile(path.join(this.dir, REPORT_FILE), renderReport(this.record, steps), PRIVATE);
    });
  }

  private queue(write: () => Promise<unknown>): void {
    // After a failure nothing more is written: the folder may not be what it was.
    this.writes = this.writes
      .then(() => (this.failed ? undefined : write()))
      .then(
        () => undefined,
        (error: unknown) => {
          if (!this.failed) log.warn(`recording of run ${this.id} in ${this.dir} failed; the run goes on unrecorded`, error);
          this.failed = true;
        },
      );
  }
}
