import { decodePng, pixel } from '../test/helpers/png.js';
import { COLOURS, type State } from './pages.js';

/** Which page state a PNG screenshot shows, read from a corner pixel (the pages give every state its own background). */
export function stateOf(png: Buffer): State | 'unknown' {
  const colour = pixel(decodePng(png), 4, 4);
  for (const [state, expected] of Object.entries(COLOURS) as [State, readonly number[]][]) {
    if (expected.every((c, i) => Math.abs(c - colour[i]!) <= 8)) return state;
  }
  return 'unknown';
}
