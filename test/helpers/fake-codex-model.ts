import http from 'node:http';
import { LoopbackServer } from './loopback-server.js';

/**
 * A fake Responses API on 127.0.0.1 for the Codex CLI (a custom model
 * provider with `wire_api = "responses"`): it streams the SSE events Codex
 * reads (`response.created`, `response.output_item.done`,
 * `response.completed`) and scripts the model one output item per request.
 * Every request body is kept: the items Codex sends back (a
 * `function_call_output`) are exactly what its model would see.
 */
export type Item = Record<string, unknown>;

export class FakeCodexModel extends LoopbackServer {
  readonly requests: { path: string; body: { input?: Item[]; tools?: Item[] } }[] = [];
  private turns: Item[] = [];
  private counter = 0;

  /** One output item per model request, in order; then a final message. */
  script(turns: Item[]): void {
    this.turns = [...turns];
  }

  get remaining(): number {
    return this.turns.length;
  }

  /** Codex's client-side tool search: the model asks for tools matching `query`. */
  toolSearch(query: string): Item {
    const id = ++this.counter;
    return {
      type: 'tool_search_call',
      id: `ts_${id}`,
      call_id: `call_ts_${id}`,
      execution: 'client',
      status: 'completed',
      arguments: { query, limit: 8 },
    };
  }

  /** A call of a function in a namespace (MCP tools are `mcp__<server>`). */
  functionCall(namespace: string, name: string, args: Record<string, unknown>): Item {
    const id = ++this.counter;
    return {
      type: 'function_call',
      id: `fc_${id}`,
      call_id: `call_${id}`,
      namespace,
      name,
      arguments: JSON.stringify(args),
      status: 'completed',
    };
  }

  message(text: string): Item {
    return {
      type: 'message',
      id: `msg_${++this.counter}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
  }

  /** The function_call_output Codex sent for the call `call_id`. */
  outputFor(callId: string): Item | undefined {
    for (const { body } of this.requests) {
      const found = body.input?.find((item) => item.type === 'function_call_output' && item.call_id === callId);
      if (found) return found;
    }
    return undefined;
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'POST' || !path.endsWith('/responses')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `fake: no ${req.method} ${path}` } }));
      return;
    }
    const body = JSON.parse(raw) as { input?: Item[]; tools?: Item[] };
    this.requests.push({ path, body });
    const item = this.turns.shift() ?? this.message('Done.');
    const id = `resp_${++this.counter}`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: Item) => res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
    send({ type: 'response.created', response: { id } });
    send({ type: 'response.output_item.done', output_index: 0, item });
    send({ type: 'response.completed', response: { id, usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } });
    res.end();
  }
}
