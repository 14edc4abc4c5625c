import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SessionManager } from './session/session-manager.js';
import type { ServerConfig } from './config.js';
import { ClientConnection, sharedOwner } from './tools/connection.js';
import { agentTools, browserTools } from './tools/index.js';
import { registerRunResources } from './tools/run-resources.js';
import { registerTools } from './tools/tool.js';
import { SERVER_VERSION } from './version.js';

export const SERVER_NAME = 'cua-mcp-server';

const INSTRUCTIONS = [
  'Operates a real browser, or a Linux desktop, through its screen.',
  'Use `computer` with computer-use actions (click, type, keypress, scroll, drag...) in screenshot pixel coordinates; every result carries the new screenshot.',
  'Calls without session_id share one default browser session; `new_session` opens an isolated one.',
  '`new_session` with environment "desktop" opens a whole Linux desktop instead, where `launch_app` starts the applications the server allows.',
  '`run_task` hands a whole task to a computer-use model that works the browser until done; when it pauses on a safety check, ask the user and call `acknowledge_safety_check`.',
  'A run still working when the call\'s wait is over answers with status `running` and goes on: follow it with `get_run`, stop it with `cancel_run`.',
].join(' ');

/** One MCP server object per client connection; the browser sessions live in the shared manager. */
export function createMcpServer(sessions: SessionManager, config: ServerConfig): { server: McpServer; connection: ClientConnection } {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Computer-use MCP server' },
    { instructions: INSTRUCTIONS, capabilities: { logging: {} } },
  );
  const connection = new ClientConnection(sessions, config.shareSessions ? sharedOwner(sessions) : undefined);
  connection.mcpServer = server.server;
  registerTools(server, [...browserTools, ...agentTools], { connection, config });
  registerRunResources(server, connection, config);
  return { server, connection };
}

/**
 * A JSON-RPC error's message without the SDK's "MCP error <code>: " prefix.
 * The SDK's McpError writes the prefix into its message and the SDK sends
 * that message as is; the client's McpError adds it again, so users read
 * `MCP error -32002: MCP error -32002: ...`. The code travels in `code`.
 */
function withoutCodePrefix(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message)) return message;
  const prefix = `MCP error ${message.error.code}: `;
  return message.error.message.startsWith(prefix) ? { ...message, error: { ...message.error, message: message.error.message.slice(prefix.length) } } : message;
}

/** Connects the server to a transport whose error responses carry their message once (see withoutCodePrefix). */
export function connectServer(server: McpServer, transport: Transport): Promise<void> {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(withoutCodePrefix(message), options);
  return server.connect(transport);
}
