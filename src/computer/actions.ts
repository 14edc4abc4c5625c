import { z } from 'zod';
import { visibleText } from './visible-text.js';
import { closed, optional, withDefault } from '../strict-schema.js';

/**
 * The computer-use action set of the Responses API computer tool
 * (openai-node `ComputerAction`), as zod schemas. These are the single
 * source of truth: the MCP `computer` tool validates with them, and the
 * agent loop parses model output with them. Each action is a closed object
 * and every optional field takes `null` for "not given", so the union is
 * valid in OpenAI strict mode (an `anyOf`; strict mode refuses `oneOf`).
 */

/**
 * Work one action may ask for. Each unit is a browser round trip: without
 * a bound, a 20,000-point drag or a 1e39-pixel scroll ties the session up
 * (and every call queued behind it) for as long as the browser takes.
 */
export const ACTION_LIMITS = {
  /** Points of a drag path. */
  dragPoints: 500,
  /** Characters of one `type` action (cancellable between keystrokes). */
  typeLength: 10_000,
  /** Pixels one scroll may move, either way, per axis. */
  scrollDelta: 100_000,
  /** Keys of one chord or held during a pointer action. */
  keys: 16,
} as const;

const coordinate = (axis: 'x' | 'y') => z.number({ error: `${axis} must be a number (screenshot pixels)` }).finite();

/** Modifier keys held down while a pointer action runs. */
const heldKeys = optional(
  z
    .array(z.string().min(1), { error: 'keys must be an array of key names, e.g. ["shift"]' })
    .max(ACTION_LIMITS.keys, { error: `keys holds at most ${ACTION_LIMITS.keys} keys` }),
).describe('Modifier keys held during the action, e.g. ["shift"] or ["ctrl"]');

export const clickAction = closed({
  type: z.literal('click'),
  x: coordinate('x'),
  y: coordinate('y'),
  button: withDefault(
    z.enum(['left', 'right', 'wheel', 'back', 'forward'], {
      error: 'button must be one of left, right, wheel (middle), back, forward',
    }),
    'left',
  ).describe('Default left; wheel = middle button; back/forward = browser history'),
  keys: heldKeys,
});

export const doubleClickAction = closed({
  type: z.literal('double_click'),
  x: coordinate('x'),
  y: coordinate('y'),
  keys: heldKeys,
});

export const point = closed({ x: coordinate('x'), y: coordinate('y') });

export const dragAction = closed({
  type: z.literal('drag'),
  path: z
    .array(point, { error: 'path must be an array of {x, y} points' })
    .min(2, { error: 'path needs at least two points (start and end)' })
    .max(ACTION_LIMITS.dragPoints, {
      error: `path has at most ${ACTION_LIMITS.dragPoints} points; split a longer drag or drop in-between points`,
    })
    .describe('Every point is followed in order, not only the ends'),
  keys: heldKeys,
});

export const moveAction = closed({
  type: z.literal('move'),
  x: coordinate('x'),
  y: coordinate('y'),
  keys: heldKeys,
});

const scrollDelta = (name: string, direction: string) =>
  withDefault(
    z
      .number({ error: `${name} must be a number of pixels` })
      .finite()
      .min(-ACTION_LIMITS.scrollDelta, { error: `${name} must be at least -${ACTION_LIMITS.scrollDelta} pixels; scroll again for more` })
      .max(ACTION_LIMITS.scrollDelta, { error: `${name} must be at most ${ACTION_LIMITS.scrollDelta} pixels; scroll again for more` }),
    0,
  ).describe(`${direction}; default 0`);

export const scrollAction = closed({
  type: z.literal('scroll'),
  x: coordinate('x'),
  y: coordinate('y'),
  scroll_x: scrollDelta('scroll_x', 'Pixels to the right (negative: left)'),
  scroll_y: scrollDelta('scroll_y', 'Pixels down (negative: up)'),
  keys: heldKeys,
});

export const keypressAction = closed({
  type: z.literal('keypress'),
  keys: z
    .array(z.string().min(1), { error: 'keys must be an array of key names, e.g. ["ctrl", "a"]' })
    .min(1, { error: 'keys needs at least one key' })
    .max(ACTION_LIMITS.keys, { error: `keys holds at most ${ACTION_LIMITS.keys} keys` })
    .describe('Pressed together as a chord: held in order, released in reverse'),
});

export const typeAction = closed({
  type: z.literal('type'),
  text: z.string({ error: 'text must be a string' }).max(ACTION_LIMITS.typeLength, {
    error: `text has at most ${ACTION_LIMITS.typeLength} characters per type action; send the rest in another`,
  }),
});

export const waitAction = closed({
  type: z.literal('wait'),
  ms: optional(z.number().int().min(0).max(30_000)).describe('Milliseconds to wait (default about 1000)'),
});

export const screenshotAction = closed({ type: z.literal('screenshot') });

export const ACTION_TYPES = ['click', 'double_click', 'drag', 'move', 'scroll', 'keypress', 'type', 'wait', 'screenshot'] as const;

const actionSchemas = [
  clickAction,
  doubleClickAction,
  dragAction,
  moveAction,
  scrollAction,
  keypressAction,
  typeAction,
  waitAction,
  screenshotAction,
] as const;

/**
 * A union tries every action schema, so a bad action fails all of them; the
 * error reports only the failures of the schema its `type` names, each with
 * the path of the field at fault, as a discriminated union would.
 */
function actionError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'an action must be an object with a type, e.g. {"type":"click","x":100,"y":200}';
  }
  const type = (input as { type?: unknown }).type;
  const index = actionSchemas.findIndex((schema) => schema.shape.type.value === type);
  const failures = index >= 0 ? (issue.errors as z.core.$ZodIssue[][] | undefined)?.[index] : undefined;
  if (!failures?.length) return `unknown action type ${JSON.stringify(type)}; expected one of ${ACTION_TYPES.join(', ')}`;
  return failures
    .map((failure) => {
      const field = fieldPath([...(issue.path ?? []), ...failure.path]);
      return field ? `${field}: ${failure.message}` : failure.message;
    })
    .join('; ');
}

/** ['actions', 0, 'x'] → `actions[0].x`. */
function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

export const computerActionSchema = z.union(actionSchemas, { error: actionError });

export type ComputerAction = z.infer<typeof computerActionSchema>;
export type ActionType = ComputerAction['type'];
export type Point = z.infer<typeof point>;

// ACTION_TYPES must list exactly the schema's action types.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _actionTypesMatch: Exactly<(typeof ACTION_TYPES)[number], ActionType> = true;
void _actionTypesMatch;

/** Short human-readable form of an action, e.g. `click 135,193`. */
export function describeAction(action: ComputerAction): string {
  const held = 'keys' in action && action.keys?.length && action.type !== 'keypress' ? ` +${action.keys.join('+')}` : '';
  switch (action.type) {
    case 'click':
      return `click ${action.button === 'left' ? '' : action.button + ' '}${action.x},${action.y}${held}`;
    case 'double_click':
      return `double_click ${action.x},${action.y}${held}`;
    case 'drag':
      return `drag ${action.path.map((p) => `${p.x},${p.y}`).join(' → ')}${held}`;
    case 'move':
      return `move ${action.x},${action.y}${held}`;
    case 'scroll':
      return `scroll ${action.scroll_x},${action.scroll_y} at ${action.x},${action.y}${held}`;
    case 'keypress':
      return `keypress ${action.keys.join('+')}`;
    case 'type':
      return `type ${visibleText(action.text)}`;
    case 'wait':
      return `wait ${action.ms ?? 1000}ms`;
    case 'screenshot':
      return 'screenshot';
  }
}

/** The points an action touches, for bounds checks. */
export function actionPoints(action: ComputerAction): Point[] {
  switch (action.type) {
    case 'click':
    case 'double_click':
    case 'move':
    case 'scroll':
      return [{ x: action.x, y: action.y }];
    case 'drag':
      return action.path;
    default:
      return [];
  }
}

/** The action with its coordinates multiplied by `factor` on each axis (from one screen size to another); `at` may round them too. */
export function scaleAction(
  action: ComputerAction,
  factor: { x: number; y: number },
  at = (p: Point): Point => ({ x: p.x * factor.x, y: p.y * factor.y }),
): ComputerAction {
  switch (action.type) {
    case 'click':
    case 'double_click':
    case 'move':
    case 'scroll':
      return { ...action, ...at(action) };
    case 'drag':
      return { ...action, path: action.path.map(at) };
    default:
      return action;
  }
}
