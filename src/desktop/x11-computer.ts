import type { Point } from '../computer/actions.js';
import type { Computer, MouseButton, Screenshot } from '../computer/computer.js';
import { typingPlan } from './typing.js';
import { xdotool, xKeys } from './xdotool.js';

/** What the computer needs of a desktop session. */
export interface DesktopHost {
  /** The DISPLAY the input goes to. */
  readonly displayName: string;
  /** Screenshot pixels: the coordinate space of actions. */
  readonly display: { width: number; height: number };
  /** The X screen's real size. */
  readonly screen: { width: number; height: number };
  /** Waits until the screen has stopped changing. */
  settle(): Promise<void>;
  /** The keysyms the keyboard produces, and the keycodes free to map. */
  keyboard(): Promise<{ keysyms: Set<number>; free: number[] }>;
  /** Maps keycodes to keysyms (0 gives a keycode back). */
  mapKeycodes(mapping: Map<number, number>): Promise<void>;
  screenshot(): Promise<Screenshot>;
}

/** X pointer buttons: 2 is the middle (wheel) button; 8 and 9 are the side buttons browsers map to back and forward. */
const BUTTONS: Record<MouseButton, string> = { left: '1', wheel: '2', right: '3', back: '8', forward: '9' };

/**
 * Scroll pixels → wheel clicks: one click per 100 px (a browser scrolls
 * about 100 px a click, a terminal or editor about 3 lines), rounded, at
 * least one click for any non-zero amount, at most 50 a call.
 */
export const PIXELS_PER_WHEEL_CLICK = 100;
const MAX_WHEEL_CLICKS = 50;
const DRAG_MOVE_SECONDS = '0.01';

export function wheelClicks(pixels: number): number {
  if (pixels === 0) return 0;
  return Math.sign(pixels) * Math.min(MAX_WHEEL_CLICKS, Math.max(1, Math.round(Math.abs(pixels) / PIXELS_PER_WHEEL_CLICK)));
}

/** Pointer moves between two drag points: one every 40 px, at most 10 a segment. */
function dragSteps(from: Point, to: Point): Point[] {
  const steps = Math.min(10, Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 40)));
  return Array.from({ length: steps }, (_, i) => ({ x: from.x + ((to.x - from.x) * (i + 1)) / steps, y: from.y + ((to.y - from.y) * (i + 1)) / steps }));
}

/**
 * The computer-use protocol on an X display: input through XTEST (xdotool,
 * which also remaps a spare keycode for characters the keyboard lacks, so
 * é, 中文 and emoji are typed, not pasted), then a wait until the screen
 * stops changing. One xdotool process per action: a chord or a drag is one
 * command chain, so nothing else interleaves.
 */
export class X11Computer implements Computer {
  constructor(private readonly host: DesktopHost) {}

  get display() {
    return this.host.display;
  }

  /** Screenshot pixel → screen pixel: the centre of the screen area the screenshot pixel shows. */
  private toScreen(x: number, y: number): [string, string] {
    const { screen, display } = this.host;
    const sx = Math.min(screen.width - 1, Math.max(0, Math.floor(((x + 0.5) * screen.width) / display.width)));
    const sy = Math.min(screen.height - 1, Math.max(0, Math.floor(((y + 0.5) * screen.height) / display.height)));
    return [String(sx), String(sy)];
  }

  private async act(args: string[], held: string[] = []): Promise<void> {
    const keys = xKeys(held);
    const down = keys.flatMap((k) => ['keydown', k]);
    const up = [...keys].reverse().flatMap((k) => ['keyup', k]);
    try {
      await xdotool(this.host.displayName, [...down, ...args, ...up]);
    } catch (error) {
      // A chain that failed midway must not leave a modifier held for every later action.
      if (up.length) await xdotool(this.host.displayName, up).catch(() => {});
      throw error;
    }
    await this.host.settle();
  }

  click(x: number, y: number, button: MouseButton, keys: string[]): Promise<void> {
    return this.act(['mousemove', ...this.toScreen(x, y), 'click', BUTTONS[button]], keys);
  }

  doubleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(['mousemove', ...this.toScreen(x, y), 'click', '--repeat', '2', '--delay', '80', '1'], keys);
  }

  drag(path: Point[], keys: string[]): Promise<void> {
    const [start, ...rest] = path;
    if (!start) return Promise.resolve();
    const moves: string[] = [];
    let from = start;
    for (const to of rest) {
      // 10 ms between moves, as a hand moves a mouse: sent all at once, applications merge queued motion into its last point and miss the corners.
      for (const p of dragSteps(from, to)) moves.push('mousemove', ...this.toScreen(p.x, p.y), 'sleep', DRAG_MOVE_SECONDS);
      from = to;
    }
    return this.act(['mousemove', ...this.toScreen(start.x, start.y), 'mousedown', '1', ...moves, 'mouseup', '1'], keys);
  }

  move(x: number, y: number, keys: string[]): Promise<void> {
    return this.act(['mousemove', ...this.toScreen(x, y)], keys);
  }

  scroll(x: number, y: number, scrollX: number, scrollY: number, keys: string[]): Promise<void> {
    const wheel = (clicks: number, negative: string, positive: string) =>
      clicks === 0 ? [] : ['click', '--repeat', String(Math.abs(clicks)), '--delay', '5', clicks < 0 ? negative : positive];
    // Buttons 4/5 scroll up/down, 6/7 left/right.
    return this.act(['mousemove', ...this.toScreen(x, y), ...wheel(wheelClicks(scrollY), '4', '5'), ...wheel(wheelClicks(scrollX), '6', '7')], keys);
  }

  keypress(keys: string[]): Promise<void> {
    const chord = xKeys(keys);
    return this.act([...chord.flatMap((k) => ['keydown', k]), ...[...chord].reverse().flatMap((k) => ['keyup', k])]);
  }

  /** Types through the keyboard: characters it lacks are mapped onto free keycodes for the time of the typing (see typing.ts). */
  async type(text: string): Promise<void> {
    if (text === '') return this.host.settle();
    const keyboard = await this.host.keyboard();
    for (const piece of typingPlan(text, keyboard.keysyms, keyboard.free.length)) {
      const mapping = new Map(piece.keysyms.map((keysym, i) => [keyboard.free[i]!, keysym]));
      await this.host.mapKeycodes(mapping);
      try {
        await this.act(['type', '--delay', '8', '--', piece.text]);
      } finally {
        // After the settle: the application has read the keys with the mapping they were typed with.
        await this.host.mapKeycodes(new Map([...mapping.keys()].map((keycode) => [keycode, 0])));
      }
    }
  }

  async wait(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.host.settle();
  }

  screenshot(): Promise<Screenshot> {
    return this.host.screenshot();
  }
}
