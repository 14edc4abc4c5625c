import { isDeepStrictEqual } from 'node:util';
import type http from 'node:http';
import { checkScreenshot, FakeEndpoint, type Item, type Received, type Scripted } from './fake-endpoint.js';

/**
 * A fake Responses API on 127.0.0.1 for the real `openai` SDK: scripted per
 * test with the documented item shapes, and strict about what it receives
 * (see FakeEndpoint).
 */
export interface FakeOptions {
  generation: 'preview' | 'ga';
  display: { width: number; height: number };
  model: string;
  /** '/v1/responses' (OpenAI) or '/openai/v1/responses' (Azure). */
  path: string;
  /** Query parameters every request must carry, e.g. {'api-version': 'preview'}. */
  query?: Record<string, string>;
  /** The one header that must authenticate each request, e.g. ['authorization', 'Bearer sk-test']. */
  auth: [header: string, value: string];
  /** Header that must NOT be sent (e.g. authorization when an api-key is used). */
  forbiddenHeader?: string;
  history?: 'server' | 'local';
  /** Screenshot format every image must have (default png). */
  imageType?: 'png' | 'jpeg';
  /** The preview tool's environment (default browser); only a browser sends current_url. */
  environment?: 'browser' | 'linux';
}

export type Turn = Scripted<{ output: unknown[] }>;

export interface Check {
  id: string;
  code: string;
  message: string;
}

/** The usage every reply reports, in the documented shape: cached tokens within input_tokens, reasoning within output_tokens. */
export const REPLY_USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1000 },
  output_tokens: 80,
  output_tokens_details: { reasoning_tokens: 30 },
  total_tokens: 1280,
};

export class FakeResponses extends FakeEndpoint<{ output: unknown[] }> {
  private last: { id: string; output: Item[] } | undefined;
  /** With history=local: the last request's input, which the next one must start with. */
  private lastInput: Item[] = [];

  constructor(readonly options: FakeOptions) {
    super('Responses API');
  }

  protected forget(): void {
    this.last = undefined;
  }

  // ---- item builders (the documented shapes) ----

  /** A computer_call: one `action` for the preview tool, a batch of `actions` for GA. */
  call(actions: unknown[], checks: Check[] = []): Item {
    const base = {
      type: 'computer_call',
      id: this.nextId('cu'),
      call_id: this.nextId('call'),
      status: 'completed',
      pending_safety_checks: checks,
    };
    if (this.options.generation === 'preview') {
      if (actions.length !== 1) throw new Error('the preview tool sends exactly one action per computer_call');
      return { ...base, action: actions[0] };
    }
    return { ...base, actions };
  }

  /** A function_call (the sample harness's goto/back/forward), arguments as a JSON string. */
  functionCall(name: string, args: Record<string, unknown> = {}): Item {
    return {
      type: 'function_call',
      id: this.nextId('fc'),
      call_id: this.nextId('call'),
      name,
      arguments: JSON.stringify(args),
      status: 'completed',
    };
  }

  message(text: string): Item {
    return {
      type: 'message',
      id: this.nextId('msg'),
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
  }

  reasoning(summary: string): Item {
    return {
      type: 'reasoning',
      id: this.nextId('rs'),
      summary: [{ type: 'summary_text', text: summary }],
      encrypted_content: this.nextId('encrypted'),
    };
  }

  // ---- request handling ----

  protected respond({ output }: { output: unknown[] }, request: Received): unknown {
    const id = this.nextId('resp');
    this.last = { id, output: output as Item[] };
    return {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: this.options.model,
      output,
      error: null,
      incomplete_details: null,
      parallel_tool_calls: false,
      tools: request.body.tools,
      usage: REPLY_USAGE,
    };
  }

  protected verify(req: http.IncomingMessage, request: Received, raw: string): string[] {
    const { options } = this;
    const problems: string[] = [];
    const { body } = request;
    if (request.path !== options.path) problems.push(`path ${request.path}, expected ${options.path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (request.query[key] !== value) problems.push(`query ${key}=${request.query[key]}, expected ${value}`);
    }
    const [header, value] = options.auth;
    if (req.headers[header] !== value)
      problems.push(`${header} header ${JSON.stringify(req.headers[header])}, expected ${JSON.stringify(value)}`);
    if (options.forbiddenHeader && req.headers[options.forbiddenHeader] !== undefined)
      problems.push(`unexpected ${options.forbiddenHeader} header`);
    if (!raw || Object.keys(body).length === 0) return [...problems, 'body is not a JSON object'];
    if (body.model !== options.model) problems.push(`model ${JSON.stringify(body.model)}, expected ${options.model}`);

    const preview = options.generation === 'preview';
    const tool = preview
      ? {
          type: 'computer_use_preview',
          display_width: options.display.width,
          display_height: options.display.height,
          environment: options.environment ?? 'browser',
        }
      : { type: 'computer' };
    const [computer, ...functions] = Array.isArray(body.tools) ? (body.tools as Item[]) : [];
    if (!isDeepStrictEqual(computer, tool)) problems.push(`tools[0] ${JSON.stringify(computer)}, expected ${JSON.stringify(tool)}`);
    problems.push(...this.checkFunctionTools(functions));
    if (preview && body.truncation !== 'auto')
      problems.push(`truncation ${JSON.stringify(body.truncation)}: the preview tool requires "auto"`);
    if (!preview && body.truncation !== undefined) problems.push('truncation is not used with the GA computer tool');

    const input = Array.isArray(body.input) ? (body.input as Item[]) : [];
    const local = options.history === 'local';
    if (local) {
      if (body.store !== false) problems.push('history=local must send store:false');
      if (!Array.isArray(body.include) || !body.include.includes('reasoning.encrypted_content'))
        problems.push('store:false needs include ["reasoning.encrypted_content"]');
      if (body.previous_response_id !== undefined) problems.push('store:false cannot use previous_response_id');
    }
    const startsConversation = local
      ? !this.last ||
        !input.some((i) => ['computer_call_output', 'computer_call', 'function_call_output', 'function_call'].includes(String(i.type)))
      : body.previous_response_id === undefined;
    const previousInput = this.lastInput;
    if (local) this.lastInput = input;
    if (startsConversation) {
      this.last = undefined;
      const first = input.find((i) => i.role === 'user');
      const content = Array.isArray(first?.content) ? (first.content as Item[]) : [];
      if (!content.some((c) => c.type === 'input_text' && typeof c.text === 'string' && c.text.length > 0))
        problems.push('the first request must carry the task as input_text');
      const image = content.find((c) => c.type === 'input_image');
      if (!image) problems.push('the first request must carry the first screenshot as input_image');
      else problems.push(...this.checkImage(String(image.image_url), 'first input_image'));
      return problems;
    }
    if (!this.last) return [...problems, 'request continues a conversation this fake never started'];
    if (!local && body.previous_response_id !== this.last.id)
      problems.push(`previous_response_id ${JSON.stringify(body.previous_response_id)}, expected ${this.last.id}`);
    if (local) {
      // OpenAI's prompt cache reuses what a request repeats from the start: the whole previous input, unchanged.
      if (!isDeepStrictEqual(input.slice(0, previousInput.length), previousInput))
        problems.push("store:false: the input does not start with the previous request's input unchanged (no prompt-cache prefix)");
      for (const item of this.last.output) {
        const resent = input.find((i) => i.id === item.id);
        if (!resent || !isDeepStrictEqual(resent, item))
          problems.push(`store:false: output item ${String(item.id)} was not resent unchanged`);
      }
    }
    const calls = this.last.output.filter((i) => i.type === 'computer_call' && typeof i.call_id === 'string');
    const outputs = input.filter((i) => i.type === 'computer_call_output');
    const newOutputs = local ? outputs.filter((o) => calls.some((c) => c.call_id === o.call_id)) : outputs;
    for (const output of newOutputs) {
      if (!calls.some((c) => c.call_id === output.call_id))
        problems.push(`computer_call_output for unknown call_id ${String(output.call_id)}`);
    }
    for (const call of calls) {
      const output = newOutputs.find((o) => o.call_id === call.call_id);
      if (!output) {
        problems.push(`no computer_call_output for call_id ${String(call.call_id)}`);
        continue;
      }
      const shot = output.output as Item | undefined;
      if (shot?.type !== 'computer_screenshot') problems.push(`output of ${String(call.call_id)} is not a computer_screenshot`);
      else problems.push(...this.checkImage(String(shot.image_url), `screenshot of ${String(call.call_id)}`));
      if (options.environment === 'linux') {
        if (output.current_url !== undefined) problems.push(`output of ${String(call.call_id)} carries current_url on a desktop`);
      } else if (preview && !(typeof output.current_url === 'string' && /^(https?:|about:)/.test(output.current_url))) {
        problems.push(`output of ${String(call.call_id)} lacks current_url (browser environment)`);
      }
      const pending = (call.pending_safety_checks as Check[] | undefined) ?? [];
      const acknowledged = (output.acknowledged_safety_checks as Check[] | undefined) ?? [];
      if (!isDeepStrictEqual(acknowledged, pending)) {
        problems.push(
          `acknowledged_safety_checks ${JSON.stringify(acknowledged)} of ${String(call.call_id)}, expected ${JSON.stringify(pending)}`,
        );
      }
    }
    problems.push(...this.checkFunctionOutputs(input, local));
    return problems;
  }

  /** In a browser, the navigation functions beside the computer tool, in the documented FunctionTool shape (strict: every property required, no others). */
  private checkFunctionTools(functions: Item[]): string[] {
    const browser = (this.options.environment ?? 'browser') === 'browser';
    const names = functions.map((f) => f.name);
    if (!browser) return functions.length ? [`function tools ${JSON.stringify(names)} on a desktop`] : [];
    if (!isDeepStrictEqual(names, ['goto', 'back', 'forward']))
      return [`function tools ${JSON.stringify(names)}, expected goto, back, forward`];
    const problems: string[] = [];
    for (const f of functions) {
      const parameters = f.parameters as
        { type?: string; properties?: Record<string, { type?: string }>; required?: string[]; additionalProperties?: boolean } | undefined;
      if (f.type !== 'function' || typeof f.description !== 'string' || f.strict !== true)
        problems.push(`function tool ${String(f.name)} is not {type:"function", description, strict:true}`);
      if (parameters?.type !== 'object' || parameters.additionalProperties !== false)
        problems.push(`function tool ${String(f.name)}: parameters must be a closed object schema`);
      const properties = Object.keys(parameters?.properties ?? {});
      if (!isDeepStrictEqual(parameters?.required, properties))
        problems.push(`function tool ${String(f.name)}: strict mode needs every property required`);
      const expected = f.name === 'goto' ? ['url'] : [];
      if (!isDeepStrictEqual(properties, expected) || (f.name === 'goto' && parameters?.properties?.url?.type !== 'string'))
        problems.push(`function tool ${String(f.name)}: parameters ${JSON.stringify(properties)}, expected ${JSON.stringify(expected)}`);
    }
    return problems;
  }

  /** Every function_call of the last reply answered by a function_call_output: a text and the screenshot after it. */
  private checkFunctionOutputs(input: Item[], local: boolean): string[] {
    const problems: string[] = [];
    const calls = (this.last?.output ?? []).filter((i) => i.type === 'function_call');
    const outputs = input.filter((i) => i.type === 'function_call_output');
    for (const output of outputs) {
      if (!local && !calls.some((c) => c.call_id === output.call_id))
        problems.push(`function_call_output for unknown call_id ${String(output.call_id)}`);
    }
    for (const call of calls) {
      const output = outputs.find((o) => o.call_id === call.call_id);
      if (!output) {
        problems.push(`no function_call_output for call_id ${String(call.call_id)}`);
        continue;
      }
      const parts = Array.isArray(output.output) ? (output.output as Item[]) : [];
      if (!parts.some((p) => p.type === 'input_text' && typeof p.text === 'string' && p.text))
        problems.push(`function_call_output of ${String(call.call_id)} has no input_text`);
      const image = parts.find((p) => p.type === 'input_image');
      if (!image) problems.push(`function_call_output of ${String(call.call_id)} has no input_image screenshot`);
      else problems.push(...this.checkImage(String(image.image_url), `screenshot of ${String(call.call_id)}`));
    }
    return problems;
  }

  private checkImage(url: string, what: string): string[] {
    const match = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(url);
    if (!match) return [`${what} is not a PNG/JPEG data URL`];
    return checkScreenshot(match[2]!, match[1]!, what, this.options.display, this.options.imageType);
  }
}
export { imageSize } from './fake-endpoint.js';
