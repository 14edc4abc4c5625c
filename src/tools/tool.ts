import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ServerConfig } from '../config.js';
import { log } from '../log.js';
import type { Principal } from '../session/principal.js';
import { closed, optional } from '../strict-schema.js';
import type { RequestContext } from './request-context.js';
import { outputSchemaFollowsPolicy, sendsStructuredContent, withoutStructuredContent } from './result-policy.js';

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What every tool handler gets besides its arguments. */
export interface ToolContext {
  /** Who is calling: the sessions and runs it holds. */
  principal: Principal;
  config: ServerConfig;
  /** This call: cancellation, progress, the client's log, questions to the person. */
  request: RequestContext;
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

/**
 * A session's handle as a tool argument. `x-mcp-header` lets 2026-07-28
 * clients mirror it into an `Mcp-Param-Session-Id` header, so a load
 * balancer can route the call to the server holding the session.
 */
const SESSION_ID_HEADER = { 'x-mcp-header': 'Session-Id' };

/** A required `session_id` argument. */
export const sessionIdArg = (description: string) => z.string().min(1).describe(description).meta(SESSION_ID_HEADER);

/** An optional `session_id` argument: left out (or null), the call uses what `description` says. */
export const optionalSessionIdArg = (description: string) => optional(z.string()).describe(description).meta(SESSION_ID_HEADER);

/** The optional `session_id` argument of every tool that acts on one session. */
export const optionalSessionId = optionalSessionIdArg('Session handle (from new_session, run_task or list_sessions); default: your default session');

/** Keeps the argument type of each handler tied to its schema. */
export function defineTool<Input extends z.ZodRawShape>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}

/** The tools' view of one call, from what the SDK hands a handler. */
function requestContext(server: McpServer, extra: ToolExtra): RequestContext {
  const token = extra._meta?.progressToken;
  const notify = (notification: ServerNotification) => void extra.sendNotification(notification).catch((error: unknown) => log.debug('notification not sent', error));
  return {
    signal: extra.signal,
    clientName: server.server.getClientVersion()?.name,
    progress(done, total, message) {
      if (token !== undefined) notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } });
    },
    log(level, logger, data) {
      notify({ method: 'notifications/message', params: { level, logger, data } });
    },
    askForm: server.server.getClientCapabilities()?.elicitation
      ? (form, signal) => server.server.elicitInput({ mode: 'form', ...form } as never, { signal, relatedRequestId: extra.requestId })
      : undefined,
  };
}

export function registerTools(
  server: McpServer,
  tools: ToolDefinition[],
  context: Omit<ToolContext, 'request'>,
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
        const result = await tool.handler(args as never, { ...context, request: requestContext(server, extra) });
        return structured() ? result : withoutStructuredContent(result);
      }) as never,
    );
    outputSchemaFollowsPolicy(registered, structured);
  }
}
