import type Anthropic from '@anthropic-ai/sdk';
import type {
  BetaContentBlockParam,
  BetaImageBlockParam,
  BetaMessage,
  BetaMessageParam,
  BetaTextBlockParam,
  BetaToolResultBlockParam,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { z } from 'zod';
import type { Point } from '../../computer/actions.js';
import { DEFAULT_WAIT_MS } from '../../computer/computer.js';
import { describeAgentAction, lastPoint, scaleAgentAction, validateAgentActions, type AgentAction } from '../../agent/actions.js';
import type { ModelReply, ParsedCall, ScreenInput, Translator, TranslatorContext, TurnOutcome } from '../../agent/translator.js';
import type { Screenshot } from '../../computer/computer.js';
import type { Size } from '../../images.js';
import { claudeImageSize, scaledScreen, zoomedRegion } from './claude-screen.js';
import { dropOldest, LEFT_OUT, retentionFor, screenshotsToDrop, type ScreenshotRetention } from '../screenshot-retention.js';
import { count, NO_TOKENS, type TokenUsage } from '../../agent/usage.js';

export type AnthropicTool = 'computer_20250124' | 'computer_20251124';

/** The beta each tool version needs in the `anthropic-beta` header. */
const BETA: Record<AnthropicTool, string> = {
  computer_20250124: 'computer-use-2025-01-24',
  computer_20251124: 'computer-use-2025-11-24',
};

/** Pixels per `scroll_amount` unit: one mouse-wheel notch, as a browser scrolls it (100 px). */
export const SCROLL_UNIT_PX = 100;
/** Longest wait or held key, in seconds: a turn must not stall the run. */
const MAX_SECONDS = 30;
/** The newest 3 screenshots always, older ones dropped 10 at a time: the cached prefix then holds 9 turns in 10. */
export const ANTHROPIC_RETENTION: ScreenshotRetention = { keep: 3, batch: 10 };
const MAX_TOKENS = 4096;
/** A cache breakpoint, as the prompt-caching guide spells it. */
const EPHEMERAL = { type: 'ephemeral' } as const;
/** User messages whose last block is a breakpoint; with the system prompt's that is the API's limit of 4. */
const MESSAGE_BREAKPOINTS = 3;

type UserBlock = BetaContentBlockParam;

function countImages(messages: BetaMessageParam[]): number {
  let total = 0;
  for (const message of messages) {
    if (message.role !== 'user' || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (block.type === 'image') total++;
      else if (block.type === 'tool_result' && Array.isArray(block.content))
        total += block.content.filter((c) => c.type === 'image').length;
    }
  }
  return total;
}

/**
 * The history and the new message, with the history's oldest screenshots
 * left out as `retention` says (a short note instead of each; the new
 * message keeps every one), and a cache breakpoint on the last block of the
 * newest user messages. The history itself is left whole.
 */
function cacheFriendly(history: BetaMessageParam[], next: BetaMessageParam[], retention: ScreenshotRetention): BetaMessageParam[] {
  const old = countImages(history);
  const drop = dropOldest(Math.min(old, screenshotsToDrop(old + countImages(next), retention)));
  const note = { type: 'text' as const, text: LEFT_OUT };
  const kept = history.map((message): BetaMessageParam => {
    if (message.role !== 'user' || !Array.isArray(message.content)) return message;
    const content = message.content.map((block): UserBlock => {
      if (block.type === 'image') return drop() ? note : block;
      if (block.type === 'tool_result' && Array.isArray(block.content)) {
        return {
          ...block,
          content: block.content.map((c) => (c.type === 'image' && drop() ? note : c)) as BetaToolResultBlockParam['content'],
        };
      }
      return block;
    });
    return { ...message, content };
  });
  const trimmed = [...kept, ...next];
  let left = MESSAGE_BREAKPOINTS;
  for (let i = trimmed.length - 1; i >= 0 && left > 0; i--) {
    const message = trimmed[i]!;
    if (message.role !== 'user' || !Array.isArray(message.content) || message.content.length === 0) continue;
    const content = [...message.content];
    content[content.length - 1] = { ...content.at(-1)!, cache_control: EPHEMERAL } as UserBlock;
    trimmed[i] = { ...message, content };
    left--;
  }
  return trimmed;
}

/** Anthropic counts cache reads and writes apart from input_tokens: all three are what the model read. */
function anthropicUsage(usage: BetaMessage['usage'] | undefined): { usage?: TokenUsage } {
  if (!usage) return {};
  const cached = count(usage.cache_read_input_tokens);
  const written = count(usage.cache_creation_input_tokens);
  return {
    usage: {
      ...NO_TOKENS,
      input_tokens: count(usage.input_tokens) + cached + written,
      cached_input_tokens: cached,
      cache_write_tokens: written,
      output_tokens: count(usage.output_tokens),
    },
  };
}

/** The tool version a model takes: computer_20251124 for Claude Opus 4.5 and for 4.6 and later. */
export function anthropicToolFor(model: string, option: 'auto' | AnthropicTool): AnthropicTool {
  if (option !== 'auto') return option;
  const match = /claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2})(?!\d))?/i.exec(model);
  if (!match) return 'computer_20250124';
  const [, family, major, minor = '0'] = match;
  const version = Number(major) + Number(minor) / 10;
  return version >= 4.6 || (family!.toLowerCase() === 'opus' && version >= 4.5) ? 'computer_20251124' : 'computer_20250124';
}

const coordinate = z.tuple([z.number().int(), z.number().int()], { error: 'must be [x, y] in screenshot pixels' });
const toolInput = z.looseObject({
  action: z.string({ error: 'action is required' }),
  coordinate: coordinate.nullish(),
  start_coordinate: coordinate.nullish(),
  text: z.string().nullish(),
  duration: z
    .number()
    .min(0)
    .max(MAX_SECONDS, { error: `duration is at most ${MAX_SECONDS} seconds here` })
    .nullish(),
  scroll_direction: z.enum(['up', 'down', 'left', 'right']).nullish(),
  scroll_amount: z.number().int().min(0).max(100).nullish(),
  region: z
    .tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()], {
      error: 'must be [x0, y0, x1, y1] in screenshot pixels',
    })
    .nullish(),
});
type ToolInput = z.infer<typeof toolInput>;

/** `ctrl+shift+t` → ["ctrl", "shift", "t"]. */
const chord = (text: string) =>
  text
    .split('+')
    .map((k) => k.trim())
    .filter(Boolean);

/**
 * Anthropic's computer-use tool (Messages API, beta): `tool_use` blocks
 * in, a `tool_result` with the screenshot for each back. Claude has no
 * safety checks of its own: the run pauses only for --confirm-actions.
 * The conversation is resent whole each turn (the API keeps no state),
 * with only the last few screenshots, dropped in batches, and cache
 * breakpoints on the system prompt and the newest user messages.
 */
export class AnthropicTranslator implements Translator {
  readonly tool: AnthropicTool;
  /** The screenshot size Claude is told and sent; its coordinates are mapped back to the session's by `toScreen`. */
  readonly size: Size;
  private readonly toScreen: { x: number; y: number };
  private readonly retention: ScreenshotRetention;
  /** zoom calls of the last reply: the region each asked for, in the session's screenshot pixels. */
  private readonly zoomCalls = new Map<string, { left: number; top: number; width: number; height: number }>();
  /** Their answers, cut from the screen after the turn (see). */
  private readonly zoomImages = new Map<string, Screenshot>();
  private readonly history: BetaMessageParam[] = [];
  private pendingMessage: BetaMessageParam | undefined;
  /** Where the last pointer action left the pointer: the answer to cursor_position, and where coordinate-less clicks land. */
  private pointer: Point = { x: 0, y: 0 };
  /** Calls of the last reply that answer with the pointer position. */
  private readonly cursorCalls = new Set<string>();

  constructor(
    /** The client, made on the first request (see anthropicSdk). */
    private readonly client: () => Promise<Anthropic>,
    private readonly context: TranslatorContext,
  ) {
    this.tool = anthropicToolFor(context.model, context.options.anthropicTool);
    this.retention = retentionFor(context.options.keepScreenshots, ANTHROPIC_RETENTION);
    const { display } = context;
    this.size = claudeImageSize(display);
    this.toScreen = { x: display.width / this.size.width, y: display.height / this.size.height };
  }

  /** Claude's screenshot at its size, and the regions the last reply's zoom calls asked for, at full resolution. */
  async see(screen: ScreenInput): Promise<ScreenInput> {
    this.zoomImages.clear();
    for (const [callId, region] of this.zoomCalls) this.zoomImages.set(callId, await zoomedRegion(screen.shot, region, this.size));
    return scaledScreen(screen, this.size);
  }

  get ready(): boolean {
    return this.pendingMessage !== undefined;
  }

  private image(shot: Screenshot): BetaImageBlockParam {
    return { type: 'image', source: { type: 'base64', media_type: shot.mimeType, data: shot.data.toString('base64') } };
  }

  start(task: string, screen: ScreenInput): void {
    this.pendingMessage = { role: 'user', content: [{ type: 'text', text: task }, this.image(screen.shot)] };
  }

  private system(): string {
    const { environment, instructions } = this.context;
    const display = this.size;
    const screen =
      environment === 'browser'
        ? 'a web browser; the screenshot shows the page only, with no browser toolbar (ctrl+L opens an address bar to type a URL into, Enter goes there)'
        : 'a desktop';
    const lines = [
      `You operate ${screen} through the computer tool. Screenshots are ${display.width}x${display.height} pixels; coordinates are pixels of the screenshot.`,
      'Each tool result carries the screen after the action. When the task is done, or you need the person, answer in text without a tool call.',
    ];
    if (instructions) lines.push(instructions);
    return lines.join('\n');
  }

  request(): MessageCreateParamsNonStreaming {
    const { model } = this.context;
    const display = this.size;
    const messages = cacheFriendly(this.history, this.pendingMessage ? [this.pendingMessage] : [], this.retention);
    return {
      model,
      max_tokens: MAX_TOKENS,
      // The tools and the system prompt never change: their breakpoint is the one every turn shares.
      system: [{ type: 'text', text: this.system(), cache_control: EPHEMERAL }],
      tools: [
        {
          type: this.tool,
          name: 'computer',
          display_width_px: display.width,
          display_height_px: display.height,
          ...(this.tool === 'computer_20251124' ? { enable_zoom: true } : {}),
        },
      ],
      messages,
      betas: [BETA[this.tool]],
    };
  }

  async send(request: unknown, signal: AbortSignal | undefined): Promise<BetaMessage> {
    return (await this.client()).beta.messages.create(request as MessageCreateParamsNonStreaming, { signal });
  }

  read(reply: unknown): ModelReply {
    const message = reply as BetaMessage;
    const content = Array.isArray(message.content) ? message.content : [];
    if (this.pendingMessage) this.history.push(this.pendingMessage);
    this.history.push({ role: 'assistant', content: content as BetaContentBlockParam[] });
    this.pendingMessage = undefined;
    this.cursorCalls.clear();
    this.zoomCalls.clear();

    const texts = content.flatMap((block) => (block.type === 'text' && block.text ? [block.text] : []));
    const calls: ParsedCall[] = [];
    const problems: string[] = [];
    for (const block of content) {
      if (block.type !== 'tool_use') continue;
      const call = this.parse(block.id, block.name, block.input);
      calls.push(call);
      if (call.problem) problems.push(call.problem);
    }
    if (message.stop_reason === 'refusal') texts.push('Refused: the model declined to go on.');
    const usage = anthropicUsage(message.usage);
    // Text beside tool calls is narration; text alone is the answer.
    if (calls.length) return { id: message.id, calls, problems, reasoning: texts, ...usage };
    return { id: message.id, calls, problems, reasoning: [], ...(texts.length ? { message: texts.join('\n') } : {}), ...usage };
  }

  private parse(callId: string, name: string, raw: unknown): ParsedCall {
    const call: ParsedCall = { callId, actions: [], descriptions: [], checks: [] };
    try {
      if (name !== 'computer') throw new Error(`there is no tool "${name}"; use the computer tool`);
      const parsed = toolInput.safeParse(raw);
      if (!parsed.success) throw new Error(`computer ${JSON.stringify(raw)?.slice(0, 200)} is not valid: ${z.prettifyError(parsed.error)}`);
      if (parsed.data.action === 'cursor_position') {
        this.cursorCalls.add(callId);
        call.descriptions = ['cursor_position'];
        return call;
      }
      if (parsed.data.action === 'zoom' && this.tool === 'computer_20251124') {
        const region = this.zoomRegion(parsed.data.region);
        this.zoomCalls.set(callId, region);
        call.descriptions = [`zoom ${region.left},${region.top} ${region.width}x${region.height}`];
        return call;
      }
      // Claude's points are in its screenshot's pixels: checked there, then mapped to the session's.
      const claudeActions = this.actions(parsed.data);
      validateAgentActions(claudeActions, { display: this.size, environment: this.context.environment });
      call.actions =
        this.toScreen.x === 1 && this.toScreen.y === 1
          ? claudeActions
          : claudeActions.map((a) => scaleAgentAction(a, this.toScreen, this.context.display));
      call.descriptions = call.actions.map(describeAgentAction);
      this.pointer = lastPoint(claudeActions) ?? this.pointer;
    } catch (error) {
      call.actions = [];
      call.descriptions = [];
      call.problem = (error as Error).message;
    }
    return call;
  }

  /** A zoom region [x0, y0, x1, y1] in Claude's pixels, as a rectangle of the session's screenshot. */
  private zoomRegion(region: ToolInput['region']): { left: number; top: number; width: number; height: number } {
    if (!region) throw new Error('zoom needs region [x0, y0, x1, y1]');
    const [x0, y0, x1, y1] = region;
    const { width, height } = this.size;
    if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x1 <= x0 || y1 <= y0) {
      throw new Error(`zoom region [${region.join(', ')}] must lie within the ${width}x${height} screenshot, with x0 < x1 and y0 < y1`);
    }
    const { display } = this.context;
    const left = Math.min(display.width - 1, Math.floor(x0 * this.toScreen.x));
    const top = Math.min(display.height - 1, Math.floor(y0 * this.toScreen.y));
    return {
      left,
      top,
      width: Math.max(1, Math.min(display.width - left, Math.round((x1 - x0) * this.toScreen.x))),
      height: Math.max(1, Math.min(display.height - top, Math.round((y1 - y0) * this.toScreen.y))),
    };
  }

  /** One tool_use input as our actions. */
  private actions(input: ToolInput): AgentAction[] {
    const need = <T>(value: T | null | undefined, field: string): T => {
      if (value === undefined || value === null) throw new Error(`${input.action} needs ${field}`);
      return value;
    };
    const at = (): Point => (input.coordinate ? { x: input.coordinate[0], y: input.coordinate[1] } : this.pointer);
    const keys = input.text ? chord(input.text) : [];
    const click = (button: 'left' | 'right' | 'wheel'): AgentAction => ({ type: 'click', button, ...at(), keys });
    const moveFirst = (): AgentAction[] => (input.coordinate ? [{ type: 'move', ...at(), keys: [] }] : []);
    switch (input.action) {
      case 'screenshot':
        return [{ type: 'screenshot' }];
      case 'left_click':
        return [click('left')];
      case 'right_click':
        return [click('right')];
      case 'middle_click':
        return [click('wheel')];
      case 'double_click':
        return [{ type: 'double_click', ...at(), keys }];
      case 'triple_click':
        return [{ type: 'triple_click', ...at(), keys }];
      case 'left_mouse_down':
        return [...moveFirst(), { type: 'mouse_down', button: 'left' }];
      case 'left_mouse_up':
        return [...moveFirst(), { type: 'mouse_up', button: 'left' }];
      case 'left_click_drag': {
        const start = input.start_coordinate ? { x: input.start_coordinate[0], y: input.start_coordinate[1] } : this.pointer;
        const end = need(input.coordinate, 'coordinate (where to drop)');
        return [{ type: 'drag', path: [start, { x: end[0], y: end[1] }], keys: [] }];
      }
      case 'mouse_move':
        need(input.coordinate, 'coordinate');
        return [{ type: 'move', ...at(), keys: [] }];
      case 'key':
        // xdotool syntax: "ctrl+a", several chords separated by spaces ("ctrl+a Delete").
        return need(input.text, 'text (keys such as ctrl+a)')
          .split(/\s+/)
          .filter(Boolean)
          .map((combo) => ({ type: 'keypress', keys: chord(combo) }));
      case 'hold_key':
        return [
          {
            type: 'hold_key',
            keys: chord(need(input.text, 'text (the key to hold)')),
            ms: Math.round(need(input.duration, 'duration (seconds)') * 1000),
          },
        ];
      case 'type':
        return [{ type: 'type', text: need(input.text, 'text') }];
      case 'scroll': {
        const amount = (input.scroll_amount ?? 3) * SCROLL_UNIT_PX;
        const direction = need(input.scroll_direction, 'scroll_direction (up, down, left or right)');
        const scroll_x = direction === 'left' ? -amount : direction === 'right' ? amount : 0;
        const scroll_y = direction === 'up' ? -amount : direction === 'down' ? amount : 0;
        return [{ type: 'scroll', ...at(), scroll_x, scroll_y, keys }];
      }
      case 'wait':
        return [
          {
            type: 'wait',
            ms: input.duration === undefined || input.duration === null ? DEFAULT_WAIT_MS : Math.round(input.duration * 1000),
          },
        ];
      case 'zoom':
        throw new Error('zoom is not enabled on this tool; take a screenshot instead');
      default:
        throw new Error(`unknown action "${input.action}"`);
    }
  }

  answer({ outcomes, screen, interrupted }: TurnOutcome): void {
    const results: BetaContentBlockParam[] = outcomes.map(({ call, error }): BetaToolResultBlockParam => {
      const text = error ?? (this.cursorCalls.has(call.callId) ? `X=${this.pointer.x},Y=${this.pointer.y}` : undefined);
      const content: Array<BetaTextBlockParam | BetaImageBlockParam> = [
        ...(text ? [{ type: 'text' as const, text }] : []),
        this.image(this.zoomImages.get(call.callId) ?? screen.shot),
      ];
      return { type: 'tool_result', tool_use_id: call.callId, content, ...(error ? { is_error: true } : {}) };
    });
    if (interrupted) results.push({ type: 'text', text: interrupted });
    this.pendingMessage = { role: 'user', content: results };
  }

  retry(note: string): void {
    this.pendingMessage = { role: 'user', content: [{ type: 'text', text: note }] };
  }

  end(): void {
    this.pendingMessage = undefined;
  }
}
