import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ServerConfig } from '../config.js';
import { closed, optional } from '../strict-schema.js';
import type { ClientConnection } from './connection.js';
import { outputSchemaFollowsPolicy, sendsStructuredContent, withoutStructuredContent } from './result-policy.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What every tool handler gets besides its arguments. */
export interface ToolContext {
  connection: ClientConnection;
  config: ServerConfig;
  extra: ToolExtra;
  /** When the call arrived (Date.now()): waits the client asked for (wait_seconds) count from here, not from when a browser was ready. */
  arrivedAt: number;
}

export interface ToolDefinition<Input extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema?: z.ZodRawShape;
  annotations?: ToolAnnotations;
  /** Protocol metadata of the tool, e.g. the MCP Apps view that shows its results. */
  _meta?: Record<string, unknown>;
  handler: (args: z.infer<z.ZodObject<Input>>, context: ToolContext) => Promise<CallToolResult>;
}

/** The optional `session_id` argument of every tool that acts on a session. */
export const optionalSessionId = optional(z.string()).describe('Browser session (default: this connection\'s default session)');

/** Keeps the argument type of each handler tied to its schema. */
export function defineTool<Input extends z.ZodRawShape>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}

export function registerTools(
  server: McpServer,
  tools: ToolDefinition[],
  context: Omit<ToolContext, 'extra' | 'arrivedAt'>,
): void {
  const structured = () => sendsStructuredContent(context.config.structuredOutput, server.server);
  for (const tool of tools) {
    const registered = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        // Closed, so strict-mode clients accept even a tool without arguments.
        inputSchema: closed(tool.inputSchema),
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
        ...(tool._meta ? { _meta: tool._meta } : {}),
      },
      // The SDK has validated args against inputSchema before this runs.
      (async (args: Record<string, unknown>, extra: ToolExtra) => {
        const result = await tool.handler(args as never, { ...context, extra, arrivedAt: Date.now() });
        return structured() ? result : withoutStructuredContent(result);
      }) as never,
    );
    outputSchemaFollowsPolicy(registered, structured);
  }
}
