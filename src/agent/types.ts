import type { ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
import type { ComputerAction } from '../computer/actions.js';
import type { Screenshot } from '../computer/computer.js';
import type { ModelProvider } from '../model/provider.js';
import type { ComputerSession } from '../session/computer-session.js';
import type { ToolGeneration } from './tool-generation.js';

export type RunStatus = 'running' | 'completed' | 'max_steps' | 'needs_confirmation' | 'cancelled' | 'failed' | 'denied';

export interface SafetyCheck {
  id: string;
  code: string;
  message: string;
}

/** A computer_call from the model, checked: either runnable actions or the reason it cannot run. */
export interface ParsedCall {
  callId: string;
  actions: ComputerAction[];
  descriptions: string[];
  checks: SafetyCheck[];
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
  request?(body: ResponseCreateParamsNonStreaming): void;
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
  readonly generation: ToolGeneration;
  readonly steps: number;
  message: string;
  nextInput: ResponseInputItem[] | undefined;
  pending: ParsedCall[] | undefined;
  unusableTurns: number;
  lastProblem: string;
  request(): ResponseCreateParamsNonStreaming;
  accepted(response: { id: string; output: unknown[] }): void;
}
