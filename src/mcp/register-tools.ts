import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  inputRequired,
  inputResponse,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { log } from '../log.js';
import { closed } from '../strict-schema.js';
import type { FormAnswer, QuestionState, RequestContext } from '../tools/request-context.js';
import type { ToolResult } from '../tools/tool-result.js';
import type { ToolContext, ToolDefinition } from '../tools/tool.js';
import { outputSchemaFollowsPolicy, sendsStructuredContent, withoutStructuredContent } from './result-policy.js';
import type { RunTasks } from './run-tasks.js';
import { takesTasks } from './task-methods.js';
import type { ServerConfig } from './server-config.js';

/** Which protocol the server object speaks: 2025-11-25 and before, or 2026-07-28. */
export type Era = 'legacy' | 'modern';

/** The key of the one question a run tool asks in its result. */
const QUESTION = 'safety_check';

/** What a 2026-07-28 request says about its client, in its `_meta`. */
type Envelope = {
  [CLIENT_INFO_META_KEY]?: { name?: string };
  [CLIENT_CAPABILITIES_META_KEY]?: { elicitation?: unknown; extensions?: Record<string, unknown> };
};

/** What the server object of one era shares with every call it serves. */
export interface CallServices {
  era: Era;
  questions: RequestStateCodec<QuestionState>;
  tasks: RunTasks;
  /** Set once the server answered a call with a task: see registerTools. */
  answeredWithTask: boolean;
}

/** The tools' view of one call, from what the SDK hands a handler. */
function requestContext(
  server: McpServer,
  ctx: ServerContext,
  context: Omit<ToolContext, 'request'>,
  services: CallServices,
): RequestContext {
  const { questions, tasks } = services;
  const envelope = ctx.mcpReq.envelope as Envelope | undefined;
  const state = ctx.mcpReq.requestState<QuestionState>();
  const reply = inputResponse(ctx.mcpReq.inputResponses, QUESTION);
  const token = ctx.mcpReq._meta?.progressToken;
  const notify = (notification: { method: string; params: Record<string, unknown> }) =>
    void ctx.mcpReq.notify(notification).catch((error: unknown) => log.debug('notification not sent', error));
  return {
    signal: ctx.mcpReq.signal,
    arrivedAt: Date.now(),
    clientName: clientOf(server, ctx)?.name,
    progress(done, total, message) {
      if (token !== undefined)
        notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } });
    },
    log(level, logger, data) {
      notify({ method: 'notifications/message', params: { level, logger, data } });
    },
    // A 2025 client is asked with elicitation/create; a 2026-07-28 request has no channel back (input_required is its way).
    askForm:
      !envelope && server.server.getClientCapabilities()?.elicitation
        ? (form, signal) => ctx.mcpReq.elicitInput({ mode: 'form', ...form } as never, { signal })
        : undefined,
    askInResult: envelope?.[CLIENT_CAPABILITIES_META_KEY]?.elicitation
      ? async (form, question) =>
          inputRequired({
            inputRequests: { [QUESTION]: inputRequired.elicit({ mode: 'form', ...form } as never) },
            requestState: await questions.mint(question, ctx),
          }) as unknown as ToolResult
      : undefined,
    followAsTask: takesTasks(envelope)
      ? (run, finish) => {
          services.answeredWithTask = true;
          return tasks.open(
            context.principal,
            run,
            finish,
            Boolean(envelope?.[CLIENT_CAPABILITIES_META_KEY]?.elicitation),
          ) as unknown as ToolResult;
        }
      : undefined,
    // No answer to a question that was asked (the client dropped it) counts as dismissed: nothing is decided.
    answered: state
      ? {
          state,
          answer: reply.kind === 'elicit' ? { action: reply.action, content: reply.content } : ({ action: 'cancel' } satisfies FormAnswer),
        }
      : undefined,
  };
}

/** Who is calling: from initialize (2025), or from the request's own envelope (2026-07-28). */
function clientOf(server: McpServer, ctx: ServerContext): { name?: string } | undefined {
  return (ctx.mcpReq.envelope as Envelope | undefined)?.[CLIENT_INFO_META_KEY] ?? server.server.getClientVersion();
}

/**
 * The input schema a client of this era is shown. 2026-07-28 allows
 * x-mcp-header only on a property of one primitive type (the SDK leaves a
 * tool out of tools/list otherwise), so an optional header argument is
 * listed there as plain `string` (strict-mode clients such as the OpenAI
 * Agents SDK add the `null` themselves); 2025 clients see `string` or
 * `null`. null is parsed as "not given" either way.
 */
function inputSchemaFor(shape: z.ZodRawShape, era: Era): z.ZodRawShape {
  if (era === 'legacy') return shape;
  return Object.fromEntries(
    Object.entries(shape as Record<string, z.ZodType>).map(([name, schema]) => {
      const meta = schema.meta();
      return [name, meta?.['x-mcp-header'] ? schema.meta({ ...meta, type: 'string', anyOf: undefined }) : schema];
    }),
  );
}

export function registerTools(
  server: McpServer,
  tools: ToolDefinition[],
  context: Omit<ToolContext, 'request' | 'config'> & { config: ServerConfig },
  services: CallServices,
): void {
  const structured = () => sendsStructuredContent(context.config.structuredOutput, server.server.getClientVersion()?.name);
  for (const tool of tools) {
    const registered = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        // Closed, so strict-mode clients accept even a tool without arguments.
        inputSchema: closed(inputSchemaFor(tool.inputSchema, services.era)),
        outputSchema: tool.outputSchema ? z.object(tool.outputSchema) : undefined,
        annotations: { title: tool.title, ...tool.annotations },
        ...(tool._meta ? { _meta: tool._meta } : {}),
      },
      // The SDK has validated args against inputSchema before this runs.
      (async (args: Record<string, unknown>, ctx: ServerContext) => {
        context.principal.quota.seen();
        const result = await tool.handler(args as never, { ...context, request: requestContext(server, ctx, context, services) });
        return structured() ? result : withoutStructuredContent(result);
      }) as never,
    );
    // A task's handle is not the result the output schema describes (the task's result is), and the SDK checks every
    // answer of the tool against it: a server object that answered with a task leaves it out from then on.
    outputSchemaFollowsPolicy(registered, () => structured() && !services.answeredWithTask);
  }
}
