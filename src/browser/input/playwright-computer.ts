import type { Page } from 'playwright';
import type { Point } from '../../computer/actions.js';
import type { Computer, MouseButton, PressableButton } from '../../computer/computer.js';
import { toChord, toKeyStroke } from '../../computer/keys.js';
import type { ActivityMonitor } from '../settle/activity.js';
import { ADDRESS_BAR_HEIGHT } from './address-bar.js';
import { DeadlineError, withDeadline } from '../deadline.js';
import type { ActivityMark } from '../settle/settle.js';
import { browserKeypress, typeIntoAddressBar, type BrowserWindow } from './shortcuts.js';

/** What the computer needs of a browser session: its current page and the means to wait for an action's effects. */
export interface PageHost extends BrowserWindow {
  /** Screenshot pixels per CSS pixel. */
  readonly scale: number;
  readonly activity: ActivityMonitor;
  /** Waits for what the action started; its last check may be left for the page's next use (see BrowserSession.settleAction). */
  settleAction(mark: ActivityMark, actedOn: Page): Promise<void>;
  /** Runs work on the page; a missed deadline revives the page before the error (see BrowserSession.answering). */
  answering<T>(page: Page, work: () => Promise<T>): Promise<T>;
}

/**
 * Mouse moves for one drag segment: the end point plus in-between moves, so
 * drag handlers that sample movement see a continuous motion. One per 40 px,
 * at most 4 per segment: each move is a browser round trip.
 */
export function dragSteps(from: Point, to: Point): number {
  return Math.min(4, Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / 40)));
}

/** Keystrokes typed per browser call: few enough that a cancel or a stuck page stops typing soon. */
const KEYSTROKES_PER_CALL = 16;

function playwrightButton(button: PressableButton): 'left' | 'right' | 'middle' {
  return button === 'wheel' ? 'middle' : button;
}

/**
 * The computer-use protocol on a Playwright browser session. Every action
 * waits for what it caused (see settle.ts) before it returns.
 */
export class PlaywrightComputer implements Computer {
  constructor(private readonly session: PageHost) {}

  /** One input round trip (a mouse or key event), with the page's deadline: a page whose handler spins never acknowledges it. */
  private input<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.session.pageAnswerMs, what);
  }

  /** Screenshot pixels (what the caller sees and points at) to CSS pixels (what the page and the mouse use). */
  private css(screenshotPixels: number): number {
    return screenshotPixels / this.session.scale;
  }

  private async act(fn: (page: Page) => Promise<void>): Promise<void> {
    const page = await this.session.page();
    const mark = this.session.activity.mark();
    await this.session.answering(page, async () => {
      try {
        await fn(page);
      } catch (error) {
        // A click on "close" (window.close()) takes its own tab away mid-action: that is its effect, not a failure.
        if (error instanceof DeadlineError || !page.isClosed()) throw error;
      }
      await this.session.settleAction(mark, page);
    });
  }

  /** Keeps modifier keys down for the duration of a pointer action, releasing them in reverse. */
  private async withKeysDown(page: Page, keys: string[], fn: () => Promise<void>): Promise<void> {
    const chord = toChord(keys);
    const pressed: string[] = [];
    try {
      for (const key of chord) {
        await this.input(page.keyboard.down(key), `holding ${key}`);
        pressed.push(key);
      }
      await fn();
    } finally {
      for (const key of pressed.reverse())
        await this.input(page.keyboard.up(key), `releasing ${key}`).catch((error: unknown) => {
          if (!page.isClosed() && !(error instanceof DeadlineError)) throw error;
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
      await this.withKeysDown(page, keys, () =>
        this.input(page.mouse.click(this.css(x), this.css(y), { button: playwrightButton(button) }), 'the click'),
      );
    });
  }

  doubleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act((page) =>
      this.withKeysDown(page, keys, () => this.input(page.mouse.dblclick(this.css(x), this.css(y)), 'the double click')),
    );
  }

  tripleClick(x: number, y: number, keys: string[]): Promise<void> {
    return this.act((page) =>
      this.withKeysDown(page, keys, () => this.input(page.mouse.click(this.css(x), this.css(y), { clickCount: 3 }), 'the triple click')),
    );
  }

  mouseDown(button: PressableButton): Promise<void> {
    return this.act((page) => this.input(page.mouse.down({ button: playwrightButton(button) }), 'the mouse button press'));
  }

  mouseUp(button: PressableButton): Promise<void> {
    return this.act((page) => this.input(page.mouse.up({ button: playwrightButton(button) }), 'the mouse button release'));
  }

  drag(path: Point[], keys: string[]): Promise<void> {
    return this.act((page) =>
      this.withKeysDown(page, keys, async () => {
        const [start, ...rest] = path;
        if (!start) return;
        await this.input(page.mouse.move(this.css(start.x), this.css(start.y)), 'a mouse move');
        await this.input(page.mouse.down(), 'the mouse button press');
        let from = start;
        for (const to of rest) {
          await this.input(page.mouse.move(this.css(to.x), this.css(to.y), { steps: dragSteps(from, to) }), 'a mouse move');
          from = to;
        }
        await this.input(page.mouse.up(), 'the mouse button release');
      }),
    );
  }

  move(x: number, y: number, keys: string[]): Promise<void> {
    return this.act((page) => this.withKeysDown(page, keys, () => this.input(page.mouse.move(this.css(x), this.css(y)), 'the mouse move')));
  }

  scroll(x: number, y: number, scrollX: number, scrollY: number, keys: string[]): Promise<void> {
    return this.act((page) =>
      this.withKeysDown(page, keys, async () => {
        await this.input(page.mouse.move(this.css(x), this.css(y)), 'the mouse move');
        await this.input(page.mouse.wheel(this.css(scrollX), this.css(scrollY)), 'the wheel turn');
      }),
    );
  }

  keypress(keys: string[]): Promise<void> {
    return this.act(async (page) => {
      const stroke = toKeyStroke(keys);
      const press = async () => {
        // A character with no key on the layout (é, 中, 😀) is entered as text, as an input method would.
        if ('text' in stroke) return this.input(page.keyboard.type(stroke.text), 'typing');
        const { chord } = stroke;
        if (chord.length === 1) return this.input(page.keyboard.press(chord[0]!), 'the key press');
        for (const key of chord) await this.input(page.keyboard.down(key), 'a key press');
        for (const key of [...chord].reverse()) await this.input(page.keyboard.up(key), 'a key release');
      };
      if (!(await browserKeypress(this.session, page, stroke, press))) await press();
    });
  }

  pressKeysFor(keys: string[], ms: number): Promise<void> {
    return this.act((page) => this.withKeysDown(page, keys, () => new Promise((resolve) => setTimeout(resolve, ms))));
  }

  /**
   * A few keystrokes per round trip, each round trip with a deadline; a
   * cancelled call stops between them. One call per keystroke would cost
   * ~0.5 ms each on top of the keystrokes themselves.
   */
  type(text: string, signal?: AbortSignal): Promise<void> {
    return this.act(async (page) => {
      if (this.session.addressBar.focused) return typeIntoAddressBar(this.session, page, text);
      const characters = [...text];
      for (let i = 0; i < characters.length; i += KEYSTROKES_PER_CALL) {
        signal?.throwIfAborted();
        await this.input(page.keyboard.type(characters.slice(i, i + KEYSTROKES_PER_CALL).join('')), 'typing');
      }
    });
  }

  wait(ms: number): Promise<void> {
    return this.act(() => new Promise((resolve) => setTimeout(resolve, ms)));
  }
}
