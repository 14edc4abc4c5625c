import type { Screenshot } from '../computer/computer.js';
import type { ComputerSession } from '../session/computer-session.js';
import type { AgentAction } from './actions.js';
import type { Translator } from './translator.js';
import type { ModelProvider } from '../model/provider.js';

export type RunStatus = 'running' | 'completed' | 'max_steps' | 'needs_confirmation' | 'cancelled' | 'failed' | 'denied';

export interface SafetyCheck {
  id: string;
  code: string;
  message: string;
}

/** A call from the model (a computer_call, a tool_use...), checked: either runnable actions or the reason it cannot run. */
export interface ParsedCall {
  callId: string;
  actions: AgentAction[];
  descriptions: string[];
  /** The model's safety checks: acknowledged back to it when a person approves. */
  checks: SafetyCheck[];
  /** Pauses the operator asked for (--confirm-actions): a person decides, the model is never told. */
  holds?: SafetyCheck[];
  problem?: string;
}

/** A paused run as a person is asked about it. */
export interface HeldRun {
  readonly session: ComputerSession;
  readonly task: string;
  readonly pending: ParsedCall[] | undefined;
  readonly pendingChecks: SafetyCheck[];
}

/** What the loop reports as it goes; the MCP tools and the terminal each implement it. */
export interface RunObserver {
  /** After each model turn: `step 3/25: click 135,193`. */
  step?(done: number, budget: number, description: string): void;
  reasoning?(summary: string): void;
  action?(description: string): void;
  /** The request as the provider's wire format has it. */
  request?(body: unknown): void;
  response?(response: unknown): void;
  screenshot?(step: number, shot: Screenshot): void;
  /**
   * Asks a person about the held action right now. `undefined` means nobody
   * could answer here: the run stays paused until acknowledge_safety_check.
   */
  confirm?(run: HeldRun): Promise<'approve' | 'deny' | undefined>;
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
  /** Action kinds a person approves before they run (--confirm-actions). */
  readonly confirmActions: readonly string[];
  steps: number;
  message: string;
  pending: ParsedCall[] | undefined;
  unusableTurns: number;
  lastProblem: string;
}
