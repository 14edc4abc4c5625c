import { z } from 'zod';
import { computerActionSchema, describeAction } from '../computer/actions.js';
import { runAction } from '../computer/computer.js';
import { validateActions } from '../computer/validate.js';
import { screenResult, screenStateShape } from './results.js';
import { defineTool, optionalSessionId } from './tool.js';

export const computerTool = defineTool({
  name: 'computer',
  title: 'Operate the browser screen',
  description:
    'Runs computer-use actions in order on a session (a browser, or a desktop) and returns the screenshot once the screen has settled. ' +
    'Coordinates are screenshot pixels. Actions (the Responses API computer tool set): ' +
    'click {x,y,button: left|right|wheel|back|forward, keys?}, double_click {x,y,keys?}, drag {path:[{x,y},...], keys?}, ' +
    'move {x,y,keys?}, scroll {x,y,scroll_x,scroll_y,keys?} (pixels, scrolls whatever is under the point), ' +
    'keypress {keys:["ctrl","a"]} (a chord), type {text}, wait {ms?}, screenshot {}. ' +
    '`keys` on pointer actions are modifiers held during the action. Without session_id the default session is used.',
  inputSchema: {
    session_id: optionalSessionId,
    actions: z.array(computerActionSchema).min(1, { error: 'actions needs at least one action' }).max(200).describe('Actions to run in order'),
  },
  outputSchema: { ...screenStateShape, actions: z.array(z.string()) },
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  handler: async ({ session_id, actions }, { connection }) => {
    const session = await connection.session(session_id);
    return session.exclusive(async () => {
      validateActions(actions, session.display);
      const computer = session.computer;
      const done: string[] = [];
      const resets = session.resets;
      for (const action of actions) {
        if (await session.resetSince(resets)) {
          const after = done.length ? ` after ${done.length} action(s): ${done.join('; ')}` : '';
          return screenResult(session, `The browser or tab was reset (it crashed or was killed)${after}; the remaining actions were not run. Look at the new screenshot and send them again.`, { actions: done });
        }
        try {
          await runAction(computer, action);
        } catch (error) {
          const before = done.length ? ` after ${done.length} completed action(s): ${done.join('; ')}` : '';
          throw new Error(`${describeAction(action)} failed${before}. ${(error as Error).message}`, { cause: error });
        }
        done.push(describeAction(action));
      }
      return screenResult(session, `Ran ${done.length} action(s): ${done.join('; ')}`, { actions: done });
    });
  },
});
