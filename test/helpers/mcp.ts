import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** dist/src/cli.js: tests run the built server, as users do. */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export interface ServerHandle {
  client: Client;
  stderr: () => string;
  /** The server process id (null once it exited). */
  pid: () => number | null;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool and fails the test if it returns isError. */
  ok(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Spawns `node dist/src/cli.js --headless ...args` (no --headless when args say --headed) and connects the real MCP SDK client over stdio. */
export async function startServer(
  args: string[] = [],
  env: Record<string, string> = {},
  clientOptions: ConstructorParameters<typeof Client>[1] = {},
  /** clientInfo sent in initialize: the server shapes results by client. */
  clientInfo = { name: 'cua-mcp-tests', version: '1.0.0' },
): Promise<ServerHandle> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    // Headless unless the test asks for a window.
    args: [CLI, ...(args.includes('--headed') ? [] : ['--headless']), ...args],
    env: { ...(process.env as Record<string, string>), CUA_LOG_LEVEL: 'debug', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client(clientInfo, clientOptions);
  await client.connect(transport);
  return wrapClient(
    client,
    () => stderr,
    () => transport.pid,
  );
}

/** The call/ok helpers around a connected client, whatever its transport. */
export function wrapClient(client: Client, stderr: () => string, pid: () => number | null = () => null): ServerHandle {
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    stderr,
    pid,
    call,
    async ok(name, args = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}\n--- server stderr ---\n${stderr().slice(-3000)}`);
      return result as CallToolResult & { structuredContent: Record<string, unknown> };
    },
    close: () => client.close(),
  };
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

export function imageOf(result: CallToolResult): { data: Buffer; mimeType: string } {
  const image = result.content.find((c) => c.type === 'image');
  if (!image || image.type !== 'image') throw new Error(`no image in result: ${textOf(result)}`);
  return { data: Buffer.from(image.data, 'base64'), mimeType: image.mimeType };
}
