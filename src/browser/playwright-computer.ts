import type { Page } from 'playwright';
import type { Point } from '../computer/actions.js';
import type { Computer, MouseButton, Screenshot } from '../computer/computer.js';
import { toChord, toKeyStroke } from '../computer/keys.js';
import type { ActivityMonitor } from './activity.js';
import { ADDRESS_BAR_HEIGHT } from './address-bar.js';
import type { ActivityMark } from './settle.js';
import { browserKeypress, typeIntoAddressBar, type BrowserWindow } from './shortcuts.js';

/** What the computer needs of a browser session: its current page and the means to wait for an action's effects. */
export interface PageHost extends BrowserWindow {
  readonly display: { width: number; height: number };
  /** Screenshot pixels per CSS pixel. */
  readonly scale: number;
  readonly activity: ActivityMonitor;
  settle(mark: ActivityMark, actedOn: Page): Promise<void>;
  screenshot(): Promise<Screenshot>;
}

/**
 * Mouse moves for one drag segment: the end point plus in-between moves, so
 * drag handlers that sample movement see a continuous motion. One per 40 px,
 * at most 4 per segment: each move is a browser round trip.
 */
export function dragSteps(from: Point, to: Point): number {
  return Math.min(4, Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 40)));
}

/**
 * The computer-use protocol on a Playwright browser session. Every action
 * waits for what it caused (see settle.ts) before it returns.
 */
export class PlaywrightComputer implements Computer {
  constructor(private readonly session: PageHost) {}

  get display() {
    return this.session.display;
  }

  /** Screenshot pixels (what the caller sees and points at) to CSS pixels (what the page and the mouse use). */
  private css(screenshotPixels: number): number {
    return screenshotPixels / this.session.scale;
  }

  private async act(fn: (page: Page) => Promise<void>): Promise<void> {
    const page = await this.session.page();
    const mark = this.session.activity.mark();
    try {
      await fn(page);
    } catch (error) {
      // A click on "close" (window.close()) takes its own tab away mid-action: that is its effect, not a failure.
      if (!page.isClosed()) throw error;
    }
    await this.session.settle(mark, page);
  }

  /** Holds modifier keys for the duration of a pointer action, releasing them in reverse. */
  private async holding(page: Page, keys: string[], fn: () => Promise<void>): Promise<void> {
    const held = toChord(keys);
    const pressed: string[] = [];
    try {
      for (const key of held) {
        await page.keyboard.down(key);
        pressed.push(key);
      }
      await fn();
    } finally {
      for (const key of pressed.reverse()) await page.keyboard.up(key).catch((error: unknown) => {
        if (!page.isClosed()) throw error;
      });
    }
  }

  click(x: number, y: number, button: MouseButton, keys: string[]): Promise<void> {
    return this.act(async (page) => {
      if (button === 'back') {
        await page.goBack({ waitUntil: 'commit' });
        return;
      }
      if (button === 'forward') {
        await page.goForward({ waitUntil: 'commit' });
        return;
      }
      const bar = this.session.addressBar;
      if (bar.focused) {
        // Drawn over the top of the page: a click there lands on the bar; anywhere else gives the page the focus back.
        if (this.css(y) < ADDRESS_BAR_HEIGHT) return;
        bar.blur();
      }
      const playwrightButton = button === 'wheel' ? 'middle' : button;
      await this.holding(page, keys, () => page.mouse.click(this.css(x), this.css(y), { button: playwrightButton }));
    });
  }

  doubleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act((page) => this.holding(page, keys, () => page.mouse.dblclick(this.css(x), this.css(y))));
  }

  drag(path: Point[], keys: string[]): Promise<void> {
    return this.act((page) =>
      this.holding(page, keys, async () => {
        const [start, ...rest] = path;
        if (!start) return;
        await page.mouse.move(this.css(start.x), this.css(start.y));
        await page.mouse.down();
        let from = start;
        for (const to of rest) {
          await page.mouse.move(this.css(to.x), this.css(to.y), { steps: dragSteps(from, to) });
          from = to;
        }
        await page.mouse.up();
      }),
    );
  }

  move(x: number, y: number, keys: string[]): Promise<void> {
    return this.act((page) => this.holding(page, keys, () => page.mouse.move(this.css(x), this.css(y))));
  }

  scroll(x: number, y: number, scrollX: number, scrollY: number, keys: string[]): Promise<void> {
    return this.act((page) =>
      this.holding(page, keys, async () => {
        await page.mouse.move(this.css(x), this.css(y));
        await page.mouse.wheel(this.css(scrollX), this.css(scrollY));
      }),
    );
  }

  keypress(keys: string[]): Promise<void> {
    return this.act(async (page) => {
      const stroke = toKeyStroke(keys);
      const press = async () => {
        // A character with no key on the layout (é, 中, 😀) is entered as text, as an input method would.
        if ('text' in stroke) return page.keyboard.type(stroke.text);
        const { chord } = stroke;
        if (chord.length === 1) return page.keyboard.press(chord[0]!);
        for (const key of chord) await page.keyboard.down(key);
        for (const key of [...chord].reverse()) await page.keyboard.up(key);
      };
      if (!(await browserKeypress(this.session, page, stroke, press))) await press();
    });
  }

  type(text: string): Promise<void> {
    return this.act((page) => (this.session.addressBar.focused ? typeIntoAddressBar(this.session, page, text) : page.keyboard.type(text)));
  }

  wait(ms: number): Promise<void> {
    return this.act(() => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  screenshot(): Promise<Screenshot> {
    return this.session.screenshot();
  }
}
