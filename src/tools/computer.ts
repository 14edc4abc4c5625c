import { z } from 'zod';
import { computerActionSchema, describeAction, scaleAction } from '../computer/actions.js';
import { runAction } from '../computer/computer.js';
import { validateActions } from '../computer/validate.js';
import { clientDisplay } from './client-image.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const computerTool = defineTool({
  name: 'computer',
  title: "Operate the session's screen",
  description:
    'Runs computer-use actions in order on a session (a browser, or a desktop) and returns the screenshot once the screen has settled. ' +
    'Coordinates are screenshot pixels. Actions (the Responses API computer tool set): ' +
    'click {x,y,button: left|right|wheel|back|forward, keys?}, double_click {x,y,keys?}, drag {path:[{x,y},...], keys?}, ' +
    'move {x,y,keys?}, scroll {x,y,scroll_x,scroll_y,keys?} (pixels, scrolls whatever is under the point), ' +
    'keypress {keys:["ctrl","a"]} (a chord), type {text}, wait {ms?}, screenshot {}. ' +
    '`keys` on pointer actions are modifiers held during the action. Without session_id the default session is used.',
  inputSchema: {
    session_id: optionalSessionId,
    actions: z
      .array(computerActionSchema)
      .min(1, { error: 'actions needs at least one action' })
      .max(200)
      .describe('Actions to run in order'),
  },
  outputSchema: {
    ...screenStateShape,
    actions: z.array(z.string()).describe('The actions that ran, in order'),
    not_run: z
      .array(z.string())
      .optional()
      .describe('Actions of the batch that did not run because the browser was reset: look at the new screenshot and send them again'),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  handler: async ({ session_id, actions }, { principal, runs, config, request }) => {
    const session = await principal.session(session_id);
    return session.exclusive(async () => {
      // Actions slipped between a run's steps would change the screen under its model, which would never know.
      const run = runs.current(session);
      if (run?.isActive) {
        throw new Error(
          `A run is driving session ${session.id} (task ${JSON.stringify(run.task.length > 80 ? `${run.task.slice(0, 80)}…` : run.task)}); computer actions are refused until it stops. ` +
            'Follow it with get_run, or stop it with cancel_run first.',
        );
      }
      // The client's coordinates are pixels of the images it gets, which --max-image-pixels may make smaller than the screenshot.
      const display = clientDisplay(session.display, config.clientImage);
      validateActions(actions, display);
      const toScreen = { x: session.display.width / display.width, y: session.display.height / display.height };
      const computer = session.computer;
      const done: string[] = [];
      const resets = session.resets;
      for (const [index, action] of actions.entries()) {
        // A cancelled call (notifications/cancelled) stops here, and between keystrokes of a type action.
        if (request.signal.aborted)
          throw new Error(`Cancelled by the client${done.length ? ` after ${done.length} action(s): ${done.join('; ')}` : ''}.`);
        if (await session.resetSince(resets)) {
          const after = done.length ? ` after ${done.length} action(s): ${done.join('; ')}` : '';
          const notRun = actions.slice(index).map(describeAction);
          return screenResult(
            session,
            config.clientImage,
            `The browser or tab was reset (it crashed or was killed)${after}; the remaining actions were not run: ${notRun.join('; ')}. Look at the new screenshot and send them again.`,
            { actions: done, not_run: notRun },
          );
        }
        try {
          await runAction(computer, toScreen.x === 1 && toScreen.y === 1 ? action : scaleAction(action, toScreen), request.signal);
        } catch (error) {
          const before = done.length ? ` after ${done.length} completed action(s): ${done.join('; ')}` : '';
          throw new Error(`${describeAction(action)} failed${before}. ${(error as Error).message}`, { cause: error });
        }
        done.push(describeAction(action));
      }
      return screenResult(session, config.clientImage, `Ran ${done.length} action(s): ${done.join('; ')}`, { actions: done });
    });
  },
});
