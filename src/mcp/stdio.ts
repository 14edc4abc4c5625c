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
  // One server object per protocol era, made on the era's first request: a client may probe with server/discover
  // (2026-07-28) and then open with initialize (2025-11-25), which pins a 2025 one. Each tells the client when its recorded runs change.
  const servers = new Map<string, McpServer>();
  const runs = new Runs(config, () => {
    for (const server of servers.values()) void server.sendResourceListChanged();
  });
  const served = { runs, tasks: new RunTasks(runs) };
  const serverFor = (era: Parameters<typeof createMcpServer>[3]): McpServer => {
    let server = servers.get(era);
    if (!server) servers.set(era, (server = createMcpServer(principal, served, config, era)));
    return server;
  };
  const transport = new AnsweringStdioTransport();
  serveEras((request) => serverFor(request.era), { transport, onerror: (error) => log.debug('stdio', error) });
  log.info('serving MCP over stdio');
  await transport.ended;
}
