import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';

/**
 * MCP over stdin/stdout, one JSON-RPC message per line. Unlike the SDK's
 * stdio transport, which drops a line it cannot parse (leaving the client
 * waiting for an answer that never comes), this one answers: -32700 for
 * text that is not JSON, -32600 for a request that is not valid JSON-RPC.
 */
export class AnsweringStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private pending = '';
  private closed = false;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  private readonly onData = (chunk: Buffer | string) => {
    this.pending += chunk.toString();
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      if (line.trim()) this.receive(line);
    }
  };

  private readonly onEnd = () => void this.close();

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
  }

  private receive(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      log.warn(`stdin: not JSON: ${line.slice(0, 120)}`);
      void this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: `Parse error: ${(error as Error).message}` } } as unknown as JSONRPCMessage);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (parsed.success) {
      this.onmessage?.(parsed.data);
      return;
    }
    const id = (value as { id?: unknown } | null)?.id;
    const problem = parsed.error.issues.map((i) => `${i.message}${i.path.length ? ` at ${i.path.join('.')}` : ''}`).join('; ');
    log.warn(`stdin: not a valid JSON-RPC message: ${problem}`);
    // Only a request (it has an id) expects an answer; a broken notification is just logged.
    if (typeof id === 'string' || typeof id === 'number') {
      void this.send({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: `Invalid request: ${problem}` } } as unknown as JSONRPCMessage);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(JSON.stringify(message) + '\n')) resolve();
      else this.output.once('drain', () => resolve());
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.onclose?.();
  }
}
