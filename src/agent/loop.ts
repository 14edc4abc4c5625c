import { log } from '../log.js';
import type { ComputerSession, Navigation } from '../session/computer-session.js';
import { runAction } from '../computer/computer.js';
import { describeAgentAction, isExtra, type AgentAction } from './actions.js';
import type { CallOutcome, ScreenInput, TurnOutcome } from './translator.js';
import type { ParsedCall, Progress, TurnState } from './types.js';
import { addUsage } from './usage.js';
import { approvalHolds } from './approval.js';

export async function screenshotInput(session: ComputerSession): Promise<ScreenInput> {
  const shot = await session.screenshot();
  const url = await session.currentUrl();
  return { shot, url, dataUrl: `data:${shot.mimeType};base64,${shot.data.toString('base64')}` };
}

/** Adds the operator's pauses (approval.ts): a call they hold waits for a person. */
async function holdForApproval(run: TurnState, calls: ParsedCall[]): Promise<void> {
  for (const call of calls) {
    if (call.problem) continue;
    const holds = await approvalHolds(run, call);
    if (holds.length) call.holds = holds;
  }
}

/**
 * One model turn: send the pending input, read the reply, and either
 * finish, hold the calls for a safety decision, or run their actions and
 * answer them with the new screen. The wire format is the translator's.
 */
export async function modelTurn(run: TurnState, progress: Progress): Promise<'completed' | 'continue'> {
  const { translator } = run;
  const body = translator.request();
  progress.observer.request?.(body);
  let raw: unknown;
  const sent = performance.now();
  try {
    raw = await translator.send(body, progress.signal);
  } catch (error) {
    throw run.provider.explain(error);
  }
  const reply = translator.read(raw);
  addUsage(run.usage, reply.usage, performance.now() - sent, run.prices);
  run.steps++;
  progress.taken++;
  for (const summary of reply.reasoning) {
    progress.reasoning.push(summary);
    progress.observer.reasoning?.(summary);
  }
  if (reply.message !== undefined) run.message = reply.message;

  const { calls, problems } = reply;
  for (const problem of problems) log.warn(`session ${run.session.id}: skipped model output: ${problem}`);
  await holdForApproval(run, calls);
  progress.observer.answered?.({
    responseId: reply.id ?? '',
    reasoning: reply.reasoning,
    message: reply.message ?? '',
    calls,
    problems,
    ...(reply.usage ? { usage: reply.usage } : {}),
    total: { ...run.usage },
  });

  if (calls.length === 0) {
    if (problems.length === 0 && run.message) {
      progress.observer.step?.(progress.taken, progress.total, 'done');
      return 'completed';
    }
    const problem = problems[0] ?? 'no action and no message';
    unusable(run, problem);
    translator.retry(
      `Your last reply could not be used (${problem}). Continue the task with a valid computer action, or reply with a message when you are done.`,
    );
    progress.observer.step?.(progress.taken, progress.total, `skipped: ${problem}`);
    return 'continue';
  }
  if (calls.every((c) => c.problem)) unusable(run, problems[0] ?? calls[0]!.problem!);
  else run.unusableTurns = 0;

  if (calls.some((c) => (c.checks.length > 0 || c.holds?.length) && !c.problem)) {
    run.pending = calls;
    const codes = calls.flatMap((c) => [...c.checks, ...(c.holds ?? [])].map((k) => k.code)).join(', ');
    progress.observer.step?.(
      progress.taken,
      progress.total,
      `safety check (${codes}) before ${calls.flatMap((c) => c.descriptions).join('; ')}`,
    );
    return 'continue';
  }
  translator.answer(await executeCalls(run, calls, progress, false));
  return 'continue';
}

function unusable(run: TurnState, problem: string): void {
  run.unusableTurns++;
  run.lastProblem = problem;
}

/**
 * Runs the calls' actions in order (stopping after the current action when
 * the call is cancelled), then takes the screenshot that answers them.
 */
export async function executeCalls(run: TurnState, calls: ParsedCall[], progress: Progress, acknowledged: boolean): Promise<TurnOutcome> {
  const { session } = run;
  if (session.isClosed) throw new Error(`Browser session ${session.id} was closed; start a new run in another session.`);
  const outcomes: CallOutcome[] = calls.map((call) => ({ call, ...(call.problem ? { error: call.problem } : {}) }));
  const done: string[] = [];
  let interrupted: string | undefined;
  const screen = await session.exclusive(async () => {
    const resets = session.resets;
    calls: for (const outcome of outcomes) {
      if (outcome.call.problem) continue;
      for (const action of outcome.call.actions) {
        if (progress.signal?.aborted) break calls;
        if (await session.resetSince(resets)) {
          interrupted =
            'The browser or tab was reset (it crashed or was killed); the remaining actions were not run. Look at the new screenshot.';
          break calls;
        }
        const description = describeAgentAction(action);
        try {
          const result = await runAgentAction(session, action, progress.signal);
          if (result) outcome.text = outcome.text ? `${outcome.text}\n${result}` : result;
          done.push(description);
          progress.observer.action?.(description, action);
        } catch (error) {
          const reason = (error as Error).message.split('\n')[0];
          const line = `${description} failed: ${reason}`;
          done.push(line);
          outcome.error = line;
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
  return { outcomes, screen: (await run.translator.see?.(screen)) ?? screen, acknowledged, ...(interrupted ? { interrupted } : {}) };
}

/** The session's browser navigation, for the actions that need it. */
function navigation(session: ComputerSession): Navigation {
  if (!session.navigation) throw new Error('this session has no browser to navigate');
  return session.navigation;
}

/** Runs one action on the session's computer (or its browser, for navigation, which says what it did). */
async function runAgentAction(session: ComputerSession, action: AgentAction, signal: AbortSignal | undefined): Promise<string | void> {
  const computer = session.computer;
  if (!isExtra(action)) return runAction(computer, action, signal);
  switch (action.type) {
    case 'triple_click':
      return computer.tripleClick(action.x, action.y, action.keys ?? []);
    case 'mouse_down':
      return computer.mouseDown(action.button);
    case 'mouse_up':
      return computer.mouseUp(action.button);
    case 'hold_key':
      return computer.pressKeysFor(action.keys, action.ms);
    case 'navigate':
      return navigation(session).goto(action.url);
    case 'history':
      return navigation(session)[action.direction]();
  }
}
