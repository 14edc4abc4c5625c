import type { Point } from '../computer/actions.js';
import type { Computer, MouseButton, PressableButton, Screenshot } from '../computer/computer.js';
import { chordKeysyms, RETURN_KEYSYM, SHIFT_KEYSYM, typedKeysym, type KeyboardMap } from './keyboard.js';
import { typingPlan } from './typing.js';
import type { Frame, XConnection } from './x-connection.js';

/** What the computer needs of a desktop session. */
export interface DesktopHost {
  /** The connection input goes through. */
  readonly x: XConnection;
  /** Screenshot pixels: the coordinate space of actions. */
  readonly display: { width: number; height: number };
  /** The X screen's real size. */
  readonly screen: { width: number; height: number };
  /** Waits until the screen has stopped changing. */
  settle(): Promise<void>;
  capture(): Promise<Frame>;
  /** Waits (at most maxMs) until the screen differs from `before`, then settles. */
  changeFrom(before: Frame, maxMs: number): Promise<void>;
  screenshot(): Promise<Screenshot>;
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
/** Between drag moves, as a hand moves a mouse: sent all at once, applications merge queued motion into its last point and miss the corners. */
const DRAG_MOVE_MS = 10;

export function wheelClicks(pixels: number): number {
  if (pixels === 0) return 0;
  return Math.sign(pixels) * Math.min(MAX_WHEEL_CLICKS, Math.max(1, Math.round(Math.abs(pixels) / PIXELS_PER_WHEEL_CLICK)));
}

/** Pointer moves between two drag points: one every 40 px, at most 10 a segment. */
function dragSteps(from: Point, to: Point): Point[] {
  const steps = Math.min(10, Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 40)));
  return Array.from({ length: steps }, (_, i) => ({ x: from.x + ((to.x - from.x) * (i + 1)) / steps, y: from.y + ((to.y - from.y) * (i + 1)) / steps }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The computer-use protocol on an X display, in-process: input through
 * XTEST, as from a real keyboard and mouse, then a wait until the screen
 * stops changing. Keys the keyboard lacks (é on a US keymap, 中文, emoji,
 * a chord's symbol) are mapped onto free keycodes for the time of the
 * action and given back after it settled (see typing.ts).
 */
export class X11Computer implements Computer {
  constructor(private readonly host: DesktopHost) {}

  get display() {
    return this.host.display;
  }

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
   * keycodes) and `held` pressed in order; releases them in reverse, waits
   * for the screen, then gives the keycodes back.
   */
  private async act(send: (keyboard: KeyboardMap) => Promise<void> | void, held: string[] = [], keysyms: number[] = []): Promise<void> {
    const { x } = this.host;
    const heldKeysyms = chordKeysyms(held);
    let keyboard = await x.keyboard();
    const missing = [...new Set([...heldKeysyms, ...keysyms])].filter((k) => !keyboard.stroke(k));
    if (missing.length > keyboard.free.length) throw new Error(`The keyboard has no free keycode left for ${missing.length} key(s) it lacks.`);
    const mapped = new Map(missing.map((keysym, i) => [keyboard.free[i]!, keysym]));
    if (mapped.size) {
      await x.mapKeycodes(mapped);
      keyboard = keyboard.with(mapped);
    }
    const pressed: number[] = [];
    try {
      for (const keycode of chordKeycodes(keyboard, heldKeysyms)) {
        x.key(keycode, true);
        pressed.push(keycode);
      }
      await send(keyboard);
    } finally {
      for (const keycode of pressed.reverse()) x.key(keycode, false);
      await x.sync();
    }
    await this.host.settle();
    if (mapped.size) await x.mapKeycodes(new Map([...mapped.keys()].map((keycode) => [keycode, 0])));
  }

  private press(button: number, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.host.x.button(button, true);
      this.host.x.button(button, false);
    }
  }

  click(x: number, y: number, button: MouseButton, keys: string[]): Promise<void> {
    return this.act(() => {
      this.moveTo({ x, y });
      this.press(BUTTONS[button]);
    }, keys);
  }

  doubleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(() => {
      this.moveTo({ x, y });
      this.press(1, 2);
    }, keys);
  }

  tripleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(() => {
      this.moveTo({ x, y });
      this.press(1, 3);
    }, keys);
  }

  mouseDown(button: PressableButton): Promise<void> {
    return this.act(() => this.host.x.button(BUTTONS[button], true));
  }

  mouseUp(button: PressableButton): Promise<void> {
    return this.act(() => this.host.x.button(BUTTONS[button], false));
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
          for (const p of dragSteps(from, to)) {
            await sleep(DRAG_MOVE_MS);
            this.moveTo(p);
          }
          // At each point of the path, the application catches up before the pointer turns: a busy one merges queued motion and would cut the corner.
          await this.host.x.sync();
          await this.host.settle();
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
    return this.act(() => {
      this.moveTo({ x, y });
      // Buttons 4/5 scroll up/down, 6/7 left/right.
      const vertical = wheelClicks(scrollY);
      const horizontal = wheelClicks(scrollX);
      this.press(vertical < 0 ? 4 : 5, Math.abs(vertical));
      this.press(horizontal < 0 ? 6 : 7, Math.abs(horizontal));
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

  /** The keys held down for `ms`; act releases them in reverse, even when the wait is cut short. */
  holdKeys(keys: string[], ms: number): Promise<void> {
    return this.act(async () => {
      await sleep(ms);
    }, keys);
  }

  /**
   * Types through the keyboard, in pieces whose missing characters fit into
   * the free keycodes (see typing.ts). After a Return with more text to
   * come, the screen must change (at most LINE_ECHO_MS) and settle before
   * the next line: a line often starts something (a shell runs a command
   * and changes the terminal's modes) that must be ready for the keys after
   * it, and a busy application may not have drawn anything yet.
   */
  async type(text: string): Promise<void> {
    if (text === '') return this.host.settle();
    const keyboard = await this.host.x.keyboard();
    for (const piece of typingPlan(text, keyboard.keysyms, keyboard.free.length)) {
      const keysyms = [...piece.text].map(typedKeysym).filter((k) => k !== undefined);
      await this.act(
        async (mapped) => {
          let beforeLine: Frame | undefined;
          for (const [i, keysym] of keysyms.entries()) {
            if (beforeLine) {
              await this.host.x.sync();
              await this.host.changeFrom(beforeLine, LINE_ECHO_MS);
              beforeLine = undefined;
            }
            if (keysym === RETURN_KEYSYM && i < keysyms.length - 1) {
              // The line as the application shows it, so that what changes next is the Return's doing.
              await this.host.x.sync();
              await this.host.settle();
              beforeLine = await this.host.capture();
            }
            const { keycode, shift } = mapped.stroke(keysym)!;
            const shiftKeycode = shift ? mapped.stroke(SHIFT_KEYSYM)?.keycode : undefined;
            if (shiftKeycode !== undefined) this.host.x.key(shiftKeycode, true);
            this.host.x.key(keycode, true);
            this.host.x.key(keycode, false);
            if (shiftKeycode !== undefined) this.host.x.key(shiftKeycode, false);
          }
        },
        [],
        keysyms,
      );
    }
  }

  async wait(ms: number): Promise<void> {
    await sleep(ms);
    await this.host.settle();
  }

  screenshot(): Promise<Screenshot> {
    return this.host.screenshot();
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
