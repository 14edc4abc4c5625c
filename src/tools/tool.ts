import { z } from 'zod';
import type { ClientImageLimits } from '../images.js';
import type { Runs } from '../runs.js';
import type { Principal } from '../session/principal.js';
import type { PrincipalLimits } from '../session/quotas.js';
import { optional } from '../strict-schema.js';
import type { RequestContext } from './request-context.js';
import type { ToolResult } from './tool-result.js';

/** MCP's hints about what a tool does (the client may ask before running a tool that is not read-only). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** What the tools read of the server's settings (a ServerConfig has them). */
export interface ToolSettings {
  clientImage: ClientImageLimits;
  callWaitSeconds: number;
  maxSessions: number;
  principalLimits: PrincipalLimits;
  /** Principal ids that get the operator's view (server_status). */
  operators: string[];
  /** The principals of the accepted tokens, when serving over HTTP. */
  http?: { tokens: readonly { principal: string }[] };
}

/** What every tool handler gets besides its arguments. */
export interface ToolContext {
  /** Who is calling: the sessions and runs it holds. */
  principal: Principal;
  /** The run in each session, and how to start one. */
  runs: Runs;
  config: ToolSettings;
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
  handler: (args: z.infer<z.ZodObject<Input>>, context: ToolContext) => Promise<ToolResult>;
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
export const optionalSessionId = optionalSessionIdArg(
  'Session handle (from new_session, run_task or list_sessions); default: your default session',
);

/** Keeps the argument type of each handler tied to its schema. */
export function defineTool<Input extends z.ZodRawShape>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}
