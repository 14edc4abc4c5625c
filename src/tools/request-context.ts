import type { AgentRun } from '../agent/run.js';
import type { ToolResult } from './tool-result.js';

/** A form the person answers in the client (MCP elicitation, form mode): a message and a flat JSON schema of fields. */
export interface FormRequest {
  message: string;
  requestedSchema: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
}

/** The person's answer: accept with the fields, decline (a "no"), or cancel (dismissed without choosing). */
export interface FormAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/**
 * One tool call as the tools see it, whatever protocol version or SDK
 * carried it (src/mcp builds it): its cancellation, the reports it can
 * send while it works, and the person it can ask.
 */
export interface RequestContext {
  /** Aborted when the client cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** When the call arrived (Date.now()): waits the client asked for (wait_seconds) count from here, not from when a browser was ready. */
  readonly arrivedAt: number;
  /** The calling client's name as it introduced itself, if it did. */
  readonly clientName: string | undefined;
  /** Reports progress, if the caller asked for it; a report also keeps waiting clients from timing out. */
  progress(done: number, total: number | undefined, message: string): void;
  /** A message for the client's log. */
  log(level: 'info' | 'warning', logger: string, data: string): void;
  /** Asks the person through a form, when the client can show one (else undefined); `signal` withdraws the question. */
  readonly askForm: ((form: FormRequest, signal: AbortSignal) => Promise<FormAnswer>) | undefined;
  /**
   * Asks the person by answering the call with the form (2026-07-28
   * `input_required`): the client shows it and calls the same tool again
   * with the answer and `state` (signed, so it comes back unchanged).
   * Undefined when the client cannot answer forms that way.
   */
  readonly askInResult: ((form: FormRequest, state: QuestionState) => Promise<ToolResult>) | undefined;
  /**
   * Follows a run the call started or resumed as a task (the MCP Tasks
   * extension), answering the call at once with the task's handle; the
   * task's result, once the run stops, is what `finish` makes. Undefined
   * unless the client declared the extension on this call: the call then
   * waits on the run itself.
   */
  readonly followAsTask: ((run: AgentRun, finish: (run: AgentRun) => Promise<ToolResult>) => ToolResult) | undefined;
  /** The answer this call brings to a question asked by askInResult, with the state that question carried. */
  readonly answered: { state: QuestionState; answer: FormAnswer } | undefined;
}

/** What a question asked in a result remembers: the session whose run waits, and the checks asked about. */
export interface QuestionState {
  session_id: string;
  check_ids: string[];
}
