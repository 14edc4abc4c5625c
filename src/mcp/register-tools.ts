import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import { closed } from '../strict-schema.js';
import type { RequestContext } from '../tools/request-context.js';
import type { ToolContext, ToolDefinition } from '../tools/tool.js';
import { outputSchemaFollowsPolicy, sendsStructuredContent, withoutStructuredContent } from './result-policy.js';

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

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
