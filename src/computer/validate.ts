import { actionPoints, type ComputerAction, type Point } from './actions.js';
import { toChord, toKeyStroke } from './keys.js';

export class InvalidActionError extends Error {}

/** Keys an action names: pressed as a keystroke (keypress), or held during a pointer action. */
export interface ActionKeys {
  pressed?: string[];
  held?: string[] | null;
}

/** One action's points inside the display and its key names known; `where` names it in the error. */
export function checkAction(where: string, points: Point[], display: { width: number; height: number }, keys: ActionKeys = {}): void {
  for (const p of points) {
    if (p.x < 0 || p.y < 0 || p.x >= display.width || p.y >= display.height) {
      throw new InvalidActionError(
        `${where}: point ${p.x},${p.y} is outside the ${display.width}x${display.height} display; coordinates are screenshot pixels from 0,0 to ${display.width - 1},${display.height - 1}`,
      );
    }
  }
  try {
    if (keys.pressed) toKeyStroke(keys.pressed);
    if (keys.held) toChord(keys.held);
  } catch (error) {
    throw new InvalidActionError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Checks a batch before any of it runs, so a bad action never leaves the
 * screen half-changed: coordinates inside the display, key names known.
 */
export function validateActions(actions: ComputerAction[], display: { width: number; height: number }): void {
  actions.forEach((action, index) =>
    checkAction(
      `actions[${index}] (${action.type})`,
      actionPoints(action),
      display,
      action.type === 'keypress' ? { pressed: action.keys } : { held: 'keys' in action ? action.keys : undefined },
    ),
  );
}
