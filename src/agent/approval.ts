import type { Point } from '../computer/actions.js';
import type { AgentAction } from './actions.js';
import type { ParsedCall, SafetyCheck, TurnState } from './types.js';

/**
 * The operator's approval rules (--approval always, --confirm-actions,
 * --confirm-domains, --confirm-password-typing): the pauses a call gets
 * before it runs, whatever the model's own safety checks say. Each pause
 * names its rule, for the person asked and for the recording.
 */
export async function approvalHolds(run: TurnState, call: ParsedCall): Promise<SafetyCheck[]> {
  const { options } = run;
  const holds: SafetyCheck[] = [];
  const hold = (code: string, rule: string, message: string) =>
    holds.push({ id: `${code.replace(/_action$/, '')}_${call.callId}`, code, message, rule });
  if (options.approval.mode === 'always')
    hold('approve_action', '--approval always', '--approval always asks a person before every action.');

  const kinds = [...new Set(call.actions.map((a) => a.type).filter((type) => options.confirmActions.includes(type)))];
  if (kinds.length)
    hold('confirm_action', `--confirm-actions ${kinds.join(',')}`, `--confirm-actions asks a person before every ${kinds.join(', ')}.`);

  if (options.confirmDomains.size) {
    const url = await run.session.currentUrl();
    const targets = [url, ...call.actions.flatMap((a) => (a.type === 'navigate' ? [a.url] : []))];
    const hit = targets.map((t) => ({ url: t, pattern: options.confirmDomains.match(t) })).find((t) => t.pattern);
    if (hit)
      hold(
        'confirm_domain',
        `--confirm-domains ${hit.pattern}`,
        `--confirm-domains asks a person before any action on ${hit.pattern} (${new URL(hit.url!).host}).`,
      );
  }

  if (
    options.confirmPasswordTyping &&
    run.session.typesIntoPassword &&
    (await typesIntoPassword(call.actions, run.session.typesIntoPassword.bind(run.session)))
  ) {
    hold('confirm_password', '--confirm-password-typing', '--confirm-password-typing asks a person before typing into a password field.');
  }
  return holds;
}

/** Whether a `type` of the call goes into a password field: where the call clicked last before it, else the focused field. */
async function typesIntoPassword(actions: AgentAction[], check: (point: Point | undefined) => Promise<boolean>): Promise<boolean> {
  let clicked: Point | undefined;
  for (const action of actions) {
    if (action.type === 'click' || action.type === 'double_click' || action.type === 'triple_click') clicked = { x: action.x, y: action.y };
    if (action.type === 'type' && (await check(clicked))) return true;
  }
  return false;
}
