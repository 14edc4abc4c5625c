/** The small part of npm `x11` (node-x11) this server uses: connecting, reading the root window's pixels, XTEST input, DAMAGE reports, the keyboard mapping, window properties, the pointer's buttons. */
declare module 'x11' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export interface XScreenInfo {
    root: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
  }
  export interface XDisplayInfo {
    client: XClient;
    screen: XScreenInfo[];
    image_byte_order: number;
    min_keycode: number;
    max_keycode: number;
    format: Record<number, { bits_per_pixel: number } | undefined>;
  }
  export interface XClient extends EventEmitter {
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      callback: (error: Error | null, image: { depth: number; data: Buffer }) => void,
    ): void;
    GetKeyboardMapping(firstKeycode: number, count: number, callback: (error: Error | null, rows: number[][]) => void): void;
    ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): void;
    sync(): Promise<void>;
    require(extension: 'xtest', callback: (error: Error | null, xtest: XTest) => void): void;
    require(extension: 'damage', callback: (error: Error | null, damage: XDamage) => void): void;
    AllocID(): number;
    ChangeWindowAttributes(window: number, values: { backgroundPixel?: number }): void;
    ClearArea(window: number, x: number, y: number, width: number, height: number, exposures: boolean): void;
    InternAtom(onlyIfExists: boolean, name: string, callback: (error: Error | null, atom: number) => void): void;
    GetProperty(
      del: number,
      window: number,
      property: number,
      type: number,
      longOffset: number,
      longLength: number,
      callback: (error: Error | null, prop: { type: number; format: number; data: Buffer }) => void,
    ): void;
    QueryPointer(window: number, callback: (error: Error | null, pointer: { keyMask: number }) => void): void;
    close(callback?: (error?: Error) => void): void;
    /** The connection's socket. */
    readonly stream: Socket;
    terminate(): void;
  }
  export interface XTest {
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
  }
  export interface XDamage {
    ReportLevel: { RawRectangles: number };
    /** DamageNotify events arrive as the client's 'event' with name 'DamageNotify'. */
    Create(damage: number, drawable: number, level: number): void;
  }
  export interface XDamageNotify {
    name: 'DamageNotify';
    area: { x: number; y: number; w: number; h: number };
  }
  /** `auth` is the cookie to present; without it, the one the Xauthority file (XAUTHORITY, else ~/.Xauthority) holds for the display. */
  export function createClient(
    options: { display: string; shm?: boolean; auth?: { name: string; data: string } },
    callback: (error: Error | null, display: XDisplayInfo) => void,
  ): XClient;
  export const eventMask: Record<string, number>;
}
