import type { Response, ResponseInputItem } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { computerActionSchema, describeAction } from '../computer/actions.js';
import { runAction, type Screenshot } from '../computer/computer.js';
import { validateActions } from '../computer/validate.js';
import { log } from '../log.js';
import { explainModelError, ModelRequestError } from '../model/errors.js';
import type { ComputerSession } from '../session/computer-session.js';
import { functionOutput, parseFunctionCall, runNavigation } from './navigation-functions.js';
import { rawActions, type ToolGeneration } from './tool-generation.js';
import type { ParsedCall, Progress, TurnState } from './types.js';

const callEnvelope = z.looseObject({
  type: z.literal('computer_call'),
  call_id: z.string().min(1),
  pending_safety_checks: z
    .array(z.looseObject({ id: z.string().min(1), code: z.string().nullish(), message: z.string().nullish() }))
    .nullish(),
});

export interface ScreenInput {
  shot: Screenshot;
  dataUrl: string;
  /** Undefined where the environment has no URL (a desktop). */
  url: string | undefined;
}

export async function screenshotInput(session: ComputerSession): Promise<ScreenInput> {
  const shot = await session.screenshot();
  const url = await session.currentUrl();
  return { shot, url, dataUrl: `data:${shot.mimeType};base64,${shot.data.toString('base64')}` };
}

function parseCall(item: unknown, display: { width: number; height: number }): ParsedCall | string {
  const envelope = callEnvelope.safeParse(item);
  if (!envelope.success) return `a computer_call without a usable call_id or safety checks: ${z.prettifyError(envelope.error)}`;
  const call = envelope.data;
  const checks = (call.pending_safety_checks ?? []).map((c) => ({ id: c.id, code: c.code ?? 'unknown', message: c.message ?? '' }));
  const parsed: ParsedCall = { callId: call.call_id, actions: [], descriptions: [], checks };
  const raw = rawActions(call as { action?: unknown; actions?: unknown });
  if (raw.length === 0) {
    parsed.problem = 'the computer_call carries no action';
    return parsed;
  }
  for (const [index, candidate] of raw.entries()) {
    const action = computerActionSchema.safeParse(candidate);
    if (!action.success) {
      parsed.problem = `action ${index + 1} ${JSON.stringify(candidate)?.slice(0, 200)} is not valid: ${z.prettifyError(action.error)}`;
      break;
    }
    parsed.actions.push(action.data);
  }
  if (!parsed.problem) {
    try {
      validateActions(parsed.actions, display);
    } catch (error) {
      parsed.problem = (error as Error).message;
    }
  }
  if (parsed.problem) parsed.actions = [];
  parsed.descriptions = parsed.actions.map(describeAction);
  return parsed;
}

/** The turn's reasoning summaries (also reported as they come) and its message, if it has one. */
function collectText(run: TurnState, progress: Progress, output: unknown[]): { reasoning: string[]; message: string } {
  const reasoning: string[] = [];
  const messages: string[] = [];
  for (const item of output as Array<{ type?: string; summary?: unknown; content?: unknown }>) {
    if (item?.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const part of item.summary as Array<{ text?: unknown }>) {
        if (typeof part?.text === 'string' && part.text) {
          reasoning.push(part.text);
          progress.reasoning.push(part.text);
          progress.observer.reasoning?.(part.text);
        }
      }
    } else if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as Array<{ type?: string; text?: unknown; refusal?: unknown }>) {
        if (typeof part?.text === 'string') messages.push(part.text);
        else if (typeof part?.refusal === 'string') messages.push(`Refused: ${part.refusal}`);
      }
    }
  }
  const message = messages.join('\n');
  if (message) run.message = message;
  return { reasoning, message };
}

/**
 * One model turn: send the pending input, read the reply, and either
 * finish, hold the calls for a safety decision, or run their actions and
 * queue the screenshot as the next input.
 */
export async function modelTurn(run: TurnState, progress: Progress): Promise<'completed' | 'continue'> {
  const body = run.request();
  progress.observer.request?.(body);
  let response: Response;
  try {
    response = await run.provider.client.responses.create(body, { signal: progress.signal });
  } catch (error) {
    throw explainModelError(error, run.provider);
  }
  if (response.error) throw new ModelRequestError(`The model answered with an error: ${response.error.code}: ${response.error.message}`);
  const output: unknown[] = Array.isArray(response.output) ? response.output : [];
  run.accepted({ id: response.id, output });
  progress.taken++;
  const { reasoning, message } = collectText(run, progress, output);

  const calls: ParsedCall[] = [];
  const problems: string[] = [];
  for (const item of output) {
    const type = (item as { type?: unknown })?.type;
    if (type !== 'computer_call' && type !== 'function_call') continue;
    const parsed = type === 'computer_call' ? parseCall(item, run.session.display) : parseFunctionCall(item);
    if (typeof parsed === 'string') problems.push(parsed);
    else {
      calls.push(parsed);
      if (parsed.problem) problems.push(parsed.problem);
    }
  }
  for (const problem of problems) log.warn(`session ${run.session.id}: skipped model output: ${problem}`);
  progress.observer.answered?.({ responseId: response.id, reasoning, message, calls, problems });

  if (calls.length === 0) {
    if (problems.length === 0 && run.message) {
      progress.observer.step?.(progress.taken, progress.total, 'done');
      return 'completed';
    }
    const problem = problems[0] ?? 'no computer_call and no message';
    unusable(run, problem);
    run.nextInput = [{ role: 'user', content: `Your last reply could not be used (${problem}). Continue the task with a valid computer action, or reply with a message when you are done.` }];
    progress.observer.step?.(progress.taken, progress.total, `skipped: ${problem}`);
    return 'continue';
  }
  if (calls.every((c) => c.problem)) unusable(run, problems[0]!);
  else run.unusableTurns = 0;

  if (calls.some((c) => c.checks.length > 0 && !c.problem)) {
    run.pending = calls;
    const codes = calls.flatMap((c) => c.checks.map((k) => k.code)).join(', ');
    progress.observer.step?.(progress.taken, progress.total, `safety check (${codes}) before ${calls.flatMap((c) => c.descriptions).join('; ')}`);
    return 'continue';
  }
  run.nextInput = await executeCalls(run, calls, progress, false);
  return 'continue';
}

function unusable(run: TurnState, problem: string): void {
  run.unusableTurns++;
  run.lastProblem = problem;
}

/**
 * Runs the calls' actions in order (stopping after the current action when
 * the call is cancelled) and builds their outputs: the screenshot, the page
 * URL, and the acknowledged checks when a person approved them.
 */
export async function executeCalls(run: TurnState, calls: ParsedCall[], progress: Progress, acknowledged: boolean): Promise<ResponseInputItem[]> {
  const { session } = run;
  if (session.isClosed) throw new Error(`Browser session ${session.id} was closed; start a new run in another session.`);
  const notes: string[] = [];
  const done: string[] = [];
  /** What each function call did, by call id: its output's text. */
  const results = new Map<string, string>();
  const screen = await session.exclusive(async () => {
    const computer = session.computer;
    const resets = session.resets;
    calls: for (const call of calls) {
      if (call.problem) {
        if (call.kind === 'function') results.set(call.callId, `Not run: ${call.problem}`);
        else notes.push(`computer_call ${call.callId} was not run: ${call.problem}`);
        continue;
      }
      if (call.navigation) {
        if (progress.signal?.aborted) break calls;
        const description = call.descriptions.join('');
        try {
          if (!session.navigation) throw new Error('this session has no browser to navigate');
          results.set(call.callId, await runNavigation(session.navigation, call.navigation));
          done.push(description);
          progress.observer.action?.(description, call.navigation);
        } catch (error) {
          const reason = (error as Error).message.split('\n')[0];
          const line = `${description} failed: ${reason}`;
          results.set(call.callId, line);
          done.push(line);
          progress.observer.action?.(line, call.navigation, reason);
        }
        continue;
      }
      for (const action of call.actions) {
        if (progress.signal?.aborted) break calls;
        if (await session.resetSince(resets)) {
          notes.push('The browser or tab was reset (it crashed or was killed); the remaining actions were not run. Look at the new screenshot.');
          break calls;
        }
        const description = describeAction(action);
        try {
          await runAction(computer, action);
          done.push(description);
          progress.observer.action?.(description, action);
        } catch (error) {
          const reason = (error as Error).message.split('\n')[0];
          const line = `${description} failed: ${reason}`;
          done.push(line);
          notes.push(line);
          progress.observer.action?.(line, action, reason);
          continue calls;
        }
      }
    }
    return screenshotInput(session);
  });
  progress.actions.push(...done);
  progress.observer.screenshot?.(run.steps, screen.shot, screen.url ?? '');
  progress.observer.step?.(progress.taken, progress.total, done.join('; ') || 'no action run');
  const items: ResponseInputItem[] = calls.map((call) =>
    call.kind === 'function' ? functionOutput(call.callId, results.get(call.callId) ?? 'Not run: the run was cancelled', screen) : outputItem(run.generation, call, screen, acknowledged),
  );
  if (notes.length) items.push({ role: 'user', content: notes.join('\n') });
  return items;
}

function outputItem(generation: ToolGeneration, call: ParsedCall, screen: ScreenInput, acknowledged: boolean): ResponseInputItem {
  return {
    type: 'computer_call_output',
    call_id: call.callId,
    output: { type: 'computer_screenshot', image_url: screen.dataUrl },
    // The preview's browser environment uses the URL for its domain safety checks, as the seed sends it.
    ...(generation === 'preview' && screen.url !== undefined ? { current_url: screen.url } : {}),
    ...(acknowledged && call.checks.length ? { acknowledged_safety_checks: call.checks } : {}),
  } as ResponseInputItem;
}
