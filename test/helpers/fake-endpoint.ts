import http from 'node:http';
import { LoopbackServer } from './loopback-server.js';

/**
 * The common part of the fake model APIs on 127.0.0.1 (Responses,
 * Anthropic Messages, Gemini, Chat Completions): a script of replies, and
 * strictness about what arrives. Every broken expectation is answered 400
 * and recorded in `violations`, which each test asserts is empty.
 */
export interface Received {
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Aborts when the client drops the request before the reply is sent (a cancelled run stops waiting for its model). */
  dropped: AbortSignal;
}

/** A documented success shape (per API), or an HTTP failure to play back. */
export type Failure = { status: number; body: unknown; headers?: Record<string, string> };
export type Scripted<Success extends object> = Success | Failure | ((request: Received) => Success | Failure | Promise<Success | Failure>);

export type Item = Record<string, unknown>;

/**
 * A scripted turn the test answers when it says so ("answer this turn
 * now") instead of after a delay: `arrived` resolves with the request when
 * it comes in; the reply goes out once `release()` has been called (at once
 * if it was called before the request came).
 */
export type HeldTurn<Success extends object> = ((request: Received) => Promise<Success | Failure>) & {
  arrived: Promise<Received>;
  release(): void;
};

/** Width and height from a PNG's IHDR or a JPEG's SOF marker. */
export function imageSize(data: Buffer): { width: number; height: number; type: 'png' | 'jpeg' } | undefined {
  if (data.length > 24 && data.readUInt32BE(0) === 0x89504e47)
    return { type: 'png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data[0] === 0xff && data[1] === 0xd8) {
    for (let i = 2; i + 9 < data.length;) {
      if (data[i] !== 0xff) return undefined;
      const marker = data[i + 1]!;
      if (marker >= 0xc0 && marker <= 0xc2) return { type: 'jpeg', height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
      i += 2 + data.readUInt16BE(i + 2);
    }
  }
  return undefined;
}

/** Problems with a base64 screenshot: it must decode as `type` at exactly the display size. */
export function checkScreenshot(
  base64: string,
  mimeType: string,
  what: string,
  display: { width: number; height: number },
  type: 'png' | 'jpeg' = 'png',
): string[] {
  const size = imageSize(Buffer.from(base64, 'base64'));
  if (!size || `image/${size.type}` !== mimeType) return [`${what} does not decode as ${mimeType}`];
  if (size.type !== type) return [`${what} is ${size.type}, expected ${type}`];
  if (size.width !== display.width || size.height !== display.height)
    return [`${what} is ${size.width}x${size.height}, expected ${display.width}x${display.height}`];
  return [];
}

export abstract class FakeEndpoint<Success extends object> extends LoopbackServer {
  readonly received: Received[] = [];
  readonly violations: string[] = [];
  private turns: Array<Scripted<Success>> = [];
  private counter = 0;

  constructor(private readonly name: string) {
    super();
  }

  /** Replaces the script; the next request must start a new conversation unless `continuing`. */
  script(turns: Array<Scripted<Success>>, continuing = false): void {
    this.turns = [...turns];
    if (!continuing) this.forget();
    this.received.length = 0;
  }

  /** A turn that waits for the test's `release()`: see HeldTurn. */
  hold(reply: Success | Failure): HeldTurn<Success> {
    let arrive!: (request: Received) => void;
    let release!: () => void;
    const arrived = new Promise<Received>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const turn = async (request: Received) => {
      arrive(request);
      await released;
      return reply;
    };
    return Object.assign(turn, { arrived, release });
  }

  get remaining(): number {
    return this.turns.length;
  }

  protected nextId(prefix: string): string {
    return `${prefix}_${++this.counter}`;
  }

  /** Drops the conversation the fake remembers. */
  protected abstract forget(): void;
  /** What is wrong with a request (empty when it is right). */
  protected abstract verify(req: http.IncomingMessage, request: Received, raw: string): string[];
  /** The 200 body for a scripted success; the fake remembers it for the next request's checks. */
  protected abstract respond(success: Success, request: Received): unknown;

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      /* reported by verify */
    }
    const dropped = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) dropped.abort();
    });
    const request: Received = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      dropped: dropped.signal,
    };
    this.received.push(request);
    const problems = req.method !== 'POST' ? [`method ${req.method}, expected POST`] : this.verify(req, request, raw);
    if (problems.length) {
      this.violations.push(...problems);
      return this.send(res, 400, { error: { message: `fake ${this.name}: ${problems.join('; ')}`, type: 'invalid_request_error' } });
    }
    const turn = this.turns.shift();
    if (!turn) {
      this.violations.push(`unexpected request #${this.received.length}: the script is empty`);
      return this.send(res, 500, { error: { message: `fake ${this.name}: no scripted reply left` } });
    }
    const reply =
      typeof turn === 'function' ? await (turn as (request: Received) => Success | Failure | Promise<Success | Failure>)(request) : turn;
    if (reply && typeof reply === 'object' && 'status' in reply && typeof reply.status === 'number') {
      const failure = reply as Failure;
      return this.send(res, failure.status, failure.body, failure.headers);
    }
    this.send(res, 200, this.respond(reply as Success, request));
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }
}
