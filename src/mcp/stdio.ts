import { randomUUID } from 'node:crypto';
import { Principal } from '../session/principal.js';
import type { SessionManager } from '../session/session-manager.js';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import { createMcpServer } from './server.js';
import { AnsweringStdioTransport } from './answering-stdio-transport.js';

/** Serves one client over stdin/stdout until stdin closes; the caller then closes the sessions with the server. */
export async function serveStdio(sessions: SessionManager, config: ServerConfig): Promise<void> {
  // The one client of this process is its one principal; its recorded runs are this process's.
  const server = createMcpServer(new Principal(`stdio:${randomUUID()}`, sessions), config);
  const transport = new AnsweringStdioTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  log.info('serving MCP over stdio');
  await closed;
}
