import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { z } from 'zod';
import type { Navigation } from '../session/computer-session.js';
import type { ScreenInput } from './loop.js';
import type { ParsedCall } from './types.js';

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
    parameters: { type: 'object', properties: { url: { type: 'string', description: 'Fully qualified URL to navigate to.' } }, required: ['url'], additionalProperties: false },
    strict: true,
  },
  { type: 'function', name: 'back', description: 'Go back to the previous page.', parameters: { type: 'object', properties: {}, required: [], additionalProperties: false }, strict: true },
  { type: 'function', name: 'forward', description: 'Go forward to the next page.', parameters: { type: 'object', properties: {}, required: [], additionalProperties: false }, strict: true },
];

const functionCall = z.looseObject({ type: z.literal('function_call'), call_id: z.string().min(1), name: z.string(), arguments: z.string() });

/** A function_call item from the model as a call the loop runs (its problem set when it cannot run). */
export function parseFunctionCall(item: unknown): ParsedCall | string {
  const parsed = functionCall.safeParse(item);
  if (!parsed.success) return `a function_call without a usable call_id, name or arguments: ${z.prettifyError(parsed.error)}`;
  const { call_id: callId, name } = parsed.data;
  const call: ParsedCall = { callId, actions: [], descriptions: [], checks: [], kind: 'function' };
  if (name === 'back' || name === 'forward') {
    call.navigation = { name };
    call.descriptions = [name];
    return call;
  }
  if (name !== 'goto') {
    call.problem = `there is no function ${JSON.stringify(name)}; the functions are goto(url), back() and forward()`;
    return call;
  }
  let url: unknown;
  try {
    url = (JSON.parse(parsed.data.arguments) as { url?: unknown }).url;
  } catch {
    /* reported below */
  }
  if (typeof url !== 'string' || !url) call.problem = `goto needs {"url": "..."}; it got ${parsed.data.arguments.slice(0, 200)}`;
  else {
    call.navigation = { name: 'goto', url };
    call.descriptions = [`goto ${url}`];
  }
  return call;
}

/** Runs a navigation call on the session; says what happened, for the function's output. */
export function runNavigation(navigation: Navigation, call: NonNullable<ParsedCall['navigation']>): Promise<string> {
  return call.name === 'goto' ? navigation.goto(call.url!) : navigation[call.name]();
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
