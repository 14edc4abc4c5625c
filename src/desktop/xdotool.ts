import { execFile } from 'node:child_process';
import { toChord } from '../computer/keys.js';

/** Longest one xdotool command may take (typing a long text included) before it is stopped. */
const XDOTOOL_TIMEOUT_MS = 60_000;

/** Playwright key names (what toChord gives) → X keysym names, where they differ. */
const X_KEYSYMS: Record<string, string> = {
  Control: 'Control_L',
  Alt: 'Alt_L',
  Shift: 'Shift_L',
  Meta: 'Super_L',
  Enter: 'Return',
  Escape: 'Escape',
  Tab: 'Tab',
  ' ': 'space',
  Backspace: 'BackSpace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'Prior',
  PageDown: 'Next',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  CapsLock: 'Caps_Lock',
  NumLock: 'Num_Lock',
  ScrollLock: 'Scroll_Lock',
  PrintScreen: 'Print',
  Pause: 'Pause',
  ContextMenu: 'Menu',
};

/** The X keysym name of one key: named keys by table, F-keys as is, letters and digits as themselves, any other character as its Unicode keysym. */
function keysym(key: string): string {
  const named = X_KEYSYMS[key];
  if (named) return named;
  if (/^F\d{1,2}$/.test(key) || /^[A-Za-z0-9]$/.test(key)) return key;
  return `U${key.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The X keysyms of the keys a model names (ctrl, Return, "a"...), validated as for the browser. */
export function xKeys(names: string[]): string[] {
  return toChord(names).map(keysym);
}

/** Runs xdotool on a display. Input goes through XTEST, as from a real keyboard and mouse. */
export function xdotool(display: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: display }, timeout: XDOTOOL_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new Error(missing ? 'Desktop sessions need xdotool for input (apt-get install xdotool).' : `xdotool ${args[0]} failed on ${display}: ${stderr.trim() || error.message}`));
    });
  });
}
