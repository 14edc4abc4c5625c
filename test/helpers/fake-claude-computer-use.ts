import { isDeepStrictEqual } from 'node:util';
import type http from 'node:http';
import { checkScreenshot, FakeEndpoint, imageSize, type Item, type Received } from './fake-endpoint.js';
import { PromptCacheModel, type CacheOutcome } from './prompt-cache.js';

export interface FakeClaudeComputerUseOptions {
  display: { width: number; height: number };
  model: string;
  tool: 'computer_20250124' | 'computer_20251124';
  /** The beta the anthropic-beta header must name. */
  beta: string;
  apiKey: string;
}

/** A scripted Claude turn: its content blocks, and the stop reason (default: tool_use when it calls the tool, else end_turn). */
export interface ClaudeTurn {
  content: Item[];
  stop_reason?: string;
}

/**
 * A fake Anthropic Messages API for the real `@anthropic-ai/sdk`. Strict
 * about the computer tool's declaration (type, name, display size), the
 * beta header, the conversation being resent unchanged, and a tool_result
 * carrying a screenshot for every tool_use of the last reply.
 */
export class FakeClaudeComputerUse extends FakeEndpoint<ClaudeTurn> {
  /** The content of the last reply: the next request must resend it and answer its tool_use blocks. */
  private last: Item[] | undefined;
  /** The prompt cache this fake keeps, as the API would: its outcome for each request, in order. */
  private readonly cache = new PromptCacheModel();
  readonly cacheOutcomes: CacheOutcome[] = [];
  /** Output tokens each reply reports. */
  static readonly OUTPUT_TOKENS = 70;

  constructor(readonly options: FakeClaudeComputerUseOptions) {
    super('Anthropic Messages API');
  }

  protected forget(): void {
    this.last = undefined;
  }

  toolUse(input: Record<string, unknown>): Item {
    return { type: 'tool_use', id: this.nextId('toolu'), name: 'computer', input };
  }

  text(text: string): Item {
    return { type: 'text', text };
  }

  protected respond(turn: ClaudeTurn): unknown {
    this.last = turn.content;
    const calls = turn.content.some((block) => block.type === 'tool_use');
    return {
      id: this.nextId('msg'),
      type: 'message',
      role: 'assistant',
      model: this.options.model,
      content: turn.content,
      stop_reason: turn.stop_reason ?? (calls ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: {
        ...(this.cacheOutcomes.at(-1)?.usage ?? { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }),
        output_tokens: FakeClaudeComputerUse.OUTPUT_TOKENS,
      },
    };
  }

  protected verify(req: http.IncomingMessage, request: Received): string[] {
    const { options } = this;
    const { body } = request;
    const problems: string[] = [];
    if (request.path !== '/v1/messages') problems.push(`path ${request.path}, expected /v1/messages`);
    // The API takes the key as x-api-key or as a bearer token (what @anthropic-ai/sdk 1.x sends).
    if (req.headers['x-api-key'] !== options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      problems.push(`neither x-api-key nor authorization carries the key ${options.apiKey}`);
    }
    if (!req.headers['anthropic-version']) problems.push('no anthropic-version header');
    const betas = String(req.headers['anthropic-beta'] ?? '')
      .split(',')
      .map((b) => b.trim());
    if (!betas.includes(options.beta))
      problems.push(`anthropic-beta ${JSON.stringify(req.headers['anthropic-beta'])} lacks ${options.beta}`);
    if (Object.keys(body).length === 0) return [...problems, 'body is not a JSON object'];
    if (body.model !== options.model) problems.push(`model ${JSON.stringify(body.model)}, expected ${options.model}`);
    if (typeof body.max_tokens !== 'number') problems.push('max_tokens is required');
    const cached = this.cache.apply(body);
    this.cacheOutcomes.push(cached);
    problems.push(...cached.problems);
    // computer_20251124 comes with zoom (enable_zoom), as the server declares it.
    const tool = {
      type: options.tool,
      name: 'computer',
      display_width_px: options.display.width,
      display_height_px: options.display.height,
      ...(options.tool === 'computer_20251124' ? { enable_zoom: true } : {}),
    };
    if (!isDeepStrictEqual(body.tools, [tool])) problems.push(`tools ${JSON.stringify(body.tools)}, expected ${JSON.stringify([tool])}`);

    const messages = Array.isArray(body.messages) ? (body.messages as Item[]) : [];
    messages.forEach((m, i) => {
      if (m.role !== (i % 2 === 0 ? 'user' : 'assistant'))
        problems.push(`messages[${i}] is ${String(m.role)}: roles must alternate, starting with user`);
    });
    const contentOf = (m: Item | undefined) => (Array.isArray(m?.content) ? (m.content as Item[]) : []);
    if (messages.length === 1) {
      this.last = undefined;
      const content = contentOf(messages[0]);
      if (!content.some((c) => c.type === 'text' && typeof c.text === 'string' && c.text.length > 0))
        problems.push('the first message must carry the task as text');
      const image = content.find((c) => c.type === 'image');
      if (!image) problems.push('the first message must carry the first screenshot');
      else problems.push(...this.checkImage(image, 'first screenshot'));
      return problems;
    }
    if (!this.last) return [...problems, 'request continues a conversation this fake never started'];
    const resent = messages.at(-2);
    if (!isDeepStrictEqual(contentOf(resent), this.last)) problems.push('the last assistant message was not resent unchanged');
    const answer = contentOf(messages.at(-1));
    const uses = this.last.filter((b) => b.type === 'tool_use');
    const results = answer.filter((b) => b.type === 'tool_result');
    const firstOther = answer.findIndex((b) => b.type !== 'tool_result');
    if (firstOther !== -1 && answer.slice(firstOther).some((b) => b.type === 'tool_result'))
      problems.push('tool_result blocks must come first in the user message');
    for (const result of results) {
      if (!uses.some((u) => u.id === result.tool_use_id))
        problems.push(`tool_result for unknown tool_use_id ${String(result.tool_use_id)}`);
    }
    for (const use of uses) {
      const found = results.filter((r) => r.tool_use_id === use.id);
      if (found.length !== 1) {
        problems.push(`${found.length} tool_result(s) for tool_use ${String(use.id)}, expected 1`);
        continue;
      }
      const image = contentOf(found[0]).find((c) => c.type === 'image');
      if (!image) problems.push(`the tool_result of ${String(use.id)} carries no screenshot`);
      else if ((use.input as Item | undefined)?.action === 'zoom') problems.push(...this.checkZoom(image, String(use.id)));
      else problems.push(...this.checkImage(image, `screenshot of ${String(use.id)}`));
    }
    if (uses.length === 0 && !answer.some((b) => b.type === 'text'))
      problems.push('after a reply without tool_use, the user message must be text');
    return problems;
  }

  /** A zoom answers with the region, enlarged: any size within the limits Claude takes. */
  private checkZoom(block: Item, id: string): string[] {
    const source = block.source as { data?: string } | undefined;
    const size = typeof source?.data === 'string' ? imageSize(Buffer.from(source.data, 'base64')) : undefined;
    if (!size) return [`the zoom of ${id} is not an image`];
    if (Math.max(size.width, size.height) > 1568 || size.width * size.height > 1_150_000)
      return [`the zoom of ${id} is ${size.width}x${size.height}, over 1568 px or 1.15 MP`];
    return [];
  }

  private checkImage(block: Item, what: string): string[] {
    const source = block.source as { type?: string; media_type?: string; data?: string } | undefined;
    if (source?.type !== 'base64' || typeof source.data !== 'string') return [`${what} is not a base64 image source`];
    return checkScreenshot(source.data, String(source.media_type), what, this.options.display);
  }
}

/** The tool_result blocks of a request's last message, by tool_use id. */
export function toolResults(request: Received): Map<string, Item> {
  const messages = request.body.messages as Item[];
  const content = messages.at(-1)?.content as Item[];
  return new Map(content.filter((b) => b.type === 'tool_result').map((b) => [String(b.tool_use_id), b]));
}
