import type { JsonValue } from '@modelcontextprotocol/ext-tasks/core';
import { TASKS_EXTENSION_ID_V2 } from '@modelcontextprotocol/ext-tasks/core/v2';
import {
  CLIENT_CAPABILITIES_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Principal } from '../session/principal.js';
import type { ToolResult } from '../tools/tool-result.js';
import { UnknownTaskError, type RunTasks } from './run-tasks.js';

/** Whether a 2026-07-28 request's client declared the Tasks extension (only such a client may get a task, or ask about one). */
export function takesTasks(envelope: { [CLIENT_CAPABILITIES_META_KEY]?: { extensions?: Record<string, unknown> } } | undefined): boolean {
  return envelope?.[CLIENT_CAPABILITIES_META_KEY]?.extensions?.[TASKS_EXTENSION_ID_V2] !== undefined;
}

const taskId = z.string().min(1, { error: 'taskId is required' });

/**
 * The Tasks extension's methods on a 2026-07-28 server object: tasks/get
 * (the run as get_run reports it), tasks/update (a person's answer to a
 * safety check), tasks/cancel (cancel_run). Only the principal's own tasks
 * answer; `present` shapes a result for this client as its tool results are.
 */
export function registerTaskMethods(
  server: McpServer,
  principal: Principal,
  tasks: RunTasks,
  present: (result: ToolResult) => ToolResult,
): void {
  server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION_ID_V2]: {} } });
  const task = (id: string, ctx: ServerContext) => {
    if (!takesTasks(ctx.mcpReq.envelope as Parameters<typeof takesTasks>[0])) {
      throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID_V2]: {} } } });
    }
    try {
      return tasks.get(principal, id);
    } catch (error) {
      if (error instanceof UnknownTaskError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
      throw error;
    }
  };
  server.server.setRequestHandler('tasks/get', { params: z.object({ taskId }) }, (params, ctx) => {
    const view = task(params.taskId, ctx).view();
    return (view.status === 'completed' ? { ...view, result: present(view.result as unknown as ToolResult) } : view) as Record<
      string,
      JsonValue
    >;
  });
  // The SDK lifts inputResponses out of the params (as for a retried call) and hands them over in the context.
  server.server.setRequestHandler('tasks/update', { params: z.object({ taskId }) }, (params, ctx) => {
    task(params.taskId, ctx).answer((ctx.mcpReq.inputResponses ?? {}) as never);
    return {};
  });
  server.server.setRequestHandler('tasks/cancel', { params: z.object({ taskId }) }, (params, ctx) => {
    task(params.taskId, ctx).cancel();
    return {};
  });
}
