import type { ResponseCreateParamsNonStreaming } from 'openai/resources/responses/responses';
import type { AgentOptions } from '../../agent/agent-options.js';
import { NAVIGATION_TOOLS } from './navigation-functions.js';
import type { Environment } from '../../session/computer-session.js';

/**
 * The two generations of the Responses API computer tool: the preview
 * (`computer_use_preview`, one `action` per call, needs truncation:auto)
 * and GA (`computer`, a batch of `actions` per call).
 */
export type ToolGeneration = 'preview' | 'ga';

/** Auto: the preview tool for computer-use-preview models and deployments named after them, GA otherwise. */
export function toolGenerationFor(model: string, toolGeneration: AgentOptions['toolGeneration']): ToolGeneration {
  if (toolGeneration !== 'auto') return toolGeneration;
  return /computer-use/i.test(model) ? 'preview' : 'ga';
}

type RequestExtras = Pick<ResponseCreateParamsNonStreaming, 'tools' | 'truncation' | 'reasoning' | 'parallel_tool_calls'>;

/** The tool definition and the request fields that go with it; the preview tool says which environment it drives (a desktop here is Linux). */
export function toolRequest(
  generation: ToolGeneration,
  display: { width: number; height: number },
  environment: Environment = 'browser',
): RequestExtras {
  // In a browser, the sample harness's navigation functions sit beside the computer tool.
  const functions = environment === 'browser' ? NAVIGATION_TOOLS : [];
  if (generation === 'preview') {
    return {
      tools: [
        {
          type: 'computer_use_preview',
          display_width: display.width,
          display_height: display.height,
          environment: environment === 'desktop' ? 'linux' : 'browser',
        },
        ...functions,
      ],
      truncation: 'auto',
      reasoning: { summary: 'concise' },
    };
  }
  return { tools: [{ type: 'computer' }, ...functions], reasoning: { summary: 'auto' }, parallel_tool_calls: false };
}

/** The raw actions of a computer_call, in order: GA batches them, the preview sends one. */
export function rawActions(call: { action?: unknown; actions?: unknown }): unknown[] {
  if (Array.isArray(call.actions)) return call.actions;
  return call.action === undefined ? [] : [call.action];
}
