import type OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { Point } from '../../computer/actions.js';
import { describeAgentAction, validateAgentActions, type AgentAction } from '../../agent/actions.js';
import type { ModelReply, ParsedCall, ScreenInput, Translator, TranslatorContext, TurnOutcome } from '../../agent/translator.js';
import { dropOldest, LEFT_OUT, retentionFor, screenshotsToDrop, type ScreenshotRetention } from '../screenshot-retention.js';
import { count, NO_TOKENS, type TokenUsage } from '../../agent/usage.js';

/**
 * How the model gives points. `absolute` (UI-TARS 1.5): pixels of the
 * screenshot as the model's image processor resized it (Qwen2.5-VL
 * smart_resize: each side rounded to a multiple of 28, at most 16384
 * patches). `relative` (UI-TARS 1.0 and 2): 0-1000 on each axis.
 */
export type TextCoordinates = 'absolute' | 'relative';

/** Pixels one `scroll` moves, in the screenshot (the grammar has no amount). */
export const TEXT_SCROLL_PX = 500;
/** `wait()` sleeps this long, as the grammar documents. */
const WAIT_MS = 5000;
/** UI-TARS is trained with a few recent screenshots: 4 to 7 of them, older ones dropped 4 at a time (the server's prefix cache holds between drops). */
export const TEXT_ACTION_RETENTION: ScreenshotRetention = { keep: 4, batch: 4 };
const MAX_TOKENS = 1024;

const PATCH = 28;
const MIN_PIXELS = 100 * PATCH * PATCH;
const MAX_PIXELS = 16384 * PATCH * PATCH;

/** The image size a Qwen2.5-VL processor (UI-TARS 1.5) turns a width x height screenshot into. */
export function smartResize(width: number, height: number): { width: number; height: number } {
  let w = Math.max(PATCH, Math.round(width / PATCH) * PATCH);
  let h = Math.max(PATCH, Math.round(height / PATCH) * PATCH);
  if (w * h > MAX_PIXELS) {
    const beta = Math.sqrt((width * height) / MAX_PIXELS);
    w = Math.floor(width / beta / PATCH) * PATCH;
    h = Math.floor(height / beta / PATCH) * PATCH;
  } else if (w * h < MIN_PIXELS) {
    const beta = Math.sqrt(MIN_PIXELS / (width * height));
    w = Math.ceil((width * beta) / PATCH) * PATCH;
    h = Math.ceil((height * beta) / PATCH) * PATCH;
  }
  return { width: w, height: h };
}

/** The action space, exactly as UI-TARS was trained to write it. */
const ACTION_SPACE = [
  "click(start_box='<|box_start|>(x1,y1)<|box_end|>')",
  "left_double(start_box='<|box_start|>(x1,y1)<|box_end|>')",
  "right_single(start_box='<|box_start|>(x1,y1)<|box_end|>')",
  "drag(start_box='<|box_start|>(x1,y1)<|box_end|>', end_box='<|box_start|>(x3,y3)<|box_end|>')",
  "hotkey(key='')",
  'type(content=\'\') #If you want to submit your input, use "\\n" at the end of `content`.',
  "scroll(start_box='<|box_start|>(x1,y1)<|box_end|>', direction='down or up or right or left')",
  'wait() #Sleep for 5s and take a screenshot to check for any changes.',
  "finished(content='xxx') # Use escape characters \\', \\\", and \\n in content part to ensure we can parse the content in normal python string format.",
].join('\n');

function prompt(task: string, instructions: string | undefined): string {
  return [
    'You are a GUI agent. You get a task and the screenshots of what your actions did. Do the next action towards the task.',
    '',
    '## Output Format',
    '```',
    'Thought: ...',
    'Action: ...',
    '```',
    '',
    '## Action Space',
    ACTION_SPACE,
    '',
    '## Note',
    '- Write a short plan and the next action (with its target element) in one sentence in the `Thought` part.',
    ...(instructions ? [`- ${instructions}`] : []),
    '',
    '## User Instruction',
    task,
  ].join('\n');
}

/** One `name(key='value', ...)` call as written. */
interface TextCall {
  name: string;
  args: Record<string, string>;
}

/** The calls after `Action:`; throws saying what is malformed. */
export function parseActionText(text: string): TextCall[] {
  const start = text.search(/Action:/);
  if (start < 0) throw new Error('the reply has no "Action:" line');
  const source = text.slice(start + 'Action:'.length);
  const calls: TextCall[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  for (skipSpace(); i < source.length; skipSpace()) {
    const name = /^[a-z_]+/i.exec(source.slice(i))?.[0];
    if (!name || source[i + name.length] !== '(')
      throw new Error(`cannot read an action at ${JSON.stringify(source.slice(i, i + 40))}: write name(key='value')`);
    i += name.length + 1;
    const args: Record<string, string> = {};
    for (skipSpace(); source[i] !== ')'; skipSpace()) {
      if (i >= source.length) throw new Error(`${name}( is not closed`);
      const key = /^[a-z_]+/i.exec(source.slice(i))?.[0];
      if (!key) throw new Error(`${name}: expected an argument name at ${JSON.stringify(source.slice(i, i + 20))}`);
      i += key.length;
      skipSpace();
      if (source[i] !== '=') throw new Error(`${name}: ${key} needs ='value'`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== "'" && quote !== '"') throw new Error(`${name}: the value of ${key} must be quoted`);
      let value = '';
      for (i++; source[i] !== quote; i++) {
        if (i >= source.length) throw new Error(`${name}: the value of ${key} is not closed`);
        if (source[i] === '\\' && i + 1 < source.length) {
          const next = source[++i]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        } else value += source[i];
      }
      i++;
      args[key] = value;
      skipSpace();
      if (source[i] === ',') i++;
    }
    i++;
    calls.push({ name, args });
  }
  if (calls.length === 0) throw new Error('"Action:" is followed by no action');
  return calls;
}

/**
 * Open models that answer in text actions (UI-TARS's grammar) on an
 * OpenAI-compatible Chat Completions server (vLLM, Azure AI Foundry).
 * The reply's `Thought:` is the reasoning, its `Action:` lines the call;
 * the answer is the next screenshot, or what was wrong with the reply.
 */
export class TextActionTranslator implements Translator {
  private readonly history: ChatCompletionMessageParam[] = [];
  private pendingMessage: ChatCompletionMessageParam | undefined;
  private turns = 0;
  /** The size of the image the model sees, in the coordinates it answers in. */
  private readonly grid: { width: number; height: number };
  private readonly retention: ScreenshotRetention;

  constructor(
    /** The client, made on the first request (see openaiSdk). */
    private readonly client: () => Promise<OpenAI>,
    private readonly context: TranslatorContext,
  ) {
    this.retention = retentionFor(context.options.keepScreenshots, TEXT_ACTION_RETENTION);
    this.grid =
      context.options.textActionCoordinates === 'relative'
        ? { width: 1000, height: 1000 }
        : smartResize(context.display.width, context.display.height);
  }

  get ready(): boolean {
    return this.pendingMessage !== undefined;
  }

  private image(screen: ScreenInput): ChatCompletionContentPart {
    return { type: 'image_url', image_url: { url: screen.dataUrl } };
  }

  start(task: string, screen: ScreenInput): void {
    this.pendingMessage = { role: 'user', content: [{ type: 'text', text: prompt(task, this.context.instructions) }, this.image(screen)] };
  }

  request(): ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.context.model,
      messages: [
        ...recentImagesOnly(this.history, this.pendingMessage, this.retention),
        ...(this.pendingMessage ? [this.pendingMessage] : []),
      ],
      temperature: 0,
      max_tokens: MAX_TOKENS,
    };
  }

  async send(request: unknown, signal: AbortSignal | undefined): Promise<ChatCompletion> {
    return (await this.client()).chat.completions.create(request as ChatCompletionCreateParamsNonStreaming, { signal });
  }

  read(reply: unknown): ModelReply {
    const completion = reply as ChatCompletion;
    const text = completion.choices?.[0]?.message?.content ?? '';
    const id = completion.id;
    if (this.pendingMessage) this.history.push(this.pendingMessage);
    this.history.push({ role: 'assistant', content: text });
    this.pendingMessage = undefined;
    return { ...this.parseReply(text, id), ...chatUsage(completion.usage) };
  }

  /** The reply's `Thought:` and `Action:` lines as the loop's terms. */
  private parseReply(text: string, id: string): ModelReply {
    const thought = /Thought:\s*([\s\S]*?)(?=\n\s*Action:|$)/.exec(text)?.[1]?.trim();
    const reasoning = thought ? [thought] : [];
    const call: ParsedCall = { callId: `turn_${++this.turns}`, actions: [], descriptions: [], checks: [] };
    try {
      const calls = parseActionText(text);
      const done = calls.find((c) => c.name === 'finished' || c.name === 'call_user');
      if (done) {
        const message =
          done.name === 'finished'
            ? (done.args.content ?? 'Done.')
            : `The model asks for your help${done.args.content ? `: ${done.args.content}` : '.'}`;
        return { id, calls: [], problems: [], reasoning, message };
      }
      call.actions = calls.flatMap((c) => this.actions(c));
      validateAgentActions(call.actions, { display: this.context.display, environment: this.context.environment });
      call.descriptions = call.actions.map(describeAgentAction);
    } catch (error) {
      if (!/Action:/.test(text)) return { id, calls: [], problems: [(error as Error).message], reasoning };
      call.actions = [];
      call.problem = (error as Error).message;
    }
    return { id, calls: [call], problems: call.problem ? [call.problem] : [], reasoning };
  }

  /** A box argument as a screenshot pixel: `(x,y)`, a box's centre `(x1,y1,x2,y2)`, `<point>x y</point>`, in the model's convention. */
  private point(call: TextCall, key: string): Point {
    const raw = call.args[key];
    if (raw === undefined) throw new Error(`${call.name} needs ${key}='(x,y)'`);
    const numbers = (raw.replace(/<\|box_(start|end)\|>/g, '').match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
    if (numbers.length !== 2 && numbers.length !== 4)
      throw new Error(`${call.name}: ${key}=${JSON.stringify(raw)} is not a point (x,y) or a box (x1,y1,x2,y2)`);
    const [x, y] = numbers.length === 4 ? [(numbers[0]! + numbers[2]!) / 2, (numbers[1]! + numbers[3]!) / 2] : [numbers[0]!, numbers[1]!];
    const { width, height } = this.context.display;
    return { x: Math.round((x * width) / this.grid.width), y: Math.round((y * height) / this.grid.height) };
  }

  /** One text action as our actions. */
  private actions(call: TextCall): AgentAction[] {
    const keys = (value: string | undefined) => (value ?? '').split(/[\s+]+/).filter(Boolean);
    switch (call.name) {
      case 'click':
      case 'left_single':
        return [{ type: 'click', button: 'left', ...this.point(call, 'start_box'), keys: [] }];
      case 'left_double':
        return [{ type: 'double_click', ...this.point(call, 'start_box'), keys: [] }];
      case 'right_single':
        return [{ type: 'click', button: 'right', ...this.point(call, 'start_box'), keys: [] }];
      case 'hover':
        return [{ type: 'move', ...this.point(call, 'start_box'), keys: [] }];
      case 'drag':
      case 'select':
        return [{ type: 'drag', path: [this.point(call, 'start_box'), this.point(call, 'end_box')], keys: [] }];
      case 'hotkey':
      case 'press': {
        const chord = keys(call.args.key ?? call.args.hotkey);
        if (chord.length === 0) throw new Error(`${call.name} needs key='ctrl c'`);
        return [{ type: 'keypress', keys: chord }];
      }
      case 'type': {
        const content = call.args.content ?? '';
        // A trailing newline submits, as the grammar says.
        const submit = content.endsWith('\n');
        const text = submit ? content.slice(0, -1) : content;
        const typed: AgentAction[] = text ? [{ type: 'type', text }] : [];
        if (submit) typed.push({ type: 'keypress', keys: ['Enter'] });
        return typed;
      }
      case 'scroll': {
        const at = call.args.start_box
          ? this.point(call, 'start_box')
          : { x: Math.floor(this.context.display.width / 2), y: Math.floor(this.context.display.height / 2) };
        const direction = call.args.direction ?? '';
        const by = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] }[direction];
        if (!by) throw new Error(`scroll: direction=${JSON.stringify(direction)} must be up, down, left or right`);
        return [{ type: 'scroll', ...at, scroll_x: by[0]! * TEXT_SCROLL_PX, scroll_y: by[1]! * TEXT_SCROLL_PX, keys: [] }];
      }
      case 'wait':
        return [{ type: 'wait', ms: WAIT_MS }];
      default:
        throw new Error(`unknown action ${call.name}(); use one of the Action Space`);
    }
  }

  answer({ outcomes, screen, interrupted }: TurnOutcome): void {
    const notes = [
      ...outcomes.flatMap(({ error }) => (error ? [`Your action was not run: ${error}`] : [])),
      ...(interrupted ? [interrupted] : []),
    ];
    this.pendingMessage = {
      role: 'user',
      content: [...(notes.length ? [{ type: 'text' as const, text: notes.join('\n') }] : []), this.image(screen)],
    };
  }

  retry(note: string): void {
    this.pendingMessage = { role: 'user', content: `${note}\nAnswer as:\nThought: ...\nAction: ...` };
  }

  end(): void {
    this.pendingMessage = undefined;
  }
}

/** Chat Completions counts cached tokens within prompt_tokens and reasoning within completion_tokens (vLLM leaves the details out). */
function chatUsage(usage: ChatCompletion['usage']): { usage?: TokenUsage } {
  if (!usage) return {};
  return {
    usage: {
      ...NO_TOKENS,
      input_tokens: count(usage.prompt_tokens),
      cached_input_tokens: count(usage.prompt_tokens_details?.cached_tokens),
      output_tokens: count(usage.completion_tokens),
      reasoning_tokens: count(usage.completion_tokens_details?.reasoning_tokens),
    },
  };
}

const imagesIn = (message: ChatCompletionMessageParam | undefined): number =>
  message?.role === 'user' && Array.isArray(message.content) ? message.content.filter((part) => part.type === 'image_url').length : 0;

/** The history with its oldest screenshots left out as `retention` says (a note instead), counting the new message's; the history itself is left whole. */
function recentImagesOnly(
  messages: ChatCompletionMessageParam[],
  next: ChatCompletionMessageParam | undefined,
  retention: ScreenshotRetention,
): ChatCompletionMessageParam[] {
  const old = messages.reduce((n, m) => n + imagesIn(m), 0);
  const drop = dropOldest(Math.min(old, screenshotsToDrop(old + imagesIn(next), retention)));
  return messages.map((message) => {
    if (message.role !== 'user' || !Array.isArray(message.content)) return message;
    return {
      ...message,
      content: message.content.map((part) => (part.type === 'image_url' && drop() ? { type: 'text' as const, text: LEFT_OUT } : part)),
    };
  });
}
