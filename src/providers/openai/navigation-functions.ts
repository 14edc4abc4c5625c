import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { describeAgentAction, type AgentAction } from '../../agent/actions.js';
import type { ParsedCall, ScreenInput } from '../../agent/translator.js';

/**
 * The navigation functions the OpenAI sample harness offers a
 * computer-use model in a browser, beside the computer tool: a model
 * that knows the URL goes there instead of clicking through the page.
 */
export const NAVIGATION_TOOLS: FunctionTool[] = [
  {
    type: 'function',
    name: 'goto',
    description: 'Go to a specific URL in the current tab.',
    parameters: {
      type: 'object',
      properties: { url: { type: 'string', description: 'Fully qualified URL to navigate to.' } },
      required: ['url'],
      additionalProperties: false,
    },
    strict: true,
  },
  {
    type: 'function',
    name: 'back',
    description: 'Go back to the previous page.',
    parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
    strict: true,
  },
  {
    type: 'function',
    name: 'forward',
    description: 'Go forward to the next page.',
    parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
    strict: true,
  },
];

const functionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string(),
  arguments: z.string(),
});

/** A function_call item from the model as a call of navigation actions (its problem set when it cannot run). */
export function parseFunctionCall(item: unknown): ParsedCall | string {
  const parsed = functionCall.safeParse(item);
  if (!parsed.success) return `a function_call without a usable call_id, name or arguments: ${z.prettifyError(parsed.error)}`;
  const { call_id: callId, name } = parsed.data;
  const call: ParsedCall = { callId, actions: [], descriptions: [], checks: [] };
  let action: AgentAction | undefined;
  if (name === 'back' || name === 'forward') action = { type: 'history', direction: name };
  else if (name !== 'goto')
    call.problem = `there is no function ${JSON.stringify(name)}; the functions are goto(url), back() and forward()`;
  else {
    let url: unknown;
    try {
      url = (JSON.parse(parsed.data.arguments) as { url?: unknown }).url;
    } catch {
      /* reported below */
    }
    if (typeof url !== 'string' || !url) call.problem = `goto needs {"url": "..."}; it got ${parsed.data.arguments.slice(0, 200)}`;
    else action = { type: 'navigate', url };
  }
  if (action) {
    call.actions = [action];
    call.descriptions = [describeAgentAction(action)];
  }
  return call;
}

/** The answer to a function call: what it did, and the screenshot after it. */
export function functionOutput(callId: string, result: string, screen: ScreenInput): ResponseInputItem {
  return {
    type: 'function_call_output',
    call_id: callId,
    output: [
      { type: 'input_text', text: result },
      { type: 'input_image', image_url: screen.dataUrl, detail: 'auto' },
    ],
  };
}
