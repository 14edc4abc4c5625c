import type { SessionManager } from '../session/session-manager.js';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import { connectServer, createMcpServer } from '../server.js';
import { AnsweringStdioTransport } from './answering-stdio-transport.js';

/** Serves one client over stdin/stdout until stdin closes. */
export async function serveStdio(sessions: SessionManager, config: ServerConfig): Promise<void> {
  const { server, connection } = createMcpServer(sessions, config);
  const transport = new AnsweringStdioTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await connectServer(server, transport);
  log.info('serving MCP over stdio');
  await closed;
  await connection.close();
}
