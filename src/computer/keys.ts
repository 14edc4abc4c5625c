/**
 * Maps the key names computer-use models emit ("CTRL", "Return", "cmd",
 * "ArrowLeft", "a") onto Playwright key names (the US keyboard layout's),
 * plus the browser's own keys (BrowserBack...), which only a backend that
 * emulates a browser's shortcuts understands.
 */
const KEY_NAMES: Record<string, string> = {
  ctrl: 'Control',
  control: 'Control',
  alt: 'Alt',
  option: 'Alt',
  opt: 'Alt',
  shift: 'Shift',
  cmd: 'Meta',
  command: 'Meta',
  meta: 'Meta',
  super: 'Meta',
  win: 'Meta',
  windows: 'Meta',
  enter: 'Enter',
  return: 'Enter',
  esc: 'Escape',
  escape: 'Escape',
  tab: 'Tab',
  space: ' ',
  spacebar: ' ',
  backspace: 'Backspace',
  delete: 'Delete',
  del: 'Delete',
  insert: 'Insert',
  ins: 'Insert',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pgup: 'PageUp',
  page_up: 'PageUp',
  pagedown: 'PageDown',
  pgdn: 'PageDown',
  page_down: 'PageDown',
  up: 'ArrowUp',
  down: 'ArrowDown',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  arrowup: 'ArrowUp',
  arrowdown: 'ArrowDown',
  arrowleft: 'ArrowLeft',
  arrowright: 'ArrowRight',
  capslock: 'CapsLock',
  numlock: 'NumLock',
  scrolllock: 'ScrollLock',
  printscreen: 'PrintScreen',
  pause: 'Pause',
  contextmenu: 'ContextMenu',
  menu: 'ContextMenu',
  minus: '-',
  plus: '+',
  equal: '=',
  comma: ',',
  period: '.',
  slash: '/',
  backslash: '\\',
  semicolon: ';',
  quote: "'",
  backquote: '`',
  bracketleft: '[',
  bracketright: ']',
  browserback: 'BrowserBack',
  browserforward: 'BrowserForward',
  browserrefresh: 'BrowserRefresh',
  '\n': 'Enter',
  '\r': 'Enter',
  '\t': 'Tab',
};

const MODIFIERS = new Set(['Control', 'Alt', 'Shift', 'Meta']);

/** Keys that are not on a keyboard layout but mean something to a browser; never combined with other keys. */
export const BROWSER_KEYS = new Set(['BrowserBack', 'BrowserForward', 'BrowserRefresh']);

export class UnknownKeyError extends Error {}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One character as a person sees it (é, 中, 👍🏽), printable: no control character, no lone surrogate. */
function isSingleCharacter(name: string): boolean {
  const parts = [...graphemes.segment(name)];
  return parts.length === 1 && !/[\p{Cc}\p{Cs}]/u.test(name);
}

/** A character the US keyboard layout has a key for: it can be held with modifiers. */
function onKeyboardLayout(key: string): boolean {
  return /^[\x20-\x7e]$/.test(key);
}

function unknownKey(name: string): UnknownKeyError {
  const parts = name.split(/(?<=.)[+-](?=.)/);
  if (parts.length > 1 && parts.every((part) => knownName(part) !== undefined)) {
    return new UnknownKeyError(
      `unknown key ${JSON.stringify(name)}: each key of a chord is its own array item, e.g. ${JSON.stringify(parts.map((p) => p.trim().toLowerCase()))}`,
    );
  }
  return new UnknownKeyError(
    `unknown key ${JSON.stringify(name)}: use a single character or a name such as ctrl, alt, shift, cmd, enter, esc, tab, space, backspace, delete, arrowup, home, pageup, f1...f12, browserback`,
  );
}

/** The key a name stands for, or undefined: names, F1-F12, and characters on the keyboard layout. */
function knownName(name: string): string | undefined {
  const lowered = name.trim().toLowerCase();
  const mapped = KEY_NAMES[name] ?? KEY_NAMES[lowered] ?? KEY_NAMES[lowered.replace(/[\s_-]/g, '')];
  if (mapped) return mapped;
  if (/^f([1-9]|1[0-2])$/.test(lowered)) return lowered.toUpperCase();
  if (name.length === 1 && onKeyboardLayout(name)) return name;
  return undefined;
}

/** Playwright's name for one key as a model spells it (a key that can be held: no text-only characters). */
export function toPlaywrightKey(name: string): string {
  const key = knownName(name);
  if (key !== undefined) return key;
  if (isSingleCharacter(name)) {
    throw new UnknownKeyError(
      `${JSON.stringify(name)} has no key on the keyboard layout: it can be pressed alone (keypress ["${name}"]) or typed (type), not held with other keys`,
    );
  }
  throw unknownKey(name);
}

export function isModifier(key: string): boolean {
  return MODIFIERS.has(key);
}

/**
 * The Playwright keys of a chord. A letter pressed together with a modifier
 * means the letter key (ctrl+A is ctrl+a), so it is lowered; shift is only
 * added when the model asked for it.
 */
export function toChord(names: string[]): string[] {
  const keys = names.map(toPlaywrightKey);
  const browserKey = keys.find((k) => BROWSER_KEYS.has(k));
  if (browserKey && keys.length > 1) throw new UnknownKeyError(`${browserKey} is pressed alone, not with other keys`);
  const hasModifier = keys.some(isModifier);
  return keys.map((k) => (hasModifier && /^[A-Z]$/.test(k) ? k.toLowerCase() : k));
}

/** What a keypress does: press keys as a chord, or, for one character that has no key (é, 中, 😀), enter it as text. */
export type KeyStroke = { chord: string[] } | { text: string };

/** The one place that decides how a keypress runs; the batch check uses it too, so both refuse the same keys. */
export function toKeyStroke(names: string[]): KeyStroke {
  const only = names.length === 1 ? names[0]! : undefined;
  if (only !== undefined && knownName(only) === undefined && isSingleCharacter(only)) return { text: only };
  return { chord: toChord(names) };
}
