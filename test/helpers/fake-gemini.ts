import { isDeepStrictEqual } from 'node:util';
import type http from 'node:http';
import { checkScreenshot, FakeEndpoint, type Item, type Received } from './fake-endpoint.js';

export interface FakeGeminiOptions {
  display: { width: number; height: number };
  model: string;
  apiKey: string;
}

/** A scripted Gemini turn: the parts of its one candidate. */
export interface GeminiTurn {
  parts: Item[];
}

/**
 * A fake Gemini API (generateContent) for the real `@google/genai` SDK.
 * Strict about the computer_use tool (browser environment), the history
 * being resent, and a function response for every function call carrying
 * the URL and a screenshot, with `safety_acknowledgement: "true"` exactly
 * when the call asked for confirmation.
 */
/** The usageMetadata of every reply: cached tokens within promptTokenCount, thinking apart from candidatesTokenCount. */
export const REPLY_USAGE = {
  promptTokenCount: 1500,
  cachedContentTokenCount: 1024,
  candidatesTokenCount: 40,
  thoughtsTokenCount: 25,
  totalTokenCount: 1565,
};

export class FakeGemini extends FakeEndpoint<GeminiTurn> {
  private last: Item[] | undefined;

  constructor(readonly options: FakeGeminiOptions) {
    super('Gemini API');
  }

  protected forget(): void {
    this.last = undefined;
  }

  /** A predefined function call; `confirm` adds a safety_decision that requires confirmation. */
  call(name: string, args: Record<string, unknown> = {}, confirm?: string): Item {
    return {
      functionCall: {
        name,
        args: { ...args, ...(confirm ? { safety_decision: { decision: 'require_confirmation', explanation: confirm } } : {}) },
      },
    };
  }

  text(text: string): Item {
    return { text };
  }

  protected respond(turn: GeminiTurn): unknown {
    this.last = turn.parts;
    return {
      candidates: [{ content: { role: 'model', parts: turn.parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: REPLY_USAGE,
      modelVersion: this.options.model,
    };
  }

  protected verify(req: http.IncomingMessage, request: Received): string[] {
    const { options } = this;
    const { body } = request;
    const problems: string[] = [];
    const path = `/v1beta/models/${options.model}:generateContent`;
    if (request.path !== path) problems.push(`path ${request.path}, expected ${path}`);
    if (req.headers['x-goog-api-key'] !== options.apiKey)
      problems.push(`x-goog-api-key ${JSON.stringify(req.headers['x-goog-api-key'])}, expected ${options.apiKey}`);
    if (Object.keys(body).length === 0) return [...problems, 'body is not a JSON object'];
    const tools = [{ computerUse: { environment: 'ENVIRONMENT_BROWSER' } }];
    if (!isDeepStrictEqual(body.tools, tools)) problems.push(`tools ${JSON.stringify(body.tools)}, expected ${JSON.stringify(tools)}`);
    const contents = Array.isArray(body.contents) ? (body.contents as Item[]) : [];
    contents.forEach((c, i) => {
      if (c.role !== (i % 2 === 0 ? 'user' : 'model'))
        problems.push(`contents[${i}] is ${String(c.role)}: roles must alternate, starting with user`);
    });
    const partsOf = (c: Item | undefined) => (Array.isArray(c?.parts) ? (c.parts as Item[]) : []);
    if (contents.length === 1) {
      this.last = undefined;
      const parts = partsOf(contents[0]);
      if (!parts.some((p) => typeof p.text === 'string' && p.text.length > 0))
        problems.push('the first content must carry the task as text');
      const image = parts.find((p) => p.inlineData);
      if (!image) problems.push('the first content must carry the first screenshot');
      else problems.push(...this.checkImage(image.inlineData as Item, 'first screenshot'));
      return problems;
    }
    if (!this.last) return [...problems, 'request continues a conversation this fake never started'];
    const calls = this.last.filter((p) => p.functionCall).map((p) => p.functionCall as Item);
    const resentCalls = partsOf(contents.at(-2))
      .filter((p) => p.functionCall)
      .map((p) => p.functionCall);
    if (!isDeepStrictEqual(resentCalls, calls)) problems.push('the last model content was not resent with its function calls');
    const responses = partsOf(contents.at(-1))
      .filter((p) => p.functionResponse)
      .map((p) => p.functionResponse as Item);
    if (responses.length !== calls.length) problems.push(`${responses.length} function response(s) for ${calls.length} function call(s)`);
    calls.forEach((call, i) => {
      const response = responses[i];
      if (!response) return;
      if (response.name !== call.name)
        problems.push(
          `function response ${i + 1} is for ${String(response.name)}, expected ${String(call.name)} (same order as the calls)`,
        );
      const answer = (response.response ?? {}) as Item;
      if (typeof answer.url !== 'string') problems.push(`the response to ${String(call.name)} lacks the url`);
      const confirm = ((call.args as Item | undefined)?.safety_decision as Item | undefined)?.decision === 'require_confirmation';
      if (confirm && answer.safety_acknowledgement !== 'true')
        problems.push(`${String(call.name)} required confirmation and its response lacks safety_acknowledgement "true"`);
      if (!confirm && answer.safety_acknowledgement !== undefined)
        problems.push(`${String(call.name)} did not ask for confirmation, yet its response acknowledges it`);
      const image = (Array.isArray(response.parts) ? (response.parts as Item[]) : []).find((p) => p.inlineData);
      if (!image) problems.push(`the response to ${String(call.name)} carries no screenshot`);
      else problems.push(...this.checkImage(image.inlineData as Item, `screenshot for ${String(call.name)}`));
    });
    if (calls.length === 0 && !partsOf(contents.at(-1)).some((p) => typeof p.text === 'string'))
      problems.push('after a reply without function calls, the user content must be text');
    return problems;
  }

  private checkImage(blob: Item, what: string): string[] {
    if (typeof blob.data !== 'string') return [`${what} has no base64 data`];
    return checkScreenshot(blob.data, String(blob.mimeType), what, this.options.display);
  }
}

/** The function responses of a request's last content. */
export function functionResponses(request: Received): Item[] {
  const contents = request.body.contents as Item[];
  return ((contents.at(-1)?.parts as Item[]) ?? []).filter((p) => p.functionResponse).map((p) => p.functionResponse as Item);
}
