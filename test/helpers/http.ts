import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, wrapClient, type ServerHandle } from './mcp.js';

export interface HttpServerProcess {
  /** http://127.0.0.1:PORT/mcp, as the server announced it. */
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** Waits for the lines the server logs (to stderr) to contain text. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Connects a real SDK client over Streamable HTTP; its close() ends the MCP session (DELETE). */
  connect(headers?: Record<string, string>): Promise<ServerHandle & { transport: StreamableHTTPClientTransport }>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A real SDK client (2025-11-25) connected over Streamable HTTP to `url`; its close() ends the MCP session (DELETE). */
export async function connectHttp(
  url: string,
  stderr: () => string,
  headers: Record<string, string> = {},
): Promise<ServerHandle & { transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: 'cua-mcp-http-tests', version: '1.0.0' });
  await client.connect(transport);
  const handle = wrapClient(client, stderr);
  // Ends the MCP session (DELETE) as a well-behaved client does, then closes the client.
  const close = async () => {
    await transport.terminateSession().catch(() => {});
    await client.close();
  };
  return Object.assign(handle, { transport, close });
}

/** Runs the built CLI with these args and resolves with its exit code and stderr (for servers meant to refuse to start). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--headless', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** Spawns `cua-mcp --headless --port 0 ...args` and waits until it listens; `nodeArgs` go to node itself (the bench's --cpu-prof). */
export async function startHttpServer(
  args: string[] = [],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, '--headless', '--port', '0', ...args], {
    env: { ...process.env, CUA_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLog = (text: string | RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray | string>((resolve, reject) => {
      const check = () => {
        const found = typeof text === 'string' ? (stderr.includes(text) ? text : null) : stderr.match(text);
        if (found) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`server did not log ${String(text)} within ${timeoutMs} ms; stderr:\n${stderr.slice(-3000)}`));
      }, timeoutMs);
      listeners.add(check);
      void exited.then((code) => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before logging ${String(text)}; stderr:\n${stderr.slice(-3000)}`));
        }
      });
      check();
    });
  const announced = (await waitForLog(/Streamable HTTP at (http:\/\/\S+\/mcp)/)) as RegExpMatchArray;
  const url = announced[1]!;
  return {
    url,
    child,
    stderr: () => stderr,
    waitForLog: async (text, timeoutMs) => void (await waitForLog(text, timeoutMs)),
    connect: (headers = {}) => connectHttp(url, () => stderr, headers),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request with full control of the headers (fetch cannot set Host). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The JSON-RPC error message of a refused request. */
export function errorMessage(res: RawResponse): string {
  return (JSON.parse(res.body) as { error: { message: string } }).error.message;
}

/** A JSON-RPC initialize body, as any client sends first. */
export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** Headers a Streamable HTTP POST must carry. */
export const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** The JSON-RPC message of a response, whether sent as JSON or as one SSE event. */
export function messageOf(body: string): { result?: Record<string, unknown>; error?: { code: number; message: string } } {
  const data = body.trimStart().startsWith('{')
    ? body
    : body
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5))
        .pop()!;
  return JSON.parse(data) as ReturnType<typeof messageOf>;
}
