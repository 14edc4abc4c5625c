import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One model turn as the fake saw it: which run, which turn of it, and when its request came in and its answer went out. */
export interface Turn {
  /** The id of the run's first response: turns of one run share it. */
  run: string;
  /** 0 for a run's first request; n for the request that answers the n-th click. */
  step: number;
  arrived: number;
  answered: number;
  /** The screenshot the request carried (the start screen at step 0, the n-th click's result at step n), kept when asked for. */
  screenshot?: Buffer;
}

export interface FakeModelOptions {
  /** Clicks per run; then a final message. */
  steps: number;
  /** How long the model "thinks" per turn (0: answers at once). */
  turnMs?: number;
  /** Keep each request's screenshot in its Turn (to check later what the clicks did). */
  keepScreenshots?: boolean;
}

type Input = { type?: string; content?: { type?: string; image_url?: string }[]; output?: { image_url?: string } }[];

/** The PNG of the newest screenshot in a request's input: a computer_call_output's, or the task message's. */
function screenshotOf(input: unknown): Buffer | undefined {
  if (!Array.isArray(input)) return undefined;
  const urls = (input as Input)
    .flatMap((item) => [item.output?.image_url, ...(item.content ?? []).map((c) => c.image_url)])
    .filter((u): u is string => Boolean(u));
  const last = urls.at(-1);
  return last ? Buffer.from(last.slice(last.indexOf(',') + 1), 'base64') : undefined;
}

/** Where the n-th click of a run lands: spread over the lower half of the page, away from links. */
export function clickAt(step: number): { x: number; y: number } {
  return { x: 100 + ((step * 67) % 800), y: 600 + (step % 5) * 20 };
}

/**
 * A Responses API on 127.0.0.1 for the real `openai` SDK: every request is
 * answered (after `turnMs`) with a click, `steps` times per run, then a
 * final message. Any number of runs at once, told apart by
 * previous_response_id (or, with --history local, by the outputs resent).
 * It notes when each request arrived and was answered, so the time from an
 * answer to the next request of the same run is the harness's alone.
 */
export class FakeModel {
  readonly turns: Turn[] = [];
  private readonly chain = new Map<string, { run: string; step: number }>();
  private readonly server = http.createServer((req, res) => {
    const arrived = performance.now();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => void this.answer(req, res, body, arrived));
  });
  private seq = 0;
  origin = '';

  constructor(private readonly options: FakeModelOptions) {}

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: string, arrived: number): Promise<void> {
    if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const request = JSON.parse(body) as { model: string; previous_response_id?: string; input?: unknown; tools?: { type: string }[] };
    const id = `resp_${++this.seq}`;
    const previous = request.previous_response_id ? this.chain.get(request.previous_response_id) : undefined;
    const outputs = Array.isArray(request.input) ? (request.input as Input).filter((i) => i.type === 'computer_call_output').length : 0;
    const position = previous ? { run: previous.run, step: previous.step + 1 } : { run: id, step: outputs };
    this.chain.set(id, position);
    if (this.options.turnMs) await new Promise((resolve) => setTimeout(resolve, this.options.turnMs));
    const { step } = position;
    const batched = request.tools?.some((t) => t.type === 'computer') ?? false;
    const action = { type: 'click', button: 'left', ...clickAt(step) };
    const output =
      step < this.options.steps
        ? [
            {
              type: 'computer_call',
              id: `cu_${this.seq}`,
              call_id: `call_${this.seq}`,
              status: 'completed',
              pending_safety_checks: [],
              ...(batched ? { actions: [action] } : { action }),
            },
          ]
        : [
            {
              type: 'message',
              id: `msg_${this.seq}`,
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: 'Done.', annotations: [] }],
            },
          ];
    const response = {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: request.model,
      output,
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    const screenshot = this.options.keepScreenshots ? screenshotOf(request.input) : undefined;
    this.turns.push({ ...position, arrived, answered: performance.now(), ...(screenshot ? { screenshot } : {}) });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** What the server under test needs in its environment to use this model. */
  get env(): Record<string, string> {
    return { OPENAI_BASE_URL: `${this.origin}/v1`, OPENAI_API_KEY: 'bench-key', AZURE_OPENAI_ENDPOINT: '' };
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Per step of every run: the whole step (one answer to the next, the
 * model's turn included) and the harness's part (an answer to the next
 * request: action, settle, screenshot, building and sending the request).
 */
export function stepTimes(turns: readonly Turn[]): { steps: number[]; harness: number[] } {
  const last = new Map<string, Turn>();
  const steps: number[] = [];
  const harness: number[] = [];
  for (const turn of turns) {
    const prev = last.get(turn.run);
    last.set(turn.run, turn);
    if (!prev || turn.step !== prev.step + 1) continue;
    steps.push(turn.answered - prev.answered);
    harness.push(turn.arrived - prev.answered);
  }
  return { steps, harness };
}
