import http from 'node:http';
import { LoopbackServer } from './loopback-server.js';

/**
 * A fake Anthropic Messages API on 127.0.0.1 for Claude Code
 * (`ANTHROPIC_BASE_URL`): it streams the documented SSE events and scripts
 * the model. Each request that offers the tools the script needs gets the
 * next scripted turn; any other request (Claude Code's own side requests)
 * gets a short text answer. Every `tool_result` Claude Code sends back is
 * recorded: it is exactly what the model would see.
 */
export type ModelTurn = { tool: string; input: Record<string, unknown> } | { text: string };

export interface ToolResultBlock {
  tool_use_id: string;
  content: (
    { type: 'text'; text: string } | { type: 'image'; source: { type: string; media_type: string; data: string } } | { type: string }
  )[];
  is_error?: boolean;
}

export class FakeClaudeCodeModel extends LoopbackServer {
  readonly toolResults = new Map<string, ToolResultBlock>();
  /** Every request line, for failure messages. */
  readonly log: string[] = [];
  private turns: ModelTurn[] = [];
  private counter = 0;
  /** tool_use id → tool name, for the calls this fake made. */
  private readonly calls = new Map<string, string>();

  script(turns: ModelTurn[]): void {
    this.turns = [...turns];
  }

  get remaining(): number {
    return this.turns.length;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.log.push(`${req.method} ${url.pathname}`);
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `fake: no ${url.pathname}` } }));
      return;
    }
    const body = JSON.parse(raw) as { model: string; tools?: { name: string }[]; messages: { role: string; content: unknown }[] };
    for (const message of body.messages) {
      if (!Array.isArray(message.content)) continue;
      for (const block of message.content as { type: string }[]) {
        if (block.type === 'tool_result')
          this.toolResults.set((block as unknown as ToolResultBlock).tool_use_id, block as unknown as ToolResultBlock);
      }
    }
    const offered = new Set((body.tools ?? []).map((t) => t.name));
    const next = this.turns[0];
    const scripted = next && (!('tool' in next) || offered.has(next.tool));
    const turn: ModelTurn = scripted ? this.turns.shift()! : { text: 'ok' };
    this.stream(res, body.model, turn);
  }

  private stream(res: http.ServerResponse, model: string, turn: ModelTurn): void {
    const id = ++this.counter;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: Record<string, unknown>) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('message_start', {
      message: {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    });
    if ('tool' in turn) {
      this.calls.set(`toolu_${id}`, turn.tool);
      send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: turn.tool, input: {} } });
      send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) } });
    } else {
      send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: turn.text } });
    }
    send('content_block_stop', { index: 0 });
    send('message_delta', {
      delta: { stop_reason: 'tool' in turn ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 1 },
    });
    send('message_stop', {});
    res.end();
  }

  /** The tool_result blocks Claude Code sent back for the calls of `tool`, in call order. */
  resultsFor(tool: string): ToolResultBlock[] {
    return [...this.calls].filter(([, name]) => name === tool).flatMap(([id]) => this.toolResults.get(id) ?? []);
  }
}
