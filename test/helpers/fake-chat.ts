import type http from 'node:http';
import { checkScreenshot, FakeEndpoint, type Item, type Received } from './fake-endpoint.js';

export interface FakeChatOptions {
  display: { width: number; height: number };
  model: string;
  /** The bearer token every request must carry. */
  apiKey: string;
}

/** A scripted text-action model turn: the assistant's text. */
export interface ChatTurn {
  text: string;
}

/**
 * A fake OpenAI-compatible Chat Completions server (as vLLM serves UI-TARS)
 * for the real `openai` SDK. Strict about the first message (the action
 * grammar, the task, the screenshot), the assistant's replies being resent
 * unchanged, and a screenshot in every answer.
 */
/** The usage of every completion, as vLLM reports it with prefix caching on. */
export const REPLY_USAGE = {
  prompt_tokens: 1300,
  completion_tokens: 60,
  total_tokens: 1360,
  prompt_tokens_details: { cached_tokens: 512 },
};

export class FakeChat extends FakeEndpoint<ChatTurn> {
  private last: string | undefined;

  constructor(readonly options: FakeChatOptions) {
    super('Chat Completions API');
  }

  protected forget(): void {
    this.last = undefined;
  }

  protected respond(turn: ChatTurn): unknown {
    this.last = turn.text;
    return {
      id: this.nextId('chatcmpl'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.options.model,
      choices: [{ index: 0, message: { role: 'assistant', content: turn.text }, finish_reason: 'stop' }],
      usage: REPLY_USAGE,
    };
  }

  protected verify(req: http.IncomingMessage, request: Received): string[] {
    const { options } = this;
    const { body } = request;
    const problems: string[] = [];
    if (request.path !== '/v1/chat/completions') problems.push(`path ${request.path}, expected /v1/chat/completions`);
    if (req.headers.authorization !== `Bearer ${options.apiKey}`)
      problems.push(`authorization ${JSON.stringify(req.headers.authorization)}, expected Bearer ${options.apiKey}`);
    if (Object.keys(body).length === 0) return [...problems, 'body is not a JSON object'];
    if (body.model !== options.model) problems.push(`model ${JSON.stringify(body.model)}, expected ${options.model}`);
    const messages = Array.isArray(body.messages) ? (body.messages as Item[]) : [];
    messages.forEach((m, i) => {
      if (m.role !== (i % 2 === 0 ? 'user' : 'assistant'))
        problems.push(`messages[${i}] is ${String(m.role)}: roles must alternate, starting with user`);
    });
    const parts = (m: Item | undefined) => (Array.isArray(m?.content) ? (m.content as Item[]) : []);
    const screenshot = (m: Item | undefined, what: string) => {
      const image = parts(m).find((p) => p.type === 'image_url');
      if (!image) return [`${what} carries no screenshot`];
      const match = /^data:(image\/(?:png|jpeg));base64,(.+)$/.exec(String((image.image_url as Item | undefined)?.url));
      return match ? checkScreenshot(match[2]!, match[1]!, what, options.display) : [`${what} is not a data URL`];
    };
    if (messages.length === 1) {
      this.last = undefined;
      const text = parts(messages[0]).find((p) => p.type === 'text')?.text;
      if (
        typeof text !== 'string' ||
        !text.includes("click(start_box='<|box_start|>(x1,y1)<|box_end|>')") ||
        !text.includes('## User Instruction')
      ) {
        problems.push('the first message must carry the action grammar and the task');
      }
      return [...problems, ...screenshot(messages[0], 'the first message')];
    }
    if (this.last === undefined) return [...problems, 'request continues a conversation this fake never started'];
    if (messages.at(-2)?.content !== this.last) problems.push('the last assistant reply was not resent unchanged');
    const answer = messages.at(-1);
    // A reply with an action is answered with the new screen; one without is answered with text saying what was wrong.
    if (/Action:\s*\w+\(/.test(this.last)) problems.push(...screenshot(answer, 'the answer'));
    else if (typeof answer?.content !== 'string' && !parts(answer).some((p) => p.type === 'text'))
      problems.push('an unusable reply must be answered with text');
    return problems;
  }
}

/** The text of a request's last message. */
export function lastText(request: Received): string {
  const last = (request.body.messages as Item[]).at(-1);
  if (typeof last?.content === 'string') return last.content;
  return ((last?.content as Item[]) ?? [])
    .filter((p) => p.type === 'text')
    .map((p) => String(p.text))
    .join('\n');
}
