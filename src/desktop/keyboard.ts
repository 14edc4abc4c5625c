import { toChord } from '../computer/keys.js';

/** X keysyms of the named keys (Playwright's names, as toChord gives them), from X11/keysymdef.h. */
const NAMED_KEYSYMS: Record<string, number> = {
  Control: 0xffe3, // Control_L
  Alt: 0xffe9, // Alt_L
  Shift: 0xffe1, // Shift_L
  Meta: 0xffeb, // Super_L
  Enter: 0xff0d, // Return
  Escape: 0xff1b,
  Tab: 0xff09,
  ' ': 0x20,
  Backspace: 0xff08,
  Delete: 0xffff,
  Insert: 0xff63,
  Home: 0xff50,
  End: 0xff57,
  PageUp: 0xff55, // Prior
  PageDown: 0xff56, // Next
  ArrowUp: 0xff52,
  ArrowDown: 0xff54,
  ArrowLeft: 0xff51,
  ArrowRight: 0xff53,
  CapsLock: 0xffe5,
  NumLock: 0xff7f,
  ScrollLock: 0xff14,
  PrintScreen: 0xff61, // Print
  Pause: 0xff13,
  ContextMenu: 0xff67, // Menu
};
const F1 = 0xffbe;
export const SHIFT_KEYSYM = NAMED_KEYSYMS.Shift!;
export const RETURN_KEYSYM = NAMED_KEYSYMS.Enter!;

/** The keysym of a character: Latin-1 as itself, anything else as 0x1000000 + its code point; none for control characters. */
export function charKeysym(char: string): number | undefined {
  const code = char.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return undefined;
  return code <= 0xff ? code : 0x1000000 + code;
}

/** The keysym a character of typed text is sent as: a new line is Return, a tab is Tab. */
export function typedKeysym(char: string): number | undefined {
  if (char === '\n' || char === '\r') return RETURN_KEYSYM;
  if (char === '\t') return NAMED_KEYSYMS.Tab;
  return charKeysym(char);
}

/** The keysyms of the keys a model names (ctrl, Return, "a"...), validated as for the browser. */
export function chordKeysyms(names: string[]): number[] {
  return toChord(names).map((key) => {
    const named = NAMED_KEYSYMS[key];
    if (named !== undefined) return named;
    const f = /^F(\d{1,2})$/.exec(key);
    if (f) return F1 + Number(f[1]) - 1;
    return charKeysym(key)!;
  });
}

/** How to produce a keysym: a keycode, with Shift for the second level. */
export interface KeyStroke {
  keycode: number;
  shift: boolean;
}

/**
 * The keyboard mapping as typing needs it: which keycode (plain or
 * shifted) gives each keysym, and which keycodes give nothing (free to
 * map a keysym the keyboard lacks onto, for the time of an action).
 */
export class KeyboardMap {
  private constructor(
    private readonly strokes: Map<number, KeyStroke>,
    readonly free: number[],
  ) {}

  /** From GetKeyboardMapping: `rows[i]` are the keysyms of keycode `firstKeycode + i`. */
  static fromRows(firstKeycode: number, rows: number[][]): KeyboardMap {
    const strokes = new Map<number, KeyStroke>();
    const free: number[] = [];
    rows.forEach((row, i) => {
      const keycode = firstKeycode + i;
      if (row.every((k) => k === 0)) free.push(keycode);
      // Levels beyond the second need AltGr and friends: treated as missing, and mapped when needed.
      row.slice(0, 2).forEach((keysym, level) => {
        if (keysym !== 0 && !strokes.has(keysym)) strokes.set(keysym, { keycode, shift: level === 1 });
      });
      // A letter key lists only its lower case; X gives the upper case on the shifted level.
      const lower = row[0] ?? 0;
      if ((row[1] ?? 0) === 0 && lower >= 0x61 && lower <= 0x7a && !strokes.has(lower - 0x20))
        strokes.set(lower - 0x20, { keycode, shift: true });
    });
    return new KeyboardMap(strokes, free);
  }

  /** The keysyms the keyboard produces without remapping. */
  get keysyms(): Set<number> {
    return new Set(this.strokes.keys());
  }

  stroke(keysym: number): KeyStroke | undefined {
    return this.strokes.get(keysym);
  }

  /** This mapping with `mapped` (keycode → keysym) applied, on both levels. */
  with(mapped: Map<number, number>): KeyboardMap {
    const strokes = new Map(this.strokes);
    for (const [keycode, keysym] of mapped) strokes.set(keysym, { keycode, shift: false });
    return new KeyboardMap(
      strokes,
      this.free.filter((k) => !mapped.has(k)),
    );
  }
}
