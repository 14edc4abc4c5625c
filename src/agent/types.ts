import type { Screenshot } from '../computer/computer.js';
import type { AgentOptions } from './agent-options.js';
import type { ModelProvider } from './model-provider.js';
import type { ComputerSession } from '../session/computer-session.js';
import type { AgentAction } from './actions.js';
import type { ParsedCall, SafetyCheck, Translator } from './translator.js';
import type { ModelPrices, RunUsage, TokenUsage } from './usage.js';

export type { ParsedCall, SafetyCheck } from './translator.js';

export type RunStatus = 'running' | 'completed' | 'max_steps' | 'needs_confirmation' | 'cancelled' | 'failed' | 'denied';

/** A paused run as a person is asked about it. */
export interface HeldRun {
  readonly session: ComputerSession;
  readonly task: string;
  readonly pending: ParsedCall[] | undefined;
  readonly pendingChecks: SafetyCheck[];
}

/**
 * Who answered a safety check: a person through an elicitation form or at
 * the terminal, acknowledge_safety_check, --auto-acknowledge-safety-checks;
 * or nobody: `no-terminal` (cua-mcp run whose stdin had ended, so no one
 * could be asked), `client-declined` (the client answered the form with
 * decline, which clients that cannot ask a person, such as codex exec, do
 * at once).
 */
export type DecidedBy = 'elicitation' | 'terminal' | 'tool' | 'auto' | 'no-terminal' | 'client-declined';

/** An answer to a safety check, and who gave it. */
export interface Decision {
  decision: 'approve' | 'deny';
  by: DecidedBy;
}

/** A model's answer as the loop read it. */
export interface TurnAnswer {
  responseId: string;
  reasoning: string[];
  message: string;
  calls: ParsedCall[];
  /** Output that could not be used, one line each. */
  problems: string[];
  /** This turn's tokens, when the provider said. */
  usage?: TokenUsage;
  /** The run's usage so far, this turn included (the loop always gives it). */
  total?: RunUsage;
}

/**
 * What the loop reports as it goes. The calling tool or the terminal
 * passes one per call; observers that follow the whole run (the recorder)
 * are added with AgentRun.watch.
 */
export interface RunObserver {
  /** After each model turn: `step 3/25: click 135,193`. */
  step?(done: number, budget: number, description: string): void;
  reasoning?(summary: string): void;
  /** An action ran (`error`: it failed); `action` is the parsed action the answer carried. */
  action?(description: string, action?: AgentAction, error?: string): void;
  /** A turn starts: its request (in the provider's wire format) is being sent. */
  request?(body: unknown): void;
  answered?(turn: TurnAnswer): void;
  /** The screen before the first turn (step 0), then after each turn's actions; `url` is empty where there is none. */
  screenshot?(step: number, shot: Screenshot, url: string): void;
  /** `rule`: what asked (the operator's rules, or the model's checks), or what approved without asking. */
  decided?(decision: 'approve' | 'deny', by: DecidedBy, rule: string): void;
  /** The call ended (any status, paused included); awaited before the call returns. */
  stopped?(report: RunReport): void | Promise<void>;
  /**
   * Asks a person about the held action right now. `undefined` means nobody
   * could answer here: the run stays paused until acknowledge_safety_check.
   */
  confirm?(run: HeldRun): Promise<Decision | undefined>;
  /** This observer shows a failed run's error to a person itself (the terminal): the run need not log it too. */
  readonly showsErrors?: boolean;
}

export interface RunReport {
  status: RunStatus;
  steps: number;
  /** Actions executed during this call, one line each. */
  actions: string[];
  reasoning: string[];
  message: string;
  pending_safety_checks: SafetyCheck[];
  /** The held actions, not run yet. */
  pending_actions: string[];
  /** Tokens, model requests and model time of the whole run so far, with the estimated cost at --model-prices. */
  usage?: RunUsage;
  error?: string;
}

/** What one call of the loop has done and may still do. */
export interface Progress {
  observer: RunObserver;
  signal?: AbortSignal;
  actions: string[];
  reasoning: string[];
  /** Model turns this call may still take. */
  budget: number;
  total: number;
  taken: number;
}

/** The run state one model turn reads and updates (AgentRun in run.ts). */
export interface TurnState {
  readonly session: ComputerSession;
  readonly provider: ModelProvider;
  readonly translator: Translator;
  /** The approval rules among them (--approval, --confirm-actions, --confirm-domains...). */
  readonly options: AgentOptions;
  /** The run's usage so far (the loop adds each reply), priced at `prices` when the operator gave them. */
  readonly usage: RunUsage;
  readonly prices: ModelPrices | undefined;
  steps: number;
  message: string;
  pending: ParsedCall[] | undefined;
  unusableTurns: number;
  lastProblem: string;
}
