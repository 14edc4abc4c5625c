import type { AgentAction } from '../agent/actions.js';
import type { DecidedBy } from '../agent/types.js';
import type { RunUsage, TokenUsage } from '../agent/usage.js';

/** A navigation as recorded: the goto/back/forward of the model (Gemini's navigate, go_back and go_forward too). */
export type NavigationCall = { name: 'goto'; url: string } | { name: 'back' | 'forward'; url?: undefined };

/**
 * What a recording holds on disk, under <output-dir>/runs/<run_id>/:
 * run.json (RunRecord, rewritten at every stop), steps.jsonl (one
 * StepRecord per model turn, appended), the screenshots and report.html.
 */

export const REPORT_FILE = 'report.html';
export const STEPS_FILE = 'steps.jsonl';
export const RUN_FILE = 'run.json';

export interface SafetyDecision {
  decision: 'approve' | 'deny';
  by: DecidedBy;
  /** What asked (the operator's rules, the model's checks), or what approved without asking (`--approval sandbox:ci-vm`). */
  rule?: string;
  time: string;
}

export interface RecordedAction {
  /** The action as the model sent it, coordinates in screenshot pixels; absent for a navigation. */
  action?: AgentAction;
  /** A goto/back/forward function call instead of a computer action. */
  navigation?: NavigationCall;
  description: string;
  /** Set when it ran and failed; actions never reached (cancelled, reset, denied) have `ran: false`. */
  error?: string;
  ran: boolean;
}

export interface StepRecord {
  /** Model turn number, from 1. */
  step: number;
  /** When the request for this turn was sent. */
  time: string;
  /** Waiting for the model's answer. */
  model_ms: number;
  /** Running the actions and taking the screenshot (after the decision, when one was asked). */
  action_ms: number;
  response_id?: string;
  reasoning: string[];
  /** The model's text for this turn, if any (its answer when it finished). */
  message?: string;
  actions: RecordedAction[];
  safety_checks: { id: string; code: string; message: string }[];
  /** The decision about the checks; absent while still waiting, or when there were none. */
  safety_decision?: SafetyDecision;
  /** Dialogs, downloads, popups, blocked requests, browser resets seen during this turn. */
  events: Record<string, unknown>[];
  /** The screenshot the model was looking at when it chose these actions (file name). */
  seen?: string;
  /** The screenshot taken after the actions (file name). */
  screenshot?: string;
  url?: string;
  /** Output the loop could not use (bad actions, no computer_call). */
  problems: string[];
  /** The tokens of this turn's reply, as the provider counted them. */
  usage?: TokenUsage;
  error?: string;
}

export interface RunRecord {
  run_id: string;
  task: string;
  model: string;
  provider: string;
  session_id: string;
  /** The run's status (see RunStatus), or `replaced`: a new run started in the session while this one waited for a safety decision. */
  status: string;
  started: string;
  updated: string;
  steps: number;
  model_ms: number;
  action_ms: number;
  display: { width: number; height: number };
  /** Tokens, model requests and model time of the run, with the estimated cost at --model-prices. */
  usage?: RunUsage;
  /** The first screenshot, before any turn. */
  first_screenshot?: string;
  message?: string;
  error?: string;
  /** The process recording it, so another process can tell whether it is still going. */
  pid: number;
  /** Who may see it over MCP (the principal owning the session); absent for the terminal. */
  owner?: string;
}

/** A run still going: working, or waiting for a person's safety decision. Retention never deletes these while their process lives. */
export const GOING_STATUSES = new Set(['running', 'needs_confirmation']);
