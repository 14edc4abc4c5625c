import type { AgentOptions } from './agent-options.js';
import { log } from '../log.js';
import type { ModelProvider } from './model-provider.js';
import type { ComputerSession } from '../session/computer-session.js';
import type { RunGate } from '../session/quotas.js';
import { executeCalls, modelTurn, screenshotInput } from './loop.js';
import type { Translator } from './translator.js';
import type { DecidedBy, Decision, HeldRun, ParsedCall, Progress, RunObserver, RunReport, SafetyCheck, TurnState } from './types.js';
import { emptyUsage, type ModelPrices } from './usage.js';
import { Watchers } from './watchers.js';

export type { RunObserver, RunReport, RunStatus, SafetyCheck } from './types.js';

/** The run's message after a denial: who denied, so nobody reads "the person denied" where no person was asked. */
const DENIALS: Record<DecidedBy, string> = {
  elicitation: "A person denied the flagged action in the client's form; it was not run.",
  terminal: 'Denied at the terminal; the flagged action was not run.',
  tool: 'Denied with acknowledge_safety_check; the flagged action was not run.',
  auto: 'Denied; the flagged action was not run.',
  'no-terminal':
    'Nobody could be asked: stdin is not a terminal and had ended, so the safety check was denied and the flagged action was not run. Run cua-mcp run in a terminal to decide yourself.',
  'client-declined':
    'The MCP client declined the safety question, so the flagged action was not run. A person may have declined it, or the client cannot ask anyone and declines at once (codex exec does): ' +
    'run the task from a client that shows the question to a person.',
};

/** Model turns in a row that gave nothing usable before the run fails. */
export const MAX_UNUSABLE_TURNS = 3;

export class RunStateError extends Error {}

/** Settles when the signal aborts, so a question to a person does not outlast a cancel. */
function abortion(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
}

/**
 * One task being worked on in one session: the conversation (kept by the
 * provider's translator), and the held calls while a safety check waits
 * for a person. Statuses: running → completed | max_steps |
 * needs_confirmation | cancelled | failed | denied. Every non-final stop
 * keeps what is needed to go on: `step` resumes max_steps, cancelled and
 * failed runs; acknowledge_safety_check resumes needs_confirmation.
 * The run works in the background: callers start it, watch it for as long
 * as they wait, and take its report whenever they look (see report).
 */
export class AgentRun implements TurnState, HeldRun {
  status: RunReport['status'] = 'running';
  steps = 0;
  message = '';
  error: string | undefined;
  /** The provider's wire format and this run's conversation. */
  readonly translator: Translator;
  readonly usage = emptyUsage();
  readonly prices: ModelPrices | undefined;
  /** Calls held back until a person decides. */
  pending: ParsedCall[] | undefined;
  unusableTurns = 0;
  lastProblem = '';
  /** Budget the paused call had left, so an approval continues as that call would have. */
  private budgetLeft = 0;
  private totalBudget = 0;
  private readonly watchers = new Watchers();
  /** The work in progress; undefined while the run is stopped. */
  private work: Promise<void> | undefined;
  private controller: AbortController | undefined;
  /** Actions and reasoning since the last report. */
  private readonly unreported = { actions: [] as string[], reasoning: [] as string[] };

  constructor(
    readonly session: ComputerSession,
    readonly provider: ModelProvider,
    readonly options: AgentOptions,
    readonly task: string,
    readonly instructions: string | undefined,
    /** The limits of the session's principal (runs at once, steps a minute); none in the terminal. */
    private readonly gate?: RunGate,
  ) {
    this.translator = provider.translator({ options, instructions, environment: session.environment, display: session.display });
    this.prices = options.modelPrices;
  }

  get pendingChecks(): SafetyCheck[] {
    return (this.pending ?? []).flatMap((call) => [...call.checks, ...(call.holds ?? [])]);
  }

  /** True while the run is working (a model turn, actions, a question to a person), whether or not anyone waits for it. */
  get isActive(): boolean {
    return this.work !== undefined;
  }

  /** Follows the run from now on; the returned function stops following. */
  watch(observer: RunObserver): () => void {
    return this.watchers.add(observer);
  }

  /** Settles once the run has stopped working (at once when it is not). */
  stopped(): Promise<void> {
    return this.work ?? Promise.resolve();
  }

  /** Stops the run after the current action: the model request in flight is aborted and no other is made. */
  cancel(): void {
    this.controller?.abort();
  }

  /**
   * Starts working on the task from the current screen, in the background (see stopped and report).
   * `admitted`: the gate's admission, when the caller took it before preparing the run (see launch).
   */
  start(budget = this.options.maxSteps, admitted?: () => void): void {
    this.launch(admitted, async (signal) => {
      const shot = await this.session.exclusive(() => screenshotInput(this.session));
      this.watchers.screenshot(0, shot.shot, shot.url ?? '');
      this.translator.start(this.task, (await this.translator.see?.(shot)) ?? shot);
      await this.advance(signal, budget);
    });
  }

  /** Goes on from where the run stopped (max_steps, cancelled, failed), in the background. */
  resume(budget = 1): void {
    this.assertIdle();
    if (this.status === 'needs_confirmation') {
      throw new RunStateError(
        `The run on session ${this.session.id} is waiting for a safety check decision: call acknowledge_safety_check with decision "approve" or "deny" first.`,
      );
    }
    if (!this.translator.ready && !this.pending) {
      throw new RunStateError(`The run on session ${this.session.id} has ended (${this.status}); pass a task to start a new run.`);
    }
    this.launch(undefined, (signal) => this.advance(signal, budget));
  }

  /** A person's answer to the pending safety check(s), and how it came: deny ends the run now; approve runs the held action in the background. */
  decide(decision: 'approve' | 'deny', checkIds: string[] | undefined, by: DecidedBy = 'tool'): void {
    this.assertIdle();
    if (this.status !== 'needs_confirmation' || !this.pending) {
      throw new RunStateError(`No safety check is pending on session ${this.session.id} (the run is ${this.status}).`);
    }
    if (checkIds) {
      const pendingIds = this.pendingChecks.map((c) => c.id);
      const unknown = checkIds.filter((id) => !pendingIds.includes(id));
      const missing = pendingIds.filter((id) => !checkIds.includes(id));
      if (unknown.length) throw new RunStateError(`Unknown safety check id(s) ${unknown.join(', ')}; pending: ${pendingIds.join(', ')}.`);
      if (decision === 'approve' && missing.length) {
        throw new RunStateError(
          `The held action carries several checks and the model needs all of them acknowledged: also pass ${missing.join(', ')} (or omit check_ids).`,
        );
      }
    }
    // Admitted before the decision is recorded: an approval refused by the limits decides nothing. A denial ends
    // the run at once, so the limits never stand in its way.
    const admitted = decision === 'deny' ? () => {} : this.gate?.admitRun();
    this.watchers.decided(decision, by, this.askedBecause());
    this.launch(admitted, async (signal) => (decision === 'deny' ? this.deny(by) : this.advance(signal, this.budgetLeft, 'approve')));
  }

  /** The option that approves the model's safety checks without asking, if any. */
  private autoApproval(): string | undefined {
    const { approval } = this.options;
    if (approval.mode === 'sandbox') return `--approval sandbox:${approval.sandbox}`;
    return this.options.autoAcknowledgeSafetyChecks ? '--auto-acknowledge-safety-checks' : undefined;
  }

  /** Why the held calls wait: the operator's rules, and the model's own checks. */
  private askedBecause(): string {
    const checks = this.pendingChecks;
    const model = checks.filter((c) => !c.rule).map((c) => c.code);
    return [
      ...new Set([
        ...checks.flatMap((c) => (c.rule ? [c.rule] : [])),
        ...(model.length ? [`the model's safety checks (${model.join(', ')})`] : []),
      ]),
    ].join('; ');
  }

  /** Drops the held calls; what happened before the question is still reported. */
  private deny(by: DecidedBy): void {
    const dropped = (this.pending ?? []).flatMap((c) => c.descriptions);
    log.info(`session ${this.session.id}: safety check denied; dropped ${dropped.join('; ') || 'the held call'}`);
    this.pending = undefined;
    this.translator.end();
    this.status = 'denied';
    this.message = this.message || DENIALS[by];
  }

  /** Refuses while the run is working: a second piece of work would fight it for the screen. */
  assertIdle(): void {
    if (this.isActive) {
      throw new RunStateError(
        `A run is already working on session ${this.session.id}; follow it with get_run, or stop it with cancel_run.`,
      );
    }
  }

  /**
   * Runs `body` in the background until the run stops; errors end it as failed (or cancelled, when it was cancelled).
   * The gate admits the work first (or refuses, and nothing changes), unless the caller brings its admission.
   */
  private launch(admitted: (() => void) | undefined, body: (signal: AbortSignal) => Promise<void>): void {
    this.assertIdle();
    const release = admitted ?? this.gate?.admitRun() ?? (() => {});
    const controller = new AbortController();
    this.controller = controller;
    this.status = 'running';
    this.error = undefined;
    this.work = body(controller.signal)
      .catch((error: unknown) => {
        this.status = controller.signal.aborted ? 'cancelled' : 'failed';
        if (this.status === 'failed') {
          this.error = (error as Error).message;
          // Logged for the server's operator, unless a person following the run is shown the error anyway.
          if (!this.watchers.showsErrors) log.warn(`session ${this.session.id}: run failed: ${this.error}`);
        }
      })
      // Observers (the recorder) have seen the stop before anyone is told the run stopped.
      .then(() => this.watchers.stopped(this.snapshot()))
      .catch((error: unknown) => log.warn(`session ${this.session.id}: an observer failed at the end of the run`, error))
      .finally(() => {
        this.work = undefined;
        this.controller = undefined;
        release();
      });
  }

  private async advance(signal: AbortSignal, budget: number, decision?: 'approve'): Promise<void> {
    // The loop adds to the unreported lists directly: whoever looks next gets them (see report).
    const progress: Progress = {
      observer: this.watchers,
      signal,
      actions: this.unreported.actions,
      reasoning: this.unreported.reasoning,
      budget,
      total: budget,
      taken: 0,
    };
    if (decision === 'approve') {
      // Continue the numbering of the call that paused: "step 4/25", not "step 1/25".
      progress.total = this.totalBudget;
      progress.taken = this.totalBudget - budget;
    } else this.totalBudget = budget;
    let approved = decision === 'approve';
    for (;;) {
      if (signal.aborted) {
        this.status = 'cancelled';
        return;
      }
      if (this.pending) {
        // A sandbox approves the model's checks, never the pauses the operator asked for.
        const sandbox = this.autoApproval();
        const automatic = !approved && sandbox !== undefined && this.pending.every((c) => !c.holds?.length);
        const answer: Decision | undefined = approved
          ? { decision: 'approve', by: 'tool' }
          : automatic
            ? { decision: 'approve', by: 'auto' }
            : await Promise.race([this.watchers.confirm(this), abortion(signal)]);
        if (answer && !approved) this.watchers.decided(answer.decision, answer.by, automatic ? sandbox! : this.askedBecause());
        approved = false;
        if (signal.aborted) continue;
        if (answer?.decision === 'deny') return this.deny(answer.by);
        if (answer?.decision !== 'approve') {
          this.status = 'needs_confirmation';
          this.budgetLeft = progress.budget;
          return;
        }
        if (automatic)
          log.warn(`session ${this.session.id}: auto-acknowledging ${this.pendingChecks.map((c) => c.code).join(', ')} (${sandbox})`);
        const calls = this.pending;
        this.pending = undefined;
        this.translator.answer(await executeCalls(this, calls, progress, true));
        continue;
      }
      if (progress.budget <= 0) {
        this.status = 'max_steps';
        return;
      }
      if (this.session.isClosed) throw new Error(`Browser session ${this.session.id} was closed; start a new run in another session.`);
      this.gate?.admitStep();
      progress.budget--;
      if ((await modelTurn(this, progress)) === 'completed') {
        this.status = 'completed';
        this.translator.end();
        return;
      }
      if (this.unusableTurns >= MAX_UNUSABLE_TURNS) {
        this.status = 'failed';
        this.error = `The model gave nothing usable ${this.unusableTurns} turns in a row (last: ${this.lastProblem}).`;
        return;
      }
    }
  }

  /**
   * Where the run stands, with the actions and reasoning nobody has been
   * told about yet: each is handed over once, to whoever looks first.
   */
  report(): RunReport {
    return this.snapshot(this.unreported.actions.splice(0), this.unreported.reasoning.splice(0));
  }

  /** The run's state with these actions and reasoning (by default: what is unreported, left for the next look). */
  private snapshot(actions = [...this.unreported.actions], reasoning = [...this.unreported.reasoning]): RunReport {
    const paused = this.status === 'needs_confirmation';
    return {
      status: this.status,
      steps: this.steps,
      actions,
      reasoning,
      message: this.message,
      pending_safety_checks: paused ? this.pendingChecks : [],
      pending_actions: paused ? (this.pending ?? []).flatMap((c) => c.descriptions) : [],
      usage: { ...this.usage },
      ...(this.error ? { error: this.error } : {}),
    };
  }
}
