import {
  ProtocolErrorCode as ErrorCode,
  specTypeSchemas,
  type JSONRPCMessage,
  type StandardSchemaV1,
  type Transport,
} from '@modelcontextprotocol/server';
import { log } from '../log.js';

/** The longest message line read, as the SDK's own stdio reader allows; longer ones are answered with an error and skipped. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

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
  /** Bytes of the line being read, as they arrived; decoded together once the line ends, so characters split between reads stay whole. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while the rest of an over-long line is thrown away, up to its newline. */
  private discarding = false;
  private closed = false;
  private end!: () => void;
  /** Settles once the transport has closed (stdin ended, or close()), whoever owns its onclose. */
  readonly ended = new Promise<void>((resolve) => (this.end = resolve));

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  // Only the new chunk is scanned for newlines: time stays linear in the input whatever the line lengths.
  private readonly onData = (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let newline: number;
    while ((newline = data.indexOf(0x0a)) >= 0) {
      this.append(data.subarray(0, newline));
      data = data.subarray(newline + 1);
      const line = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
      const dropped = this.discarding;
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      if (!dropped && line.trim()) this.receive(line);
    }
    this.append(data);
  };

  /** Keeps part of the current line, unless that makes it longer than MAX_LINE_BYTES: then the line is refused and skipped. */
  private append(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.pendingBytes + part.length <= MAX_LINE_BYTES) {
      this.pending.push(part);
      this.pendingBytes += part.length;
      return;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = true;
    log.warn(`stdin: a message longer than ${MAX_LINE_BYTES} bytes was discarded`);
    void this.send({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: ErrorCode.InvalidRequest,
        message: `Invalid request: a message is longer than ${MAX_LINE_BYTES} bytes (10 MiB), the most this server reads; it was discarded`,
      },
    } as unknown as JSONRPCMessage);
  }

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
      void this.send({
        jsonrpc: '2.0',
        id: null,
        error: { code: ErrorCode.ParseError, message: `Parse error: ${(error as Error).message}` },
      } as unknown as JSONRPCMessage);
      return;
    }
    const parsed = specTypeSchemas.JSONRPCMessage['~standard'].validate(value) as StandardSchemaV1.Result<JSONRPCMessage>;
    if (!parsed.issues) {
      this.onmessage?.(parsed.value);
      return;
    }
    const id = (value as { id?: unknown } | null)?.id;
    const problem = parsed.issues
      .map(
        (i) =>
          `${i.message}${i.path?.length ? ` at ${i.path.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')}` : ''}`,
      )
      .join('; ');
    log.warn(`stdin: not a valid JSON-RPC message: ${problem}`);
    // Only a request (it has an id) expects an answer; a broken notification is just logged.
    if (typeof id === 'string' || typeof id === 'number') {
      void this.send({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.InvalidRequest, message: `Invalid request: ${problem}` },
      } as unknown as JSONRPCMessage);
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
    this.end();
  }
}
