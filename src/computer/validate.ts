import { actionPoints, type ComputerAction } from './actions.js';
import { toChord, toKeyStroke } from './keys.js';

export class InvalidActionError extends Error {}

/**
 * Checks a batch before any of it runs, so a bad action never leaves the
 * screen half-changed: coordinates inside the display, key names known.
 */
export function validateActions(actions: ComputerAction[], display: { width: number; height: number }): void {
  actions.forEach((action, index) => {
    const where = `actions[${index}] (${action.type})`;
    for (const p of actionPoints(action)) {
      if (p.x < 0 || p.y < 0 || p.x >= display.width || p.y >= display.height) {
        throw new InvalidActionError(
          `${where}: point ${p.x},${p.y} is outside the ${display.width}x${display.height} display; coordinates are screenshot pixels from 0,0 to ${display.width - 1},${display.height - 1}`,
        );
      }
    }
    try {
      if (action.type === 'keypress') toKeyStroke(action.keys);
      else if ('keys' in action && action.keys) toChord(action.keys);
    } catch (error) {
      throw new InvalidActionError(`${where}: ${(error as Error).message}`);
    }
  });
}
