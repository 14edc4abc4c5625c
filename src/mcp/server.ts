import { randomBytes } from 'node:crypto';
import { createRequestStateCodec, McpServer } from '@modelcontextprotocol/server';
import type { ServerConfig } from './server-config.js';
import type { Principal } from '../session/principal.js';
import type { QuestionState } from '../tools/request-context.js';
import { agentTools, sessionTools, operatorTools } from '../tools/index.js';
import { isOperator } from '../tools/server-status.js';
import { registerTools, type Era } from './register-tools.js';
import { sendsStructuredContent, withoutStructuredContent } from './result-policy.js';
import type { RunTasks } from './run-tasks.js';
import { registerTaskMethods } from './task-methods.js';
import { SERVER_VERSION } from '../version.js';
import { registerRunResources } from './run-resources.js';
import type { Runs } from '../runs.js';

/** What every MCP server object of one process shares: the run in each session, and the runs followed as tasks. */
export interface ServedRuns {
  runs: Runs;
  tasks: RunTasks;
}

export const SERVER_NAME = 'cua-mcp-server';

const INSTRUCTIONS = [
  'Operates a real browser, or a Linux desktop, through its screen.',
  'Use `computer` with computer-use actions (click, type, keypress, scroll, drag...) in screenshot pixel coordinates; every result carries the new screenshot.',
  'Calls without session_id share one default browser session; `new_session` opens an isolated one and returns its session_id, a handle that stays valid across reconnects until close_session or the idle timeout.',
  '`new_session` with environment "desktop" opens a whole Linux desktop instead, where `launch_app` starts the applications the server allows.',
  '`run_task` hands a whole task to a computer-use model that works the browser until done; when it pauses on a safety check, ask the user and call `acknowledge_safety_check`.',
  "A run still working when the call's wait is over answers with status `running` and goes on: follow it with `get_run`, stop it with `cancel_run`.",
].join(' ');

/** Signs the state a question in a result carries (2026-07-28 input_required): one key for the process, whose servers answer every retry. */
const REQUEST_STATE_KEY = randomBytes(32);

/**
 * One MCP server object per client connection (2025-11-25) or per request
 * (2026-07-28), serving the principal behind it; the sessions live in the
 * shared manager, their runs in the server's run table.
 */
export function createMcpServer(principal: Principal, { runs, tasks }: ServedRuns, config: ServerConfig, era: Era): McpServer {
  // Bound to the principal: a question's state, echoed back by someone else, is refused.
  const questions = createRequestStateCodec<QuestionState>({ key: REQUEST_STATE_KEY, bind: () => principal.id });
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Computer-use MCP server' },
    { instructions: INSTRUCTIONS, capabilities: { logging: {} }, requestState: { verify: questions.verify } },
  );
  // Another principal's server object never lists the operator's tools: calling one is "not found".
  const tools = [...sessionTools, ...agentTools, ...(isOperator(principal, config) ? operatorTools : [])];
  registerTools(server, tools, { principal, runs, config }, { era, questions, tasks, answeredWithTask: false });
  if (era === 'modern') {
    const structured = () => sendsStructuredContent(config.structuredOutput, server.server.getClientVersion()?.name);
    registerTaskMethods(server, principal, tasks, (result) => (structured() ? result : withoutStructuredContent(result)));
  }
  registerRunResources(server, principal, config);
  return server;
}
