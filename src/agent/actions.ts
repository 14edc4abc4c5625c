import { AGENT_ACTION_TYPES } from '../computer/action-kinds.js';
import { actionPoints, ACTION_TYPES, describeAction, scaleAction, type ComputerAction, type Point } from '../computer/actions.js';
import type { PressableButton } from '../computer/computer.js';
import { checkAction, type ActionKeys } from '../computer/validate.js';
import type { ComputerSession } from '../session/computer-session.js';

/**
 * What a model may ask for: the protocol actions (src/computer/actions.ts),
 * plus the few that other providers' tools have beyond them. Translators
 * read their wire format into these; the loop runs them.
 */
export type ExtraAction =
  | { type: 'triple_click'; x: number; y: number; keys?: string[] }
  | { type: 'mouse_down'; button: PressableButton }
  | { type: 'mouse_up'; button: PressableButton }
  | { type: 'hold_key'; keys: string[]; ms: number }
  /** Browser sessions only: open a URL at the top level (the domain policy applies). */
  | { type: 'navigate'; url: string }
  /** Browser sessions only: the tab's history. */
  | { type: 'history'; direction: 'back' | 'forward' };

export type AgentAction = ComputerAction | ExtraAction;
export type AgentActionType = AgentAction['type'];

// AGENT_ACTION_TYPES (the names --confirm-actions takes) must list exactly these action types.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _agentActionTypesMatch: Exactly<(typeof AGENT_ACTION_TYPES)[number], AgentActionType> = true;
void _agentActionTypesMatch;

export function isExtra(action: AgentAction): action is ExtraAction {
  return !(ACTION_TYPES as readonly string[]).includes(action.type);
}

export function describeAgentAction(action: AgentAction): string {
  if (!isExtra(action)) return describeAction(action);
  switch (action.type) {
    case 'triple_click':
      return `triple_click ${action.x},${action.y}${action.keys?.length ? ` +${action.keys.join('+')}` : ''}`;
    case 'mouse_down':
    case 'mouse_up':
      return `${action.type} ${action.button}`;
    case 'hold_key':
      return `hold_key ${action.keys.join('+')} ${action.ms}ms`;
    case 'navigate':
      return `goto ${action.url}`;
    case 'history':
      return action.direction;
  }
}

function points(action: AgentAction): Point[] {
  if (!isExtra(action)) return actionPoints(action);
  return action.type === 'triple_click' ? [{ x: action.x, y: action.y }] : [];
}

function keysOf(action: AgentAction): ActionKeys {
  if (action.type === 'keypress') return { pressed: action.keys };
  return { held: 'keys' in action ? action.keys : undefined };
}

/** Checks a call's actions before any of them runs: points inside the display, keys known, browser-only actions in a browser. */
export function validateAgentActions(actions: AgentAction[], session: Pick<ComputerSession, 'display' | 'environment'>): void {
  actions.forEach((action, index) => {
    const where = `action ${index + 1} (${describeAgentAction(action)})`;
    checkAction(where, points(action), session.display, keysOf(action));
    if ((action.type === 'navigate' || action.type === 'history') && session.environment !== 'browser') {
      throw new Error(
        `${where} needs a browser session, and this is a ${session.environment} session: use the mouse and keyboard instead.`,
      );
    }
  });
}

/** The action with its points mapped from a model's image to the screen (`factor` on each axis), rounded and kept on the screen. */
export function scaleAgentAction(
  action: AgentAction,
  factor: { x: number; y: number },
  screen: { width: number; height: number },
): AgentAction {
  const at = (p: Point): Point => ({
    x: Math.min(screen.width - 1, Math.round(p.x * factor.x)),
    y: Math.min(screen.height - 1, Math.round(p.y * factor.y)),
  });
  if (!isExtra(action)) return scaleAction(action, factor, at);
  return action.type === 'triple_click' ? { ...action, ...at(action) } : action;
}

/** The last point the pointer was sent to by these actions, if any. */
export function lastPoint(actions: AgentAction[]): Point | undefined {
  return actions.flatMap(points).at(-1);
}
