import type { McpServer } from '@modelcontextprotocol/server';
import { serveStdio as serveEras } from '@modelcontextprotocol/server/stdio';
import { Principal } from '../session/principal.js';
import { stdioPrincipal } from '../session/principal-ids.js';
import type { SessionManager } from '../session/session-manager.js';
import type { ServerConfig } from './server-config.js';
import { log } from '../log.js';
import { createMcpServer } from './server.js';
import { AnsweringStdioTransport } from './answering-stdio-transport.js';
import { RunTasks } from './run-tasks.js';
import { Runs } from '../runs.js';

/**
 * Serves one client over stdin/stdout until stdin closes; the caller then
 * closes the sessions with the server. The SDK picks the era from the
 * opening message: `initialize` (2025-11-25) or `server/discover` and
 * requests carrying their version (2026-07-28).
 */
export async function serveStdio(sessions: SessionManager, config: ServerConfig): Promise<void> {
  // The one client of this process is its one principal; its recorded runs are this process's.
  const principal = new Principal(stdioPrincipal(), sessions);
  // The connection's one server object (serveStdio pins the first it makes) tells the client when its recorded runs change.
  let server: McpServer | undefined;
  const runs = new Runs(config, () => void server?.sendResourceListChanged());
  const served = { runs, tasks: new RunTasks(runs) };
  const transport = new AnsweringStdioTransport();
  serveEras((request) => (server ??= createMcpServer(principal, served, config, request.era)), { transport, onerror: (error) => log.debug('stdio', error) });
  log.info('serving MCP over stdio');
  await transport.ended;
}
