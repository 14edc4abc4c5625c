/**
 * Typing text the keyboard has no key for (é on a US keymap, 中文, emoji):
 * the characters' keysyms are mapped onto free keycodes once, before the
 * text is typed, and left mapped after (an application busy when the keys
 * arrive reads them later). A keycode remapped per character
 * (what xdotool does) races the application: it may read the mapping
 * after the next character has replaced it, and 中文 arrives as 文.
 */

import { typedKeysym } from './keyboard.js';

export interface TypingPiece {
  text: string;
  /** Keysyms to map onto free keycodes while this piece is typed. */
  keysyms: number[];
}

/** Splits `text` into pieces whose characters missing from the keyboard fit into `free` keycodes at once. */
export function typingPlan(text: string, present: Set<number>, free: number): TypingPiece[] {
  const pieces: TypingPiece[] = [];
  let current: TypingPiece = { text: '', keysyms: [] };
  for (const char of text) {
    const keysym = typedKeysym(char);
    const missing = keysym !== undefined && !present.has(keysym) && !current.keysyms.includes(keysym);
    if (missing && free > 0 && current.keysyms.length === free) {
      pieces.push(current);
      current = { text: '', keysyms: [] };
    }
    if (missing && free > 0) current.keysyms.push(keysym);
    current.text += char;
  }
  if (current.text) pieces.push(current);
  return pieces;
}
