import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionPoints, computerActionSchema, describeAction, scaleAction, type ComputerAction } from '../../src/computer/actions.js';
import { InvalidActionError, validateActions } from '../../src/computer/validate.js';

const DISPLAY = { width: 800, height: 600 };
const action = (value: unknown) => computerActionSchema.parse(value);

describe('computer actions', () => {
  it('the schema fills the documented defaults and refuses what is not an action', () => {
    const click = action({ type: 'click', x: 10, y: 20 });
    assert.equal(click.type === 'click' && click.button, 'left');
    assert.ok(!computerActionSchema.safeParse({ type: 'click', x: 10 }).success, 'a click needs y');
    assert.ok(!computerActionSchema.safeParse({ type: 'teleport' }).success);
  });

  it('describes each action as the results and the recordings show it', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'click', x: 1, y: 2 }, 'click 1,2'],
      [{ type: 'click', x: 1, y: 2, button: 'right', keys: ['shift'] }, 'click right 1,2 +shift'],
      [{ type: 'double_click', x: 3, y: 4 }, 'double_click 3,4'],
      [
        {
          type: 'drag',
          path: [
            { x: 1, y: 1 },
            { x: 5, y: 5 },
          ],
        },
        'drag 1,1 → 5,5',
      ],
      [{ type: 'scroll', x: 5, y: 6, scroll_x: 0, scroll_y: 300 }, 'scroll 0,300 at 5,6'],
      [{ type: 'keypress', keys: ['ctrl', 'a'] }, 'keypress ctrl+a'],
      [{ type: 'type', text: 'hi' }, 'type "hi"'],
      [{ type: 'wait' }, 'wait 1000ms'],
      [{ type: 'screenshot' }, 'screenshot'],
    ];
    for (const [given, text] of cases) assert.equal(describeAction(action(given)), text);
  });

  it('scales the points of pointer actions only', () => {
    const drag = action({
      type: 'drag',
      path: [
        { x: 10, y: 10 },
        { x: 20, y: 30 },
      ],
    });
    assert.deepEqual(actionPoints(scaleAction(drag, { x: 2, y: 0.5 })), [
      { x: 20, y: 5 },
      { x: 40, y: 15 },
    ]);
    const typing = action({ type: 'type', text: 'x' });
    assert.equal(scaleAction(typing, { x: 2, y: 2 }), typing);
    assert.deepEqual(actionPoints(typing), []);
  });
});

describe('a batch is checked before any of it runs', () => {
  const batch = (...actions: unknown[]) => actions.map(action) as ComputerAction[];

  it('accepts points inside the display and known keys', () => {
    validateActions(
      batch(
        { type: 'click', x: 0, y: 0 },
        { type: 'move', x: 799, y: 599, keys: ['shift'] },
        { type: 'keypress', keys: ['é'] },
        { type: 'keypress', keys: ['ctrl', 'a'] },
      ),
      DISPLAY,
    );
  });

  it('refuses the whole batch for one bad action, naming it, its index and what is valid', () => {
    assert.throws(
      () => validateActions(batch({ type: 'click', x: 1, y: 1 }, { type: 'click', x: 800, y: 10 }), DISPLAY),
      (e: Error) =>
        e instanceof InvalidActionError &&
        e.message ===
          'actions[1] (click): point 800,10 is outside the 800x600 display; coordinates are screenshot pixels from 0,0 to 799,599',
    );
    assert.throws(
      () =>
        validateActions(
          batch({
            type: 'drag',
            path: [
              { x: 1, y: 1 },
              { x: 1, y: 600 },
            ],
          }),
          DISPLAY,
        ),
      /actions\[0\] \(drag\): point 1,600 is outside/,
    );
    assert.throws(
      () => validateActions(batch({ type: 'type', text: 'a' }, { type: 'keypress', keys: ['ctrl+c'] }), DISPLAY),
      /actions\[1\] \(keypress\): unknown key "ctrl\+c": each key of a chord/,
    );
    assert.throws(
      () => validateActions(batch({ type: 'click', x: 1, y: 1, keys: ['hyper'] }), DISPLAY),
      /actions\[0\] \(click\): unknown key "hyper"/,
    );
    assert.throws(
      () => validateActions(batch({ type: 'scroll', x: 1, y: 1, scroll_x: 0, scroll_y: 10, keys: ['é'] }), DISPLAY),
      /not held with other keys/,
    );
  });
});
