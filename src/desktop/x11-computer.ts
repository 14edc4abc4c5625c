import type { Point } from '../computer/actions.js';
import type { Computer, MouseButton, PressableButton } from '../computer/computer.js';
import { chordKeysyms, RETURN_KEYSYM, SHIFT_KEYSYM, typedKeysym, type KeyboardMap } from './keyboard.js';
import type { SettleOptions } from './screen-activity.js';
import { typingPlan } from './typing.js';
import type { XConnection } from './x-connection.js';

/** What the computer needs of a desktop session. */
export interface DesktopHost {
  /** The connection input goes through. */
  readonly x: XConnection;
  /** Screenshot pixels: the coordinate space of actions. */
  readonly display: { width: number; height: number };
  /** The X screen's real size. */
  readonly screen: { width: number; height: number };
  /** The clock settle measures from. */
  now(): number;
  /** Waits until what was done since `since` has been drawn and the screen is quiet; says whether anything was drawn. */
  settle(since: number, signal?: AbortSignal, waits?: Partial<SettleOptions>): Promise<boolean>;
}

/** X pointer buttons: 2 is the middle (wheel) button; 8 and 9 are the side buttons browsers map to back and forward. */
const BUTTONS: Record<MouseButton, number> = { left: 1, wheel: 2, right: 3, back: 8, forward: 9 };

/**
 * Scroll pixels → wheel clicks: one click per 100 px (a browser scrolls
 * about 100 px a click, a terminal or editor about 3 lines), rounded, at
 * least one click for any non-zero amount, at most 50 a call.
 */
const PIXELS_PER_WHEEL_CLICK = 100;
const MAX_WHEEL_CLICKS = 50;
/** Longest wait, after a Return inside typed text, for the application to show that it took the line. */
const LINE_ECHO_MS = 1000;
/** All the waits after Returns of one type action together: beyond it, the remaining lines are typed without waiting. */
const LINE_WAITS_MS = 3000;
/** Keystrokes sent between two round trips to the X server: typing keeps pace with it, and a cancelled call stops between them. */
const KEYSTROKES_PER_SYNC = 16;
/** Between drag moves, as a hand moves a mouse: sent all at once, applications merge queued motion into its last point and miss the corners. */
const DRAG_MOVE_MS = 10;
/** Longest a click waits for the window manager to pass it on before the next input goes (see buttonReleased). */
const CLICK_PASSED_ON_MS = 1000;

export function wheelClicks(pixels: number): number {
  if (pixels === 0) return 0;
  return Math.sign(pixels) * Math.min(MAX_WHEEL_CLICKS, Math.max(1, Math.round(Math.abs(pixels) / PIXELS_PER_WHEEL_CLICK)));
}

/** Pointer moves between two drag points: one every 40 px, at most 10 a segment. */
function dragSteps(from: Point, to: Point): Point[] {
  const steps = Math.min(10, Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 40)));
  return Array.from({ length: steps }, (_, i) => ({
    x: from.x + ((to.x - from.x) * (i + 1)) / steps,
    y: from.y + ((to.y - from.y) * (i + 1)) / steps,
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The computer-use protocol on an X display, in-process: input through
 * XTEST, as from a real keyboard and mouse, then a wait until the screen
 * stops changing. Keys the keyboard lacks (é on a US keymap, 中文, emoji,
 * a chord's symbol) are mapped onto free keycodes and left mapped for
 * later actions (see keyboardWith and typing.ts).
 */
export class X11Computer implements Computer {
  /** Keycodes mapped to keysyms the keyboard lacks, in the order they were mapped. */
  private readonly borrowed = new Map<number, number>();

  constructor(private readonly host: DesktopHost) {}

  /** Screenshot pixel → screen pixel: the centre of the screen area the screenshot pixel shows. */
  private toScreen(p: Point): Point {
    const { screen, display } = this.host;
    return {
      x: Math.min(screen.width - 1, Math.max(0, Math.floor(((p.x + 0.5) * screen.width) / display.width))),
      y: Math.min(screen.height - 1, Math.max(0, Math.floor(((p.y + 0.5) * screen.height) / display.height))),
    };
  }

  private moveTo(p: Point): void {
    const s = this.toScreen(p);
    this.host.x.move(s.x, s.y);
  }

  /**
   * Runs `send` with `keysyms` available (missing ones mapped onto free
   * keycodes) and the keys `down` pressed in order; releases them in reverse, then
   * waits for the screen.
   */
  private async act(
    send: (keyboard: KeyboardMap) => Promise<void> | void,
    down: string[] = [],
    keysyms: number[] = [],
    signal?: AbortSignal,
  ): Promise<void> {
    const { x } = this.host;
    const since = this.host.now();
    const keyboard = await this.keyboardWith([...chordKeysyms(down), ...keysyms]);
    const pressed: number[] = [];
    try {
      for (const keycode of chordKeycodes(keyboard, chordKeysyms(down))) {
        x.key(keycode, true);
        pressed.push(keycode);
      }
      await send(keyboard);
    } finally {
      for (const keycode of pressed.reverse()) x.key(keycode, false);
      await x.sync();
    }
    await this.host.settle(since, signal);
  }

  /**
   * The keyboard, with the keysyms it lacks mapped onto free keycodes. They
   * stay mapped after the action (reused by the next one, taken back only
   * when the free keycodes run out): an application busy when the keys
   * arrive reads them later, and must find them mapped as they were typed.
   */
  private async keyboardWith(keysyms: number[]): Promise<KeyboardMap> {
    const { x } = this.host;
    const keyboard = await x.keyboard();
    const missing = [...new Set(keysyms)].filter((k) => !keyboard.stroke(k));
    if (!missing.length) return keyboard;
    const needed = new Set(keysyms);
    // Keycodes mapped for earlier actions, oldest first, that this one does not need.
    const reusable = [...this.borrowed].filter(([, keysym]) => !needed.has(keysym)).map(([keycode]) => keycode);
    const available = [...keyboard.free, ...reusable];
    if (missing.length > available.length) throw new Error(`The keyboard has no free keycode left for ${missing.length} key(s) it lacks.`);
    const mapped = new Map(missing.map((keysym, i) => [available[i]!, keysym]));
    await x.mapKeycodes(mapped);
    for (const [keycode, keysym] of mapped) {
      this.borrowed.delete(keycode);
      this.borrowed.set(keycode, keysym);
    }
    return keyboard.with(mapped);
  }

  /** Gives back the keycodes mapped for typing (the display outlives the session when it is not ours). */
  async giveBackKeys(): Promise<void> {
    if (!this.borrowed.size) return;
    const keycodes = [...this.borrowed.keys()];
    this.borrowed.clear();
    await this.host.x.mapKeycodes(new Map(keycodes.map((keycode) => [keycode, 0])));
  }

  /**
   * Clicks `button` `times`, each click sent once the window manager passed
   * the last one on (see buttonReleased). One that never does costs one
   * deadline, not one per click: the rest go without waiting.
   */
  private async press(button: number, times = 1): Promise<void> {
    let paced = true;
    for (let i = 0; i < times; i++) {
      this.host.x.button(button, true);
      this.host.x.button(button, false);
      if (paced) paced = await this.host.x.buttonReleased(button, CLICK_PASSED_ON_MS);
    }
  }

  click(x: number, y: number, button: MouseButton, keys: string[]): Promise<void> {
    return this.act(async () => {
      this.moveTo({ x, y });
      await this.press(BUTTONS[button]);
    }, keys);
  }

  doubleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(async () => {
      this.moveTo({ x, y });
      await this.press(1, 2);
    }, keys);
  }

  tripleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(async () => {
      this.moveTo({ x, y });
      await this.press(1, 3);
    }, keys);
  }

  mouseDown(button: PressableButton): Promise<void> {
    return this.act(() => this.host.x.button(BUTTONS[button], true));
  }

  mouseUp(button: PressableButton): Promise<void> {
    return this.act(async () => {
      this.host.x.button(BUTTONS[button], false);
      await this.host.x.buttonReleased(BUTTONS[button], CLICK_PASSED_ON_MS);
    });
  }

  drag(path: Point[], keys: string[]): Promise<void> {
    return this.act(async () => {
      const [start, ...rest] = path;
      if (!start) return;
      this.moveTo(start);
      this.host.x.button(1, true);
      try {
        let from = start;
        for (const to of rest) {
          const since = this.host.now();
          for (const p of dragSteps(from, to)) {
            await sleep(DRAG_MOVE_MS);
            this.moveTo(p);
          }
          // At each point of the path, the application catches up before the pointer turns: a busy one merges queued motion and would cut the corner.
          await this.host.x.sync();
          await this.host.settle(since);
          from = to;
        }
      } finally {
        this.host.x.button(1, false);
      }
    }, keys);
  }

  move(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(() => this.moveTo({ x, y }), keys);
  }

  scroll(x: number, y: number, scrollX: number, scrollY: number, keys: string[]): Promise<void> {
    return this.act(async () => {
      this.moveTo({ x, y });
      // Buttons 4/5 scroll up/down, 6/7 left/right.
      const vertical = wheelClicks(scrollY);
      const horizontal = wheelClicks(scrollX);
      await this.press(vertical < 0 ? 4 : 5, Math.abs(vertical));
      await this.press(horizontal < 0 ? 6 : 7, Math.abs(horizontal));
    }, keys);
  }

  keypress(keys: string[]): Promise<void> {
    const keysyms = chordKeysyms(keys);
    return this.act(
      (keyboard) => {
        const keycodes = chordKeycodes(keyboard, keysyms);
        for (const keycode of keycodes) this.host.x.key(keycode, true);
        for (const keycode of [...keycodes].reverse()) this.host.x.key(keycode, false);
      },
      [],
      keysyms,
    );
  }

  /** The keys kept down for `ms`; act releases them in reverse, even when the wait is cut short. */
  pressKeysFor(keys: string[], ms: number): Promise<void> {
    return this.act(async () => {
      await sleep(ms);
    }, keys);
  }

  /**
   * Types through the keyboard, in pieces whose missing characters fit into
   * the free keycodes (see typing.ts). After a Return with more text to
   * come, the application gets time to take the line (the screen starts
   * changing within LINE_ECHO_MS, then goes quiet) before the next line: a
   * line often starts something (a shell runs a command and changes the
   * terminal's modes) that must be ready for the keys after it. Those waits
   * share LINE_WAITS_MS per call; a cancelled call stops between
   * keystrokes and during the waits.
   */
  async type(text: string, signal?: AbortSignal): Promise<void> {
    if (text === '') return void (await this.host.settle(this.host.now(), signal));
    const waitsEnd = this.host.now() + LINE_WAITS_MS;
    const keyboard = await this.host.x.keyboard();
    // Keycodes borrowed earlier count as free: a piece may need them again, or they make room for its other keys.
    const present = new Set([...keyboard.keysyms].filter((k) => ![...this.borrowed.values()].includes(k)));
    for (const piece of typingPlan(text, present, keyboard.free.length + this.borrowed.size)) {
      signal?.throwIfAborted();
      const keysyms = [...piece.text].map(typedKeysym).filter((k) => k !== undefined);
      await this.act(
        async (mapped) => {
          for (const [i, keysym] of keysyms.entries()) {
            if (i % KEYSTROKES_PER_SYNC === 0) {
              await this.host.x.sync();
              signal?.throwIfAborted();
            }
            const lineSince = this.host.now();
            this.stroke(mapped, keysym);
            const waitLeft = waitsEnd - this.host.now();
            if (keysym === RETURN_KEYSYM && i < keysyms.length - 1 && waitLeft > 0) {
              await this.host.x.sync();
              await this.host.settle(lineSince, signal, { reactionMs: Math.min(LINE_ECHO_MS, waitLeft), maxMs: waitLeft });
            }
          }
        },
        [],
        keysyms,
        signal,
      );
    }
  }

  /** One key, pressed and released, with Shift for a shifted one. */
  private stroke(keyboard: KeyboardMap, keysym: number): void {
    const { keycode, shift } = keyboard.stroke(keysym)!;
    const shiftKeycode = shift ? keyboard.stroke(SHIFT_KEYSYM)?.keycode : undefined;
    if (shiftKeycode !== undefined) this.host.x.key(shiftKeycode, true);
    this.host.x.key(keycode, true);
    this.host.x.key(keycode, false);
    if (shiftKeycode !== undefined) this.host.x.key(shiftKeycode, false);
  }

  /** Sleeps `ms`; returns then, or once the screen is quiet if it is still changing. */
  async wait(ms: number): Promise<void> {
    const since = this.host.now();
    await sleep(ms);
    await this.host.settle(since, undefined, { reactionMs: 0 });
  }
}

/** The keycodes of a chord, with Shift added before a key that sits on the shifted level (ctrl+"+" is ctrl+shift+"="). */
function chordKeycodes(keyboard: KeyboardMap, keysyms: number[]): number[] {
  const shift = keyboard.stroke(SHIFT_KEYSYM)?.keycode;
  const keycodes: number[] = [];
  for (const keysym of keysyms) {
    const stroke = keyboard.stroke(keysym)!;
    if (stroke.shift && shift !== undefined && !keycodes.includes(shift)) keycodes.push(shift);
    if (!keycodes.includes(stroke.keycode)) keycodes.push(stroke.keycode);
  }
  return keycodes;
}
