/**
 * Maps the key names computer-use models emit ("CTRL", "Return", "cmd",
 * "ArrowLeft", "a") onto Playwright key names.
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
};

const MODIFIERS = new Set(['Control', 'Alt', 'Shift', 'Meta']);

export class UnknownKeyError extends Error {}

/** Playwright's name for one key as a model spells it. */
export function toPlaywrightKey(name: string): string {
  const lowered = name.trim().toLowerCase();
  const mapped = KEY_NAMES[lowered] ?? KEY_NAMES[lowered.replace(/[\s-]/g, '')];
  if (mapped) return mapped;
  if (/^f([1-9]|1[0-9]|2[0-4])$/.test(lowered)) return lowered.toUpperCase();
  if ([...name].length === 1) return name;
  throw new UnknownKeyError(
    `unknown key ${JSON.stringify(name)}: use a single character or a name such as ctrl, alt, shift, cmd, enter, esc, tab, space, backspace, delete, arrowup, home, pageup, f1`,
  );
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
  const hasModifier = keys.some(isModifier);
  return keys.map((k) => (hasModifier && /^[A-Z]$/.test(k) ? k.toLowerCase() : k));
}
