import { decodePng, pixel } from '../test/helpers/png.js';
import { CLICK_MARKS, COLOURS, type State } from './pages.js';

const near = (expected: readonly number[], colour: readonly number[]) => expected.every((c, i) => Math.abs(c - colour[i]!) <= 8);

/** How many clicks (modulo 4) the load page's corner mark shows; -1 when it shows none of its colours. */
export function clicksShown(png: Buffer): number {
  const colour = pixel(decodePng(png), 4, 4);
  return CLICK_MARKS.findIndex((expected) => near(expected, colour));
}

/** Which page state a PNG screenshot shows, read from a corner pixel (the pages give every state its own background). */
export function stateOf(png: Buffer): State | 'unknown' {
  const colour = pixel(decodePng(png), 4, 4);
  for (const [state, expected] of Object.entries(COLOURS) as [State, readonly number[]][]) {
    if (near(expected, colour)) return state;
  }
  return 'unknown';
}
