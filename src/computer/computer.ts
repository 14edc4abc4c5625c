import type { ComputerAction, Point } from './actions.js';

export type MouseButton = 'left' | 'right' | 'wheel' | 'back' | 'forward';
/** The buttons that can be held down (back/forward are history, not buttons to hold). */
export type PressableButton = 'left' | 'right' | 'wheel';

/** A screenshot as it is sent to clients and to the model. */
export interface Screenshot {
  data: Buffer;
  mimeType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  /** Set when the image is not what was configured (e.g. a JPEG because the PNG was too large to send). */
  note?: string;
}

/**
 * What a computer backend must do: one method per protocol action.
 * `runAction` below maps every action type onto exactly one method, so the
 * type checker proves a backend implements the whole protocol. A few
 * methods serve the actions other models' tools have beyond the protocol
 * (src/agent/actions.ts): triple click, button down/up, keys kept down.
 */
export interface Computer {
  click(x: number, y: number, button: MouseButton, keys: string[]): Promise<void>;
  doubleClick(x: number, y: number, keys: string[]): Promise<void>;
  /** Three clicks in a row (selects a line or paragraph); for models whose action set has it. */
  tripleClick(x: number, y: number, keys: string[]): Promise<void>;
  drag(path: Point[], keys: string[]): Promise<void>;
  move(x: number, y: number, keys: string[]): Promise<void>;
  scroll(x: number, y: number, scrollX: number, scrollY: number, keys: string[]): Promise<void>;
  /** A button pressed, or released, where the pointer is now (a drag the model does step by step). */
  mouseDown(button: PressableButton): Promise<void>;
  mouseUp(button: PressableButton): Promise<void>;
  keypress(keys: string[]): Promise<void>;
  /** Keys pressed together and kept down for `ms`, then released in reverse (Claude's hold_key). */
  pressKeysFor(keys: string[], ms: number): Promise<void>;
  /** `signal`: the call was cancelled; stop between keystrokes. */
  type(text: string, signal?: AbortSignal): Promise<void>;
  wait(ms: number): Promise<void>;
}

type ActionRunners = {
  [T in ComputerAction['type']]: (computer: Computer, action: Extract<ComputerAction, { type: T }>, signal?: AbortSignal) => Promise<void>;
};

/** About one second, as every computer-use harness uses for `wait`. */
export const DEFAULT_WAIT_MS = 1000;

const runners: ActionRunners = {
  click: (c, a) => c.click(a.x, a.y, a.button, a.keys ?? []),
  double_click: (c, a) => c.doubleClick(a.x, a.y, a.keys ?? []),
  drag: (c, a) => c.drag(a.path, a.keys ?? []),
  move: (c, a) => c.move(a.x, a.y, a.keys ?? []),
  scroll: (c, a) => c.scroll(a.x, a.y, a.scroll_x, a.scroll_y, a.keys ?? []),
  keypress: (c, a) => c.keypress(a.keys),
  type: (c, a, signal) => c.type(a.text, signal),
  wait: (c, a) => c.wait(a.ms ?? DEFAULT_WAIT_MS),
  // The screenshot is taken once after the batch settles; nothing to do here.
  screenshot: async () => {},
};

/** `signal`: aborted when the call is cancelled; long actions stop early. */
export function runAction(computer: Computer, action: ComputerAction, signal?: AbortSignal): Promise<void> {
  const run = runners[action.type] as (c: Computer, a: ComputerAction, s?: AbortSignal) => Promise<void>;
  return run(computer, action, signal);
}
