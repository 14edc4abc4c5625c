import type { JsonValue } from '@modelcontextprotocol/ext-tasks/core';
import type { CreateTaskResultV2, DetailedTaskV2, InputResponsesV2 } from '@modelcontextprotocol/ext-tasks/core/v2';
import type { AgentRun } from '../agent/run.js';
import type { Principal } from '../session/principal.js';
import { decisionOf, safetyForm } from '../tools/agent-observer.js';
import type { FormAnswer } from '../tools/request-context.js';
import type { ToolResult } from '../tools/tool-result.js';
import { mintHandle, replicaOf } from '../session/handles.js';
import type { Runs } from '../runs.js';

/** How often a client should poll tasks/get: a model turn takes seconds, a person longer. */
const POLL_INTERVAL_MS = 500;
/** Tasks kept per session: older ones are forgotten (a task dies with its session anyway). */
const TASKS_PER_SESSION = 8;

/** The task's view of the run's end: its result (the same as get_run's), built once when the run stops. */
export type FinishRun = (run: AgentRun) => Promise<ToolResult>;

/** Our objects on the wire: plain JSON, though their types are wider. */
const json = (value: object) => value as unknown as Readonly<Record<string, JsonValue>>;

/** A request for a task that is not the caller's: the same answer as for one that never existed. */
export class UnknownTaskError extends Error {}

/** The person's question a paused run waits on, under a key used once in the task's life. */
interface Question {
  key: string;
  /** The held calls it asks about: a different hold is a different question. */
  held: AgentRun['pending'];
  checkIds: string[];
}

/**
 * One run followed as an MCP task (the Tasks extension): working while the
 * run works, input_required while it waits on a safety check (answered
 * with tasks/update; a client that cannot show forms gets the paused
 * run's result instead, as from run_task), then completed with the result
 * get_run would give, or cancelled. failed is for a result that could not be made (its
 * session went away); a run that fails is a completed task whose result
 * has isError, as the extension asks.
 */
class RunTask {
  /** Minted like the session's handle, with its replica's name first, so a load balancer routes tasks/get to the replica that runs it. */
  readonly id: string;
  readonly createdAt = new Date().toISOString();
  private lastUpdatedAt = this.createdAt;
  private progress = '';
  private question: Question | undefined;
  private asked = 0;
  private cancelled = false;
  private result: ToolResult | undefined;
  /** How the run stood when the result was made (it may go on later, with step, as another task). */
  private stoppedAs: { status: AgentRun['status']; steps: number } | undefined;
  private failure: string | undefined;
  private following: Promise<void> | undefined;
  private readonly unwatch: () => void;

  constructor(
    readonly principal: Principal,
    readonly run: AgentRun,
    private readonly runs: Runs,
    private readonly finish: FinishRun,
    /** The client declared form elicitation: a safety check is asked in the task. */
    private readonly asks: boolean,
  ) {
    this.id = mintHandle(replicaOf(run.session.id));
    this.unwatch = run.watch({ step: (done, total, description) => this.touch(`step ${done}/${total}: ${description}`) });
    this.follow();
  }

  private touch(progress = this.progress): void {
    this.progress = progress;
    this.lastUpdatedAt = new Date().toISOString();
  }

  private get ended(): boolean {
    return this.result !== undefined || this.failure !== undefined;
  }

  /** Waits for the run to stop, then asks (a safety check) or keeps the result. */
  private follow(): void {
    this.following ??= (async () => {
      await this.run.stopped();
      if (this.run.status === 'needs_confirmation' && this.asks && !this.cancelled) {
        const checkIds = this.run.pendingChecks.map((c) => c.id);
        this.question = { key: `safety_check_${++this.asked}`, held: this.run.pending, checkIds };
      } else {
        this.stoppedAs = { status: this.run.status, steps: this.run.steps };
        try {
          this.result = await this.finish(this.run);
        } catch (error) {
          this.failure = (error as Error).message;
        }
        this.unwatch();
      }
      this.touch();
    })().finally(() => (this.following = undefined));
  }

  /** Someone else moved the run on (acknowledge_safety_check, step): follow it again. */
  private catchUp(): void {
    if (this.ended || this.following || this.cancelled) return;
    const question = this.question;
    if (question && !this.run.isActive && this.run.status === 'needs_confirmation' && this.run.pending === question.held) return;
    this.question = undefined;
    this.follow();
  }

  /** Why the task cannot go on, when its run is gone: a newer run in the session, or the session closed. */
  private lost(): string | undefined {
    const session = this.run.session;
    if (session.isClosed) return `Session ${session.id} was closed; the run went with it.`;
    if (this.runs.current(session) !== this.run)
      return `A newer run started in session ${session.id}; this one was dropped with its held action.`;
    return undefined;
  }

  /** The task as tasks/get reports it. */
  view(): DetailedTaskV2 {
    this.catchUp();
    const base = {
      taskId: this.id,
      createdAt: this.createdAt,
      lastUpdatedAt: this.lastUpdatedAt,
      ttlMs: null,
      pollIntervalMs: POLL_INTERVAL_MS,
    };
    if (this.result && this.stoppedAs) {
      const status = this.stoppedAs.status === 'cancelled' ? 'cancelled' : 'completed';
      const statusMessage = `The run stopped: ${this.stoppedAs.status} after ${this.stoppedAs.steps} step(s).`;
      return status === 'cancelled'
        ? { ...base, status, statusMessage }
        : { ...base, status, statusMessage, result: json({ ...this.result, resultType: 'complete' }) };
    }
    const lost = this.failure ?? (this.question ? this.lost() : undefined);
    if (lost) return { ...base, status: 'failed', statusMessage: lost, error: { code: -32603, message: lost } };
    if (this.cancelled)
      return { ...base, status: 'cancelled', statusMessage: 'Cancelled while waiting for a person: the held action was not run.' };
    if (this.question) {
      const form = safetyForm(this.run);
      return {
        ...base,
        status: 'input_required',
        statusMessage: 'Waiting for a person to approve or deny the flagged action.',
        inputRequests: {
          [this.question.key]: {
            method: 'elicitation/create',
            params: json({ mode: 'form', ...form }) as { message: string; requestedSchema: Readonly<Record<string, JsonValue>> },
          },
        },
      };
    }
    return { ...base, status: 'working', ...(this.progress ? { statusMessage: this.progress } : {}) };
  }

  /** A person's answer (tasks/update): approve runs the held action; deny, decline or no answer drops it. Other keys are ignored. */
  answer(responses: InputResponsesV2): void {
    this.catchUp();
    const question = this.question;
    const response = question ? (responses[question.key] as FormAnswer | undefined) : undefined;
    if (!question || !response || this.ended || this.cancelled || this.lost()) return;
    const decision = decisionOf(response) ?? { decision: 'deny' as const, by: 'client-declined' as const };
    this.question = undefined;
    this.run.decide(decision.decision, question.checkIds, decision.by);
    const release = this.principal.sessions.keepOpen(this.run.session);
    void this.run.stopped().then(release);
    this.touch();
    this.follow();
  }

  /** tasks/cancel: as cancel_run, the run stops after the action it is running; a question waiting is withdrawn. */
  cancel(): void {
    if (this.ended) return;
    this.cancelled = true;
    this.run.cancel();
    this.touch();
  }
}

/**
 * The runs followed as tasks, by task id, for every MCP server object of
 * one process (2026-07-28 requests each get their own). A task belongs to
 * the principal whose call made it; it lasts as long as its session.
 */
export class RunTasks {
  private readonly tasks = new Map<string, RunTask>();

  constructor(private readonly runs: Runs) {}

  /** A task following the run, ready for tasks/get before its handle is returned. */
  open(principal: Principal, run: AgentRun, finish: FinishRun, asks: boolean): CreateTaskResultV2 {
    this.forgetOld(run.session.id);
    const task = new RunTask(principal, run, this.runs, finish, asks);
    this.tasks.set(task.id, task);
    const { inputRequests: _asked, result: _result, error: _error, ...seed } = task.view() as DetailedTaskV2 & Record<string, unknown>;
    return { ...seed, resultType: 'task' } as CreateTaskResultV2;
  }

  /** The principal's task; anyone else's, or one never made or forgotten, is refused alike. */
  get(principal: Principal, taskId: string): RunTask {
    const task = this.tasks.get(taskId);
    if (!task || task.principal.id !== principal.id) {
      throw new UnknownTaskError(
        `No task "${taskId}" for you: it was never made, belongs to someone else, or was forgotten with its session. ` +
          'run_task, step and acknowledge_safety_check answer with the ids of your tasks.',
      );
    }
    return task;
  }

  /** Drops the tasks of closed sessions, and all but the latest few of this session. */
  private forgetOld(sessionId: string): void {
    const ofSession: string[] = [];
    for (const [id, task] of this.tasks) {
      if (task.run.session.isClosed) this.tasks.delete(id);
      else if (task.run.session.id === sessionId) ofSession.push(id);
    }
    for (const id of ofSession.slice(0, Math.max(0, ofSession.length - TASKS_PER_SESSION + 1))) this.tasks.delete(id);
  }
}
