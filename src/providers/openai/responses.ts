import type OpenAI from 'openai';
import type { Response, ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { computerActionSchema, describeAction, type ComputerAction } from '../../computer/actions.js';
import { validateActions } from '../../computer/validate.js';
import { ModelRequestError } from '../errors.js';
import { rawActions, toolGenerationFor, toolRequest, type ToolGeneration } from './tool-generation.js';
import type { ModelReply, ParsedCall, ScreenInput, Translator, TranslatorContext, TurnOutcome } from '../../agent/translator.js';
import { functionOutput, parseFunctionCall } from './navigation-functions.js';
import { count, NO_TOKENS, type TokenUsage } from '../../agent/usage.js';

const callEnvelope = z.looseObject({
  type: z.literal('computer_call'),
  call_id: z.string().min(1),
  pending_safety_checks: z
    .array(z.looseObject({ id: z.string().min(1), code: z.string().nullish(), message: z.string().nullish() }))
    .nullish(),
});

function parseCall(item: unknown, display: { width: number; height: number }): ParsedCall | string {
  const envelope = callEnvelope.safeParse(item);
  if (!envelope.success) return `a computer_call without a usable call_id or safety checks: ${z.prettifyError(envelope.error)}`;
  const call = envelope.data;
  const checks = (call.pending_safety_checks ?? []).map((c) => ({ id: c.id, code: c.code ?? 'unknown', message: c.message ?? '' }));
  const parsed: ParsedCall = { callId: call.call_id, actions: [], descriptions: [], checks };
  const raw = rawActions(call as { action?: unknown; actions?: unknown });
  if (raw.length === 0) {
    parsed.problem = 'the computer_call carries no action';
    return parsed;
  }
  const actions: ComputerAction[] = [];
  for (const [index, candidate] of raw.entries()) {
    const action = computerActionSchema.safeParse(candidate);
    if (!action.success) {
      parsed.problem = `action ${index + 1} ${JSON.stringify(candidate)?.slice(0, 200)} is not valid: ${z.prettifyError(action.error)}`;
      break;
    }
    actions.push(action.data);
  }
  if (!parsed.problem) {
    try {
      validateActions(actions, display);
    } catch (error) {
      parsed.problem = (error as Error).message;
    }
  }
  parsed.actions = parsed.problem ? [] : actions;
  parsed.descriptions = parsed.actions.map((a) => describeAction(a as ComputerAction));
  return parsed;
}

/** The Responses API counts cached tokens within input_tokens, and reasoning tokens within output_tokens. */
function responsesUsage(usage: Response['usage'] | undefined): { usage?: TokenUsage } {
  if (!usage) return {};
  return {
    usage: {
      ...NO_TOKENS,
      input_tokens: count(usage.input_tokens),
      cached_input_tokens: count(usage.input_tokens_details?.cached_tokens),
      output_tokens: count(usage.output_tokens),
      reasoning_tokens: count(usage.output_tokens_details?.reasoning_tokens),
    },
  };
}

/** Reasoning summaries and the assistant's message text of a response's output. */
function readText(output: unknown[]): { reasoning: string[]; message?: string } {
  const reasoning: string[] = [];
  const messages: string[] = [];
  for (const item of output as Array<{ type?: string; summary?: unknown; content?: unknown }>) {
    if (item?.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const part of item.summary as Array<{ text?: unknown }>) {
        if (typeof part?.text === 'string' && part.text) reasoning.push(part.text);
      }
    } else if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as Array<{ type?: string; text?: unknown; refusal?: unknown }>) {
        if (typeof part?.text === 'string') messages.push(part.text);
        else if (typeof part?.refusal === 'string') messages.push(`Refused: ${part.refusal}`);
      }
    }
  }
  return { reasoning, ...(messages.length ? { message: messages.join('\n') } : {}) };
}

/**
 * The OpenAI Responses API computer tool (Azure OpenAI and OpenAI), both
 * generations: `computer_call` items in, `computer_call_output` items with
 * the screenshot (and acknowledged safety checks) back. History is either
 * `previous_response_id` or, with --history local, every item resent.
 */
export class ResponsesTranslator implements Translator {
  readonly generation: ToolGeneration;
  /** Items for the next request; undefined while calls are held and after the end. */
  private nextInput: ResponseInputItem[] | undefined;
  private lastResponseId: string | undefined;
  /** With history=local: every item so far, resent each turn. */
  private readonly transcript: ResponseInputItem[] = [];
  /** The calls of the last reply that are function calls (goto, back, forward), answered with a function_call_output. */
  private readonly functionCalls = new Set<string>();

  constructor(
    /** The client, made on the first request (see openaiSdk). */
    private readonly client: () => Promise<OpenAI>,
    private readonly context: TranslatorContext,
  ) {
    this.generation = toolGenerationFor(context.model, context.options.toolGeneration);
  }

  get ready(): boolean {
    return this.nextInput !== undefined;
  }

  start(task: string, screen: ScreenInput): void {
    this.nextInput = [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: task },
          { type: 'input_image', image_url: screen.dataUrl, detail: 'auto' },
        ],
      },
    ];
  }

  request(): ResponseCreateParamsNonStreaming {
    const input = this.nextInput ?? [];
    const { model, instructions, display, options, environment } = this.context;
    const body: ResponseCreateParamsNonStreaming = {
      model,
      ...toolRequest(this.generation, display, environment),
      input,
      ...(instructions ? { instructions } : {}),
    };
    if (options.history === 'local') {
      return { ...body, input: [...this.transcript, ...input], store: false, include: ['reasoning.encrypted_content'] };
    }
    return this.lastResponseId ? { ...body, previous_response_id: this.lastResponseId } : body;
  }

  async send(request: unknown, signal: AbortSignal | undefined): Promise<Response> {
    return (await this.client()).responses.create(request as ResponseCreateParamsNonStreaming, { signal });
  }

  read(reply: unknown): ModelReply {
    const response = reply as Response;
    if (response.error) throw new ModelRequestError(`The model answered with an error: ${response.error.code}: ${response.error.message}`);
    const output: unknown[] = Array.isArray(response.output) ? response.output : [];
    if (this.context.options.history === 'local') this.transcript.push(...(this.nextInput ?? []), ...(output as ResponseInputItem[]));
    this.lastResponseId = response.id;
    this.nextInput = undefined;

    const calls: ParsedCall[] = [];
    const problems: string[] = [];
    this.functionCalls.clear();
    for (const item of output) {
      const type = (item as { type?: unknown })?.type;
      if (type !== 'computer_call' && type !== 'function_call') continue;
      const parsed = type === 'computer_call' ? parseCall(item, this.context.display) : parseFunctionCall(item);
      if (typeof parsed === 'string') problems.push(parsed);
      else {
        if (type === 'function_call') this.functionCalls.add(parsed.callId);
        calls.push(parsed);
        if (parsed.problem) problems.push(parsed.problem);
      }
    }
    return { id: response.id, calls, problems, ...readText(output), ...responsesUsage(response.usage) };
  }

  answer({ outcomes, screen, acknowledged, interrupted }: TurnOutcome): void {
    const items: ResponseInputItem[] = outcomes.map(({ call, error, text }) => {
      // A function call's output says what it did (or why it did not run), with the screenshot.
      if (this.functionCalls.has(call.callId))
        return functionOutput(
          call.callId,
          call.problem ? `Not run: ${call.problem}` : (error ?? text ?? 'Not run: the run was cancelled'),
          screen,
        );
      return {
        type: 'computer_call_output',
        call_id: call.callId,
        output: { type: 'computer_screenshot', image_url: screen.dataUrl },
        // The preview's browser environment uses the URL for its domain safety checks, as Azure's computer-use sample (Python, the program this project replaces) sends it.
        ...(this.generation === 'preview' && screen.url !== undefined ? { current_url: screen.url } : {}),
        ...(acknowledged && call.checks.length ? { acknowledged_safety_checks: call.checks } : {}),
      } as ResponseInputItem;
    });
    const notes = outcomes
      .filter(({ call }) => !this.functionCalls.has(call.callId))
      .flatMap(({ call, error }) => (call.problem ? [`computer_call ${call.callId} was not run: ${call.problem}`] : error ? [error] : []));
    if (interrupted) notes.push(interrupted);
    if (notes.length) items.push({ role: 'user', content: notes.join('\n') });
    this.nextInput = items;
  }

  retry(note: string): void {
    this.nextInput = [{ role: 'user', content: note }];
  }

  end(): void {
    this.nextInput = undefined;
  }
}
