import type { Screenshot } from '../computer/computer.js';
import type { Environment } from '../session/computer-session.js';
import type { AgentOptions } from './agent-options.js';
import type { AgentAction } from './actions.js';
import type { TokenUsage } from './usage.js';

export interface SafetyCheck {
  id: string;
  code: string;
  message: string;
  /** The operator's rule that asked for this pause (`--confirm-domains *.bank.example`); absent for the model's own checks. */
  rule?: string;
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

/** The screen after a turn's actions, as every provider sends it back. */
export interface ScreenInput {
  shot: Screenshot;
  /** `data:image/png;base64,...` */
  dataUrl: string;
  /** Undefined where the environment has no URL (a desktop). */
  url: string | undefined;
}

/** A model reply read into the loop's terms. */
export interface ModelReply {
  /** The provider's id of the reply, when it gives one (for the recording). */
  id?: string;
  /** Calls in the reply's order: runnable actions, or the reason a call cannot run. */
  calls: ParsedCall[];
  /** Everything in the reply that cannot be used, in order: the calls' own problems and what could not be read as a call at all. */
  problems: string[];
  /** The model's words to the person (its answer when it stops acting); undefined when it said nothing. */
  message?: string;
  /** Reasoning summaries or narration, shown as the run goes. */
  reasoning: string[];
  /** The tokens the reply says it used; undefined when the server did not say. */
  usage?: TokenUsage;
}

/** What happened to one call when its turn ran. */
export interface CallOutcome {
  call: ParsedCall;
  /** Why the call (or one of its actions) did not run, one line: the call's problem, or `<action> failed: <why>`. */
  error?: string;
  /** What its actions reported, one line each (a navigation says where it went). */
  text?: string;
}

/** A turn's calls after they ran, with the screen they left. */
export interface TurnOutcome {
  outcomes: CallOutcome[];
  screen: ScreenInput;
  /** Set when the screen was reset mid-turn and the remaining actions were dropped: tell the model. */
  interrupted?: string;
  /** A person approved the held calls: their safety checks are acknowledged. */
  acknowledged: boolean;
}

/** What a translator knows about the run it serves. */
export interface TranslatorContext {
  /** The model (or deployment) sent with each request. */
  model: string;
  options: AgentOptions;
  /** Extra system instructions from the caller. */
  instructions: string | undefined;
  environment: Environment;
  /** Screenshot pixels: the coordinate space of every action. */
  display: { width: number; height: number };
}

/**
 * A model provider's wire format, and nothing else: it builds each request
 * from the conversation so far, reads a reply into normalised calls, and
 * formats the answer to each call. The loop (loop.ts, run.ts) owns the
 * run: budget, pauses, cancellation, progress. A translator owns the
 * conversation: what to send next and the history it needs.
 */
export interface Translator {
  /** Whether there is something to send: false before the start, after the end, and while calls are held. */
  readonly ready: boolean;
  /** The screen as this model takes it (Claude: scaled to its size, with the regions it zoomed into), before start or answer get it. */
  see?(screen: ScreenInput): Promise<ScreenInput>;
  /** The first input: the task and the first screen. */
  start(task: string, screen: ScreenInput): void;
  /** The next request (the observers log it). */
  request(): unknown;
  /** Sends it; SDK errors pass through (the loop explains them). */
  send(request: unknown, signal: AbortSignal | undefined): Promise<unknown>;
  /** Reads a reply and records it in the history; the pending input is then spent. */
  read(reply: unknown): ModelReply;
  /** Answers every call of the last reply. */
  answer(turn: TurnOutcome): void;
  /** Tells the model its last reply could not be used. */
  retry(note: string): void;
  /** Nothing more will be sent (the run completed or a person denied the held calls). */
  end(): void;
}
