import { actionPoints, type ComputerAction, type Point } from './actions.js';
import { toChord } from './keys.js';

export class InvalidActionError extends Error {}

/** One action's points inside the display and its key names known; `where` names it in the error. */
export function checkAction(where: string, points: Point[], keys: string[] | undefined, display: { width: number; height: number }): void {
  for (const p of points) {
    if (p.x < 0 || p.y < 0 || p.x >= display.width || p.y >= display.height) {
      throw new InvalidActionError(
        `${where}: point ${p.x},${p.y} is outside the ${display.width}x${display.height} display; coordinates are screenshot pixels from 0,0 to ${display.width - 1},${display.height - 1}`,
      );
    }
  }
  try {
    if (keys) toChord(keys);
  } catch (error) {
    throw new InvalidActionError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Checks a batch before any of it runs, so a bad action never leaves the
 * screen half-changed: coordinates inside the display, key names known.
 */
export function validateActions(actions: ComputerAction[], display: { width: number; height: number }): void {
  actions.forEach((action, index) => checkAction(`actions[${index}] (${action.type})`, actionPoints(action), 'keys' in action ? (action.keys ?? undefined) : undefined, display));
}
