import type { ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
import type { AgentOptions } from '../config.js';
import { log } from '../log.js';
import type { ModelProvider } from '../model/provider.js';
import type { ComputerSession } from '../session/computer-session.js';
import { executeCalls, modelTurn, screenshotInput } from './loop.js';
import { toolGenerationFor, toolRequest, type ToolGeneration } from './tool-generation.js';
import type { HeldRun, ParsedCall, Progress, RunObserver, RunReport, SafetyCheck, TurnState } from './types.js';

export type { RunObserver, RunReport, RunStatus, SafetyCheck } from './types.js';

/** Model turns in a row that gave nothing usable before the run fails. */
export const MAX_UNUSABLE_TURNS = 3;

/** One observer that forwards to the call's observer and the run's watchers; only the call's observer is asked to confirm. */
function fanOut(primary: RunObserver, watchers: RunObserver[]): RunObserver {
  if (watchers.length === 0) return primary;
  const all = [primary, ...watchers];
  const each =
    <K extends 'step' | 'reasoning' | 'action' | 'request' | 'answered' | 'screenshot' | 'decided'>(name: K) =>
    (...args: Parameters<NonNullable<RunObserver[K]>>) => {
      for (const observer of all) (observer[name] as ((...a: typeof args) => void) | undefined)?.(...args);
    };
  return {
    step: each('step'),
    reasoning: each('reasoning'),
    action: each('action'),
    request: each('request'),
    answered: each('answered'),
    screenshot: each('screenshot'),
    decided: each('decided'),
    stopped: async (report) => {
      await Promise.all(all.map((observer) => observer.stopped?.(report)));
    },
    confirm: primary.confirm?.bind(primary),
    confirmsBy: primary.confirmsBy,
  };
}

export class RunStateError extends Error {}

/**
 * One task being worked on in one browser session: the conversation state
 * (previous_response_id, or the resent item list with store:false), the
 * input to send next, and the held computer calls while a safety check
 * waits for a person. Statuses: running → completed | max_steps |
 * needs_confirmation | cancelled | failed | denied. Every non-final stop
 * keeps what is needed to go on: `step` resumes max_steps, cancelled and
 * failed runs; acknowledge_safety_check resumes needs_confirmation.
 */
export class AgentRun implements TurnState, HeldRun {
  status: RunReport['status'] = 'running';
  steps = 0;
  message = '';
  error: string | undefined;
  readonly generation: ToolGeneration;
  /** Items for the next model request; undefined while paused on a safety check or after the end. */
  nextInput: ResponseInputItem[] | undefined;
  /** Computer calls held back until a person decides. */
  pending: ParsedCall[] | undefined;
  unusableTurns = 0;
  lastProblem = '';
  private lastResponseId: string | undefined;
  /** With history=local: every item so far, resent each turn. */
  private readonly transcript: ResponseInputItem[] = [];
  /** Budget the paused call had left, so an approval continues as that call would have. */
  private budgetLeft = 0;
  private totalBudget = 0;
  private readonly watchers: RunObserver[] = [];

  constructor(
    readonly session: ComputerSession,
    readonly provider: ModelProvider,
    readonly options: AgentOptions,
    readonly task: string,
    readonly instructions: string | undefined,
  ) {
    this.generation = toolGenerationFor({ model: provider.model, toolGeneration: options.toolGeneration });
  }

  get pendingChecks(): SafetyCheck[] {
    return (this.pending ?? []).flatMap((call) => call.checks);
  }

  get isActive(): boolean {
    return this.status === 'running';
  }

  /** Adds an observer of every call on this run from now on (the recorder). */
  watch(observer: RunObserver): void {
    this.watchers.push(observer);
  }

  /** The first request: the task and the current screen. */
  async start(callObserver: RunObserver, signal?: AbortSignal, budget = this.options.maxSteps): Promise<RunReport> {
    const observer = fanOut(callObserver, this.watchers);
    let shot;
    try {
      shot = await this.session.exclusive(() => screenshotInput(this.session));
    } catch (error) {
      this.status = 'failed';
      this.error = (error as Error).message;
      await observer.stopped?.(this.report(this.newProgress(observer, signal, 0)));
      throw error;
    }
    observer.screenshot?.(0, shot.shot, shot.url ?? '');
    this.nextInput = [{ role: 'user', content: [{ type: 'input_text', text: this.task }, { type: 'input_image', image_url: shot.dataUrl, detail: 'auto' }] }];
    return this.advance(observer, signal, budget);
  }

  /** Goes on from where the run stopped (max_steps, cancelled, failed). */
  resume(observer: RunObserver, signal?: AbortSignal, budget = 1): Promise<RunReport> {
    this.assertIdle();
    if (this.status === 'needs_confirmation') {
      throw new RunStateError(`The run on session ${this.session.id} is waiting for a safety check decision: call acknowledge_safety_check with decision "approve" or "deny" first.`);
    }
    if (!this.nextInput) {
      throw new RunStateError(`The run on session ${this.session.id} has ended (${this.status}); pass a task to start a new run.`);
    }
    return this.advance(fanOut(observer, this.watchers), signal, budget);
  }

  /** A person's answer to the pending safety check(s). */
  async decide(decision: 'approve' | 'deny', checkIds: string[] | undefined, observer: RunObserver, signal?: AbortSignal): Promise<RunReport> {
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
        throw new RunStateError(`The held action carries several checks and the model needs all of them acknowledged: also pass ${missing.join(', ')} (or omit check_ids).`);
      }
    }
    const observers = fanOut(observer, this.watchers);
    observers.decided?.(decision, 'tool');
    if (decision === 'deny') return this.deny(this.newProgress(observers, undefined, 0));
    return this.advance(observers, signal, this.budgetLeft, 'approve');
  }

  /** Drops the held calls; the report keeps what this call did before the question. */
  private async deny(progress: Progress): Promise<RunReport> {
    const dropped = (this.pending ?? []).flatMap((c) => c.descriptions);
    log.info(`session ${this.session.id}: safety check denied; dropped ${dropped.join('; ') || 'the held call'}`);
    this.pending = undefined;
    this.nextInput = undefined;
    this.status = 'denied';
    this.message = this.message || 'The person denied the flagged action; it was not run.';
    return this.stop(progress);
  }

  private assertIdle(): void {
    if (this.isActive) throw new RunStateError(`A run is already in progress on session ${this.session.id}; wait for it to finish or cancel that call.`);
  }

  private newProgress(observer: RunObserver, signal: AbortSignal | undefined, budget: number): Progress {
    return { observer, signal, actions: [], reasoning: [], budget, total: budget, taken: 0 };
  }

  private async advance(observer: RunObserver, signal: AbortSignal | undefined, budget: number, decision?: 'approve'): Promise<RunReport> {
    const progress = this.newProgress(observer, signal, budget);
    if (decision === 'approve') {
      // Continue the numbering of the call that paused: "step 4/25", not "step 1/25".
      progress.total = this.totalBudget;
      progress.taken = this.totalBudget - budget;
    } else this.totalBudget = budget;
    this.status = 'running';
    this.error = undefined;
    let approved = decision === 'approve';
    try {
      for (;;) {
        if (this.pending) {
          const automatic = !approved && this.options.autoAcknowledgeSafetyChecks;
          const answer = approved || automatic ? 'approve' : await observer.confirm?.(this);
          if (answer && !approved) observer.decided?.(answer, automatic ? 'auto' : (observer.confirmsBy ?? 'elicitation'));
          approved = false;
          if (answer === 'deny') return this.deny(progress);
          if (answer !== 'approve') {
            this.status = 'needs_confirmation';
            this.budgetLeft = progress.budget;
            break;
          }
          if (automatic) log.warn(`session ${this.session.id}: auto-acknowledging ${this.pendingChecks.map((c) => c.code).join(', ')} (--auto-acknowledge-safety-checks)`);
          const calls = this.pending;
          this.pending = undefined;
          this.nextInput = await executeCalls(this, calls, progress, true);
          continue;
        }
        if (signal?.aborted) {
          this.status = 'cancelled';
          break;
        }
        if (progress.budget <= 0) {
          this.status = 'max_steps';
          break;
        }
        progress.budget--;
        if ((await modelTurn(this, progress)) === 'completed') {
          this.status = 'completed';
          this.nextInput = undefined;
          break;
        }
        if (this.unusableTurns >= MAX_UNUSABLE_TURNS) {
          this.status = 'failed';
          this.error = `The model gave nothing usable ${this.unusableTurns} turns in a row (last: ${this.lastProblem}).`;
          break;
        }
      }
    } catch (error) {
      this.status = signal?.aborted ? 'cancelled' : 'failed';
      if (this.status === 'failed') {
        this.error = (error as Error).message;
        log.warn(`session ${this.session.id}: run failed: ${this.error}`);
      }
    }
    return this.stop(progress);
  }

  /** The report of this call, once every observer has seen it. */
  private async stop(progress: Progress): Promise<RunReport> {
    const report = this.report(progress);
    await progress.observer.stopped?.(report);
    return report;
  }

  /** The request for the next turn, with the history the options ask for. */
  request(): ResponseCreateParamsNonStreaming {
    const input = this.nextInput ?? [];
    const body: ResponseCreateParamsNonStreaming = {
      model: this.provider.model,
      ...toolRequest(this.generation, this.session.display, this.session.environment),
      input,
      ...(this.instructions ? { instructions: this.instructions } : {}),
    };
    if (this.options.history === 'local') {
      return { ...body, input: [...this.transcript, ...input], store: false, include: ['reasoning.encrypted_content'] };
    }
    return this.lastResponseId ? { ...body, previous_response_id: this.lastResponseId } : body;
  }

  /** Records a model response in the history once it has arrived. */
  accepted(response: { id: string; output: unknown[] }): void {
    if (this.options.history === 'local') this.transcript.push(...(this.nextInput ?? []), ...(response.output as ResponseInputItem[]));
    this.lastResponseId = response.id;
    this.nextInput = undefined;
    this.steps++;
  }

  private report(progress: Progress): RunReport {
    return {
      status: this.status,
      steps: this.steps,
      actions: progress.actions,
      reasoning: progress.reasoning,
      message: this.message,
      pending_safety_checks: this.status === 'needs_confirmation' ? this.pendingChecks : [],
      pending_actions: this.status === 'needs_confirmation' ? (this.pending ?? []).flatMap((c) => c.descriptions) : [],
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

