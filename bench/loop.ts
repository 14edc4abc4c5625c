import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchContext } from './context.js';
import { OurServer } from './drivers.js';
import type { Row } from './report.js';
import { summarize } from './stats.js';

const STEPS_PER_RUN = 10;

interface Turn {
  arrived: number;
  answered: number;
  step: number;
}

/**
 * A Responses API with zero model latency: every request is answered at
 * once with a click (STEPS_PER_RUN times per run), then a final message.
 * It records when each request arrived and when it was answered, so the
 * time between an answer and the next request is the harness's alone.
 */
class FakeResponses {
  readonly turns: Turn[] = [];
  private readonly depth = new Map<string, number>();
  private readonly server = http.createServer((req, res) => {
    const arrived = performance.now();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => this.answer(req, res, body, arrived));
  });
  private seq = 0;
  origin = '';

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string, arrived: number): void {
    if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const request = JSON.parse(body) as { model: string; previous_response_id?: string; input?: unknown; tools?: { type: string }[] };
    const outputs = Array.isArray(request.input) ? request.input.filter((i: { type?: string }) => i.type === 'computer_call_output').length : 0;
    const step = request.previous_response_id ? (this.depth.get(request.previous_response_id) ?? 0) + 1 : outputs;
    const id = `resp_${++this.seq}`;
    this.depth.set(id, step);
    const batched = request.tools?.some((t) => t.type === 'computer') ?? false;
    const action = { type: 'click', button: 'left', x: 100 + ((step * 67) % 800), y: 600 + (step % 5) * 20 };
    const output =
      step < STEPS_PER_RUN
        ? [{ type: 'computer_call', id: `cu_${this.seq}`, call_id: `call_${this.seq}`, status: 'completed', pending_safety_checks: [], ...(batched ? { actions: [action] } : { action }) }]
        : [{ type: 'message', id: `msg_${this.seq}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] }];
    const response = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: request.model, output, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    this.turns.push({ arrived, answered: performance.now(), step });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Item 7: `run_task` through the MCP client against the fake model: steps per second and the harness's share of a step. */
export async function benchLoop(ctx: BenchContext): Promise<Row[]> {
  const item = '7. model loop, zero model latency';
  const fake = await new FakeResponses().start();
  const server = await OurServer.start([], { OPENAI_BASE_URL: `${fake.origin}/v1`, OPENAI_API_KEY: 'bench-key', AZURE_OPENAI_ENDPOINT: '' });
  try {
    const { tools } = await server.mcp.client.listTools();
    if (!tools.some((t) => t.name === 'run_task')) {
      return [{ item, contender: 'cua-mcp (ours)', unit: '', note: 'skipped: run_task not available' }];
    }
    const runs = Math.max(3, Math.round(ctx.rounds / 4));
    const statuses: string[] = [];
    for (let run = 0; run <= runs; run++) {
      if (run === 1) fake.turns.length = 0; // the first run is the warm-up
      const result = await server.mcp.call('run_task', { task: 'Click around the page', start_url: ctx.pages.url('/realistic'), max_steps: STEPS_PER_RUN + 5 });
      if (run > 0) statuses.push(String((result.structuredContent as { status?: string } | undefined)?.status));
    }
    // A step: from the model's answer to the next request (our harness) plus the model's own turn.
    const steps: number[] = [];
    const harness: number[] = [];
    for (let i = 1; i < fake.turns.length; i++) {
      const [prev, turn] = [fake.turns[i - 1]!, fake.turns[i]!];
      if (turn.step === 0) continue;
      steps.push(turn.answered - prev.answered);
      harness.push(turn.arrived - prev.answered);
    }
    const step = summarize(steps);
    const share = summarize(harness.map((h, i) => (100 * h) / steps[i]!));
    const model = summarize(steps.map((s, i) => s - harness[i]!));
    const ours = ctx.shared.get('ours click');
    const completed = statuses.filter((s) => s === 'completed').length;
    return [
      {
        item,
        contender: 'cua-mcp (ours) run_task',
        stat: step,
        unit: 'ms/step',
        note: `${(1000 / step.median).toFixed(1)} steps/s; ${runs} runs × ${STEPS_PER_RUN} clicks, ${completed}/${runs} completed${ours ? `; item 1's computer click ${ours.median.toFixed(1)} ms` : ''}`,
      },
      {
        item: '7. harness share of a step',
        contender: 'cua-mcp (ours) run_task',
        stat: share,
        unit: '%',
        note: `model's answer → next request, over the step; the fake model's own turn (request in, answer out) ${model.median.toFixed(1)} ms`,
      },
    ];
  } finally {
    await server.close();
    await fake.stop();
  }
}
