import type { Content, Environment, GenerateContentParameters, GenerateContentResponse, GoogleGenAI, Part } from '@google/genai';
import { z } from 'zod';
import { describeAgentAction, validateAgentActions, type AgentAction } from '../../agent/actions.js';
import type { ModelReply, ParsedCall, ScreenInput, Translator, TranslatorContext, TurnOutcome } from '../../agent/translator.js';
import { dropOldest, LEFT_OUT, retentionFor, screenshotsToDrop, type ScreenshotRetention } from '../screenshot-retention.js';
import { count, NO_TOKENS, type TokenUsage } from '../../agent/usage.js';

/** Gemini gives points on a 1000x1000 grid (0-999 on each axis), whatever the screen size. */
export const GRID = 1000;
/** Where `search` goes: the model expects a search engine's start page. */
export const SEARCH_PAGE = 'https://www.google.com/';
/** scroll_document moves by this share of the screen; scroll_at's magnitude is in grid units (default 800). */
export const DOCUMENT_SCROLL_SHARE = 0.8;
const DEFAULT_MAGNITUDE = 800;
/** The newest 3 screenshots always, older ones dropped 10 at a time, so the implicit cache's prefix holds between drops. */
export const GEMINI_RETENTION: ScreenshotRetention = { keep: 3, batch: 10 };

const gridValue = z
  .number({ error: 'must be a number from 0 to 999' })
  .min(0, { error: 'must be 0-999' })
  .max(GRID, { error: 'must be 0-999' });
const direction = z.enum(['up', 'down', 'left', 'right'], { error: 'direction must be up, down, left or right' });
const args = {
  point: z.looseObject({ x: gridValue, y: gridValue }),
  typeText: z.looseObject({
    x: gridValue,
    y: gridValue,
    text: z.string(),
    press_enter: z.boolean().default(true),
    clear_before_typing: z.boolean().default(true),
  }),
  scrollDocument: z.looseObject({ direction }),
  scrollAt: z.looseObject({ x: gridValue, y: gridValue, direction, magnitude: z.number().min(0).max(GRID).default(DEFAULT_MAGNITUDE) }),
  drag: z.looseObject({ x: gridValue, y: gridValue, destination_x: gridValue, destination_y: gridValue }),
  keys: z.looseObject({ keys: z.string().min(1, { error: 'keys names the combination, e.g. Control+A' }) }),
  navigate: z.looseObject({ url: z.string().min(1) }),
  safety: z.looseObject({ decision: z.string(), explanation: z.string().nullish() }),
};

/**
 * Gemini computer use (`computer_use` tool, browser environment): its
 * predefined functions in, a function response with the URL and the
 * screenshot for each call back. A `safety_decision` of
 * `require_confirmation` pauses the run before the action; the approval
 * goes back as `safety_acknowledgement: "true"` in that call's response.
 */
export class GeminiTranslator implements Translator {
  private readonly history: Content[] = [];
  private pendingContent: Content | undefined;
  /** The function name (and the model's call id) of each call of the last reply, for its response. */
  private readonly functions = new Map<string, { name: string; id?: string }>();
  private calls = 0;
  private readonly retention: ScreenshotRetention;

  constructor(
    /** The client, made on the first request (the SDK is imported then). */
    private readonly ai: () => Promise<GoogleGenAI>,
    private readonly context: TranslatorContext,
  ) {
    this.retention = retentionFor(context.options.keepScreenshots, GEMINI_RETENTION);
  }

  get ready(): boolean {
    return this.pendingContent !== undefined;
  }

  private image(screen: ScreenInput): { inlineData: { mimeType: string; data: string } } {
    return { inlineData: { mimeType: screen.shot.mimeType, data: screen.shot.data.toString('base64') } };
  }

  start(task: string, screen: ScreenInput): void {
    this.pendingContent = { role: 'user', parts: [{ text: task }, this.image(screen)] };
  }

  request(): GenerateContentParameters {
    const { model, instructions } = this.context;
    return {
      model,
      contents: [
        ...recentScreenshotsOnly(this.history, this.pendingContent, this.retention),
        ...(this.pendingContent ? [this.pendingContent] : []),
      ],
      config: {
        // The enum's value spelled out: reading the enum would import the SDK at start.
        tools: [{ computerUse: { environment: 'ENVIRONMENT_BROWSER' as Environment.ENVIRONMENT_BROWSER } }],
        ...(instructions ? { systemInstruction: instructions } : {}),
      },
    };
  }

  async send(request: unknown, signal: AbortSignal | undefined): Promise<GenerateContentResponse> {
    const params = request as GenerateContentParameters;
    return (await this.ai()).models.generateContent({ ...params, config: { ...params.config, abortSignal: signal } });
  }

  read(reply: unknown): ModelReply {
    const response = reply as GenerateContentResponse;
    const content = response.candidates?.[0]?.content;
    const parts = content?.parts ?? [];
    if (this.pendingContent) this.history.push(this.pendingContent);
    this.history.push({ role: 'model', parts });
    this.pendingContent = undefined;
    this.functions.clear();

    const reasoning: string[] = [];
    const texts: string[] = [];
    const calls: ParsedCall[] = [];
    const problems: string[] = [];
    if (!content)
      problems.push(
        `no candidate in the reply${response.promptFeedback?.blockReason ? ` (blocked: ${response.promptFeedback.blockReason})` : ''}`,
      );
    for (const part of parts) {
      if (part.text) (part.thought ? reasoning : texts).push(part.text);
      if (part.functionCall) {
        const call = this.parse(part.functionCall.name ?? '', part.functionCall.args ?? {}, part.functionCall.id);
        calls.push(call);
        if (call.problem) problems.push(call.problem);
      }
    }
    const id = response.responseId;
    const usage = geminiUsage(response.usageMetadata);
    if (calls.length) return { id, calls, problems, reasoning: [...reasoning, ...texts], ...usage };
    return { id, calls, problems, reasoning, ...(texts.length ? { message: texts.join('\n') } : {}), ...usage };
  }

  private parse(name: string, raw: Record<string, unknown>, id: string | undefined): ParsedCall {
    const callId = id ?? `${name}_${++this.calls}`;
    this.functions.set(callId, { name, ...(id ? { id } : {}) });
    const call: ParsedCall = { callId, actions: [], descriptions: [], checks: [] };
    try {
      const safety = raw.safety_decision === undefined ? undefined : args.safety.parse(raw.safety_decision);
      if (safety?.decision === 'require_confirmation')
        call.checks = [{ id: callId, code: 'require_confirmation', message: safety.explanation ?? '' }];
      if (name === 'open_web_browser') {
        call.descriptions = ['open_web_browser'];
        return call;
      }
      call.actions = this.actions(name, raw);
      validateAgentActions(call.actions, { display: this.context.display, environment: this.context.environment });
      call.descriptions = call.actions.map(describeAgentAction);
    } catch (error) {
      call.actions = [];
      call.descriptions = [];
      call.problem = `${name}: ${error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message}`;
    }
    return call;
  }

  /** A grid point (0-999) as a screenshot pixel. */
  private pixel(x: number, y: number): { x: number; y: number } {
    const { width, height } = this.context.display;
    return { x: Math.min(width - 1, Math.floor((x / GRID) * width)), y: Math.min(height - 1, Math.floor((y / GRID) * height)) };
  }

  private scrollBy(dir: z.infer<typeof direction>, pixels: number): { scroll_x: number; scroll_y: number } {
    const sign = dir === 'up' || dir === 'left' ? -1 : 1;
    return dir === 'up' || dir === 'down' ? { scroll_x: 0, scroll_y: sign * pixels } : { scroll_x: sign * pixels, scroll_y: 0 };
  }

  /** One predefined function as our actions. */
  private actions(name: string, raw: Record<string, unknown>): AgentAction[] {
    const { width, height } = this.context.display;
    switch (name) {
      case 'click_at': {
        const a = args.point.parse(raw);
        return [{ type: 'click', button: 'left', ...this.pixel(a.x, a.y), keys: [] }];
      }
      case 'hover_at': {
        const a = args.point.parse(raw);
        return [{ type: 'move', ...this.pixel(a.x, a.y), keys: [] }];
      }
      case 'type_text_at': {
        const a = args.typeText.parse(raw);
        const actions: AgentAction[] = [{ type: 'click', button: 'left', ...this.pixel(a.x, a.y), keys: [] }];
        // Clearing is select-all then delete, as the reference harness does on Linux.
        if (a.clear_before_typing) actions.push({ type: 'keypress', keys: ['ctrl', 'a'] }, { type: 'keypress', keys: ['Delete'] });
        actions.push({ type: 'type', text: a.text });
        if (a.press_enter) actions.push({ type: 'keypress', keys: ['Enter'] });
        return actions;
      }
      case 'scroll_document': {
        const a = args.scrollDocument.parse(raw);
        const size = a.direction === 'up' || a.direction === 'down' ? height : width;
        return [
          {
            type: 'scroll',
            x: Math.floor(width / 2),
            y: Math.floor(height / 2),
            ...this.scrollBy(a.direction, Math.round(size * DOCUMENT_SCROLL_SHARE)),
            keys: [],
          },
        ];
      }
      case 'scroll_at': {
        const a = args.scrollAt.parse(raw);
        const size = a.direction === 'up' || a.direction === 'down' ? height : width;
        return [
          { type: 'scroll', ...this.pixel(a.x, a.y), ...this.scrollBy(a.direction, Math.round((a.magnitude / GRID) * size)), keys: [] },
        ];
      }
      case 'drag_and_drop': {
        const a = args.drag.parse(raw);
        return [{ type: 'drag', path: [this.pixel(a.x, a.y), this.pixel(a.destination_x, a.destination_y)], keys: [] }];
      }
      case 'key_combination':
        return [
          {
            type: 'keypress',
            keys: args.keys
              .parse(raw)
              .keys.split('+')
              .map((k) => k.trim()),
          },
        ];
      case 'wait_5_seconds':
        return [{ type: 'wait', ms: 5000 }];
      case 'go_back':
        return [{ type: 'history', direction: 'back' }];
      case 'go_forward':
        return [{ type: 'history', direction: 'forward' }];
      case 'navigate': {
        const url = args.navigate.parse(raw).url;
        return [{ type: 'navigate', url: /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}` }];
      }
      case 'search':
        return [{ type: 'navigate', url: SEARCH_PAGE }];
      default:
        throw new Error(`there is no function "${name}"`);
    }
  }

  answer({ outcomes, screen, acknowledged, interrupted }: TurnOutcome): void {
    const parts: Part[] = outcomes.map(({ call, error }) => {
      const fn = this.functions.get(call.callId) ?? { name: call.callId };
      const response: Record<string, unknown> = { url: screen.url ?? '' };
      if (error) response.error = error;
      if (acknowledged && call.checks.length) response.safety_acknowledgement = 'true';
      return { functionResponse: { ...fn, response, parts: [this.image(screen)] } };
    });
    if (interrupted) parts.push({ text: interrupted });
    this.pendingContent = { role: 'user', parts };
  }

  retry(note: string): void {
    this.pendingContent = { role: 'user', parts: [{ text: note }] };
  }

  end(): void {
    this.pendingContent = undefined;
  }
}

/** Gemini counts cached tokens within promptTokenCount, and thinking (thoughtsTokenCount) apart from candidatesTokenCount. */
function geminiUsage(usage: GenerateContentResponse['usageMetadata']): { usage?: TokenUsage } {
  if (!usage) return {};
  const thoughts = count(usage.thoughtsTokenCount);
  return {
    usage: {
      ...NO_TOKENS,
      input_tokens: count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount),
      cached_input_tokens: count(usage.cachedContentTokenCount),
      output_tokens: count(usage.candidatesTokenCount) + thoughts,
      reasoning_tokens: thoughts,
    },
  };
}

const imagesIn = (content: Content | undefined): number =>
  (content?.parts ?? []).reduce((n, p) => n + (p.inlineData ? 1 : 0) + (p.functionResponse?.parts?.length ? 1 : 0), 0);

/**
 * The history with its oldest screenshots left out as `retention` says,
 * counting the new content's (which keeps them all). A function response
 * loses its image part; a lone image becomes a note. The history itself is
 * left whole.
 */
function recentScreenshotsOnly(contents: Content[], next: Content | undefined, retention: ScreenshotRetention): Content[] {
  const old = contents.reduce((n, c) => n + imagesIn(c), 0);
  const drop = dropOldest(Math.min(old, screenshotsToDrop(old + imagesIn(next), retention)));
  return contents.map((content) => {
    if (content.role !== 'user' || imagesIn(content) === 0) return content;
    const parts = (content.parts ?? []).map((p): Part => {
      if (p.inlineData) return drop() ? { text: LEFT_OUT } : p;
      if (p.functionResponse?.parts?.length && drop()) return { functionResponse: { ...p.functionResponse, parts: undefined } };
      return p;
    });
    return { ...content, parts };
  });
}
