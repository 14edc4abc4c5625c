import { createClient, type XClient } from 'x11';

/** A whole-screen frame as the X server holds it: 4 bytes a pixel, B G R and one unused byte, rows top to bottom. */
export interface Frame {
  width: number;
  height: number;
  /** BGRX pixels, width * height * 4 bytes. */
  data: Buffer;
}

const Z_PIXMAP = 2;
const LSB_FIRST = 0;
/** Longest a GetImage may take before the capture fails (a wedged X server must not hang a call). */
const CAPTURE_TIMEOUT_MS = 10_000;

/**
 * One connection to an X display, in-process (npm `x11`, no process per
 * frame), used to read the screen: GetImage of the root window.
 */
export class XScreen {
  private closed = false;

  private constructor(
    private readonly client: XClient,
    private readonly root: number,
    readonly width: number,
    readonly height: number,
    readonly displayName: string,
    private readonly keycodes: { min: number; max: number },
  ) {
    client.on('error', () => {}); // failures surface as the next capture's error
  }

  static connect(displayName: string): Promise<XScreen> {
    return new Promise((resolve, reject) => {
      const client = createClient({ display: displayName, shm: false }, (error, display) => {
        if (error) return reject(new Error(`Cannot connect to X display ${displayName}: ${error.message}`));
        const screen = display.screen[0]!;
        const bpp = display.format[screen.root_depth]?.bits_per_pixel;
        if (screen.root_depth !== 24 || bpp !== 32 || display.image_byte_order !== LSB_FIRST) {
          client.terminate();
          return reject(new Error(`X display ${displayName} has depth ${screen.root_depth} at ${bpp} bits a pixel; desktop sessions need 24-bit colour (32 bits a pixel, LSB first).`));
        }
        resolve(new XScreen(client, screen.root, screen.pixel_width, screen.pixel_height, displayName, { min: display.min_keycode, max: display.max_keycode }));
      });
      client.on('error', (error: Error) => reject(new Error(`Cannot connect to X display ${displayName}: ${error.message}`)));
    });
  }

  /** The whole screen now. */
  capture(): Promise<Frame> {
    if (this.closed) return Promise.reject(new Error(`The connection to X display ${this.displayName} is closed`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`X display ${this.displayName} did not answer a screen capture within ${CAPTURE_TIMEOUT_MS} ms`)), CAPTURE_TIMEOUT_MS);
      this.client.GetImage(Z_PIXMAP, this.root, 0, 0, this.width, this.height, 0xffffffff, (error, image) => {
        clearTimeout(timer);
        if (error) return reject(new Error(`Screen capture on X display ${this.displayName} failed: ${error.message}`));
        resolve({ width: this.width, height: this.height, data: image.data });
      });
    });
  }

  /** The keyboard mapping: the keysyms of each keycode from `firstKeycode` on. */
  private keyboardMapping(): Promise<{ firstKeycode: number; rows: number[][] }> {
    const { min, max } = this.keycodes;
    return new Promise((resolve, reject) => {
      this.client.GetKeyboardMapping(min, max - min + 1, (error, rows) => (error ? reject(error) : resolve({ firstKeycode: min, rows })));
    });
  }

  /** Every keysym the keyboard can produce now, and the keycodes that produce nothing (free to map). */
  async keyboard(): Promise<{ keysyms: Set<number>; free: number[] }> {
    const { firstKeycode, rows } = await this.keyboardMapping();
    const keysyms = new Set(rows.flat().filter((k) => k !== 0));
    const free = rows.flatMap((row, i) => (row.every((k) => k === 0) ? [firstKeycode + i] : []));
    return { keysyms, free };
  }

  /** Maps each keycode to one keysym (0 = none, to give it back), and waits until the server has done it. */
  async mapKeycodes(mapping: Map<number, number>): Promise<void> {
    for (const [keycode, keysym] of mapping) this.client.ChangeKeyboardMapping(keycode, 2, [keysym, keysym]);
    await this.client.sync();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.terminate();
        resolve();
      }, 1000);
      this.client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
