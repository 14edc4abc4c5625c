import { PNG } from 'pngjs';
import { COLOURS, type State } from './pages.js';

/** Which page state a PNG screenshot shows, read from a corner pixel (the pages give every state its own background). */
export function stateOf(png: Buffer): State | 'unknown' {
  const image = PNG.sync.read(png);
  const at = (4 * image.width + 4) * 4;
  const pixel = [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
  for (const [state, colour] of Object.entries(COLOURS) as [State, readonly number[]][]) {
    if (colour.every((c, i) => Math.abs(c - pixel[i]!) <= 8)) return state;
  }
  return 'unknown';
}
