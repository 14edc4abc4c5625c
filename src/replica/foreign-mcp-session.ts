import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { McpServer } from '@modelcontextprotocol/server';

/**
 * Answers one POST of a 2025-11-25 client whose MCP session another replica
 * holds: the load balancer sent it here because the session handle in its
 * body is ours (a client that reconnected elsewhere), or because that
 * replica is gone. The request is answered on its own, as a stateless
 * server would, for the token's principal: the MCP session holds nothing
 * but the connection (sessions and runs belong to the principal).
 */
export async function answerWithoutMcpSession(server: McpServer, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.once('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
