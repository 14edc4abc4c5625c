import type { XClient, XDamageNotify, XTest } from 'x11';
import { KeyboardMap } from './keyboard.js';
import type { DamageRect } from './screen-activity.js';
import { COOKIE_PROTOCOL } from './x-auth.js';

/** A whole-screen frame as the X server holds it: 4 bytes a pixel, B G R and one unused byte, rows top to bottom. */
export interface Frame {
  width: number;
  height: number;
  /** BGRX pixels, width * height * 4 bytes. */
  data: Buffer;
}

const Z_PIXMAP = 2;
const LSB_FIRST = 0;
/** Longest any X request may take before the call fails: a wedged or vanished X server must not hang a call. */
const X_TIMEOUT_MS = 10_000;
/** Longest wait for the last round trip of a closing connection. */
const CLOSE_MS = 1000;
/** The state bits of the buttons the core protocol reports (Button1Mask…Button5Mask). */
const BUTTON_MASKS: Record<number, number> = { 1: 1 << 8, 2: 1 << 9, 3: 1 << 10, 4: 1 << 11, 5: 1 << 12 };
/** How often buttonReleased asks for the pointer's state. */
const BUTTON_POLL_MS = 2;

/** XTEST event types. */
const KEY_PRESS = 2;
const KEY_RELEASE = 3;
const BUTTON_PRESS = 4;
const BUTTON_RELEASE = 5;
const MOTION = 6;

/**
 * One connection to an X display, in-process (npm `x11`: no process per
 * frame or per action): reads the screen (GetImage of the root window),
 * reports every repaint on it (DAMAGE), sends input through XTEST as a
 * real keyboard and mouse would, reads and changes the keyboard mapping,
 * and names the active window.
 */
export class XConnection {
  private closed = false;
  private readonly atoms = new Map<string, number>();
  /** Called with each repainted rectangle of the screen. */
  onDamage: (rect: DamageRect) => void = () => {};

  private constructor(
    private readonly client: XClient,
    private readonly xtest: XTest,
    private readonly root: number,
    readonly width: number,
    readonly height: number,
    readonly displayName: string,
    private readonly keycodes: { min: number; max: number },
  ) {
    client.on('error', () => {}); // failures surface as the next capture's error
    client.on('event', (event: XDamageNotify) => {
      if (event.name === 'DamageNotify') this.onDamage({ x: event.area.x, y: event.area.y, width: event.area.w, height: event.area.h });
    });
  }

  /** Connects presenting `cookie`, or without one the cookie the Xauthority file (XAUTHORITY, else ~/.Xauthority) holds. */
  static async connect(displayName: string, cookie?: Buffer): Promise<XConnection> {
    // x11 loads with the first desktop session, not with every server start.
    const { createClient } = await import('x11');
    return new Promise((resolve, reject) => {
      const auth = cookie && { name: COOKIE_PROTOCOL, data: cookie.toString('latin1') };
      const client = createClient({ display: displayName, shm: false, ...(auth && { auth }) }, (error, display) => {
        if (error) return reject(new Error(`Cannot connect to X display ${displayName}: ${error.message}`));
        const screen = display.screen[0]!;
        const bpp = display.format[screen.root_depth]?.bits_per_pixel;
        if (screen.root_depth !== 24 || bpp !== 32 || display.image_byte_order !== LSB_FIRST) {
          client.terminate();
          return reject(
            new Error(
              `X display ${displayName} has depth ${screen.root_depth} at ${bpp} bits a pixel; desktop sessions need 24-bit colour (32 bits a pixel, LSB first).`,
            ),
          );
        }
        client.require('xtest', (xtestError, xtest) => {
          if (xtestError) {
            client.terminate();
            return reject(
              new Error(`X display ${displayName} has no XTEST extension, which desktop sessions need for input: ${xtestError.message}`),
            );
          }
          client.require('damage', (damageError, damage) => {
            if (damageError) {
              client.terminate();
              return reject(
                new Error(
                  `X display ${displayName} has no DAMAGE extension, which desktop sessions need to see when the screen has caught up: ${damageError.message}`,
                ),
              );
            }
            // On the root window, every repaint on the screen: without a compositor, windows draw straight into the screen.
            damage.Create(client.AllocID(), screen.root, damage.ReportLevel.RawRectangles);
            resolve(
              new XConnection(client, xtest, screen.root, screen.pixel_width, screen.pixel_height, displayName, {
                min: display.min_keycode,
                max: display.max_keycode,
              }),
            );
          });
        });
      });
      client.on('error', (error: Error) => reject(new Error(`Cannot connect to X display ${displayName}: ${error.message}`)));
    });
  }

  /** A request's answer, or an error once the connection is closed or X_TIMEOUT_MS pass. */
  private request<T>(what: string, send: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`The connection to X display ${this.displayName} is closed`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`X display ${this.displayName} did not answer (${what}) within ${X_TIMEOUT_MS} ms`)),
        X_TIMEOUT_MS,
      );
      send(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          reject(new Error(`${what} on X display ${this.displayName} failed: ${error.message}`));
        },
      );
    });
  }

  /** The whole screen now. */
  capture(): Promise<Frame> {
    return this.request('screen capture', (resolve, reject) =>
      this.client.GetImage(Z_PIXMAP, this.root, 0, 0, this.width, this.height, 0xffffffff, (error, image) =>
        error ? reject(error) : resolve({ width: this.width, height: this.height, data: image.data }),
      ),
    );
  }

  /** The keyboard mapping: the keysyms of each keycode from `firstKeycode` on. */
  private keyboardMapping(): Promise<{ firstKeycode: number; rows: number[][] }> {
    const { min, max } = this.keycodes;
    return this.request('keyboard mapping', (resolve, reject) =>
      this.client.GetKeyboardMapping(min, max - min + 1, (error, rows) => (error ? reject(error) : resolve({ firstKeycode: min, rows }))),
    );
  }

  /** The keyboard mapping now. */
  async keyboard(): Promise<KeyboardMap> {
    const { firstKeycode, rows } = await this.keyboardMapping();
    return KeyboardMap.fromRows(firstKeycode, rows);
  }

  /** Maps each keycode to one keysym (0 = none, to give it back), and waits until the server has done it. */
  async mapKeycodes(mapping: Map<number, number>): Promise<void> {
    for (const [keycode, keysym] of mapping) this.client.ChangeKeyboardMapping(keycode, 2, [keysym, keysym]);
    await this.sync();
  }

  /** Fills the empty screen (the root window) with one colour (0xRRGGBB) instead of black. */
  async paintBackground(rgb: number): Promise<void> {
    this.client.ChangeWindowAttributes(this.root, { backgroundPixel: rgb });
    this.client.ClearArea(this.root, 0, 0, 0, 0, false);
    await this.sync();
  }

  /** Moves the pointer to a screen pixel. */
  move(x: number, y: number): void {
    this.xtest.FakeInput(MOTION, 0, 0, this.root, x, y);
  }

  button(button: number, down: boolean): void {
    this.xtest.FakeInput(down ? BUTTON_PRESS : BUTTON_RELEASE, button, 0, 0, 0, 0);
  }

  key(keycode: number, down: boolean): void {
    this.xtest.FakeInput(down ? KEY_PRESS : KEY_RELEASE, keycode, 0, 0, 0, 0);
  }

  /**
   * Waits until the server has handled the release of `button` (1–5, the
   * buttons the core protocol reports), at most `ms`; says whether it did.
   * A window manager that focuses on click (openbox) takes each press on a
   * window through a synchronous grab: the pointer's events wait in the
   * server until it has handled the press and passed it on. Clicks sent
   * faster than that lost presses on a busy machine (a triple click seen
   * as one or two), and keys sent at once went to the window that had the
   * focus before. The button reads as down until its release is handled.
   */
  async buttonReleased(button: number, ms: number): Promise<boolean> {
    const mask = BUTTON_MASKS[button];
    if (!mask) return true;
    const deadline = Date.now() + ms;
    for (;;) {
      const buttons = await this.request<number>('pointer', (resolve, reject) =>
        this.client.QueryPointer(this.root, (error, pointer) => (error ? reject(error) : resolve(pointer.keyMask))),
      );
      if (!(buttons & mask)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, BUTTON_POLL_MS));
    }
  }

  /** Waits until the server has handled every request sent so far (the input included). */
  sync(): Promise<void> {
    return this.request('sync', (resolve, reject) => this.client.sync().then(resolve, reject));
  }

  private atom(name: string): Promise<number> {
    const known = this.atoms.get(name);
    if (known !== undefined) return Promise.resolve(known);
    return this.request(`atom ${name}`, (resolve, reject) =>
      this.client.InternAtom(false, name, (error, atom) => {
        if (error) return reject(error);
        this.atoms.set(name, atom);
        resolve(atom);
      }),
    );
  }

  private property(window: number, name: string): Promise<Buffer | undefined> {
    return this.atom(name).then((atom) =>
      this.request<Buffer | undefined>(`property ${name}`, (resolve) =>
        // AnyPropertyType (0), up to 4 KiB.
        this.client.GetProperty(0, window, atom, 0, 0, 1024, (error, prop) => resolve(error || prop.type === 0 ? undefined : prop.data)),
      ),
    );
  }

  /** The title of the window the window manager says is active (EWMH), '' when there is none. */
  async activeWindowTitle(): Promise<string> {
    const active = await this.property(this.root, '_NET_ACTIVE_WINDOW');
    const window = active && active.length >= 4 ? active.readUInt32LE(0) : 0;
    if (!window) return '';
    const title = (await this.property(window, '_NET_WM_NAME')) ?? (await this.property(window, 'WM_NAME'));
    return title ? title.toString('utf8') : '';
  }

  /**
   * Ends the connection after a last round trip (requests sent are
   * handled), or as soon as the socket is gone: a closing session stops its
   * Xvfb at the same time, and the round trip never comes back from an X
   * server that went away. At most CLOSE_MS for one that neither answers nor goes.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const socket = this.client.stream;
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        socket.removeListener('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.terminate();
        done();
      }, CLOSE_MS);
      socket.once('close', done);
      this.client.close(done);
    });
  }
}
