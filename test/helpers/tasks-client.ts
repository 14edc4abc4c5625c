import { Client, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import type { JsonValue } from '@modelcontextprotocol/ext-tasks/core';
import {
  createTaskSessionFromClient,
  type ApplicationInputHandler,
  type RawClientDispatch,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';

const CLIENT_INFO = { name: 'cua-mcp-tasks-tests', version: '1.0.0' };

export interface TasksClient {
  client: Client;
  tasks: TaskEnabledSession;
  close(): Promise<void>;
}

/**
 * A 2026-07-28 client that takes tasks, built as a host builds one: the v2
 * SDK Client, and ext-tasks' session over it. The SDK's codec accepts only
 * `complete` and `input_required` results, so the host hands ext-tasks a
 * request coordinator of its own (rawDispatch) that sends the task-shaped
 * requests (tools/call, tasks/*) on the same transport and matches their
 * responses by id; everything else goes through the Client.
 */
export async function connectTasksClient(
  transport: Transport,
  options: { elicitation?: boolean; onInputRequest?: ApplicationInputHandler['handle'] } = {},
): Promise<TasksClient> {
  const capabilities = options.elicitation ? { elicitation: { form: {} } } : {};
  const client = new Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto' }, capabilities });
  await client.connect(transport);
  const waiting = new Map<string, (message: JSONRPCMessage) => void>();
  const toClient = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    const id = 'id' in message && !('method' in message) ? String(message.id) : undefined;
    const answer = id === undefined ? undefined : waiting.get(id);
    if (!answer) return toClient(message, extra);
    waiting.delete(id!);
    answer(message);
  };
  let sent = 0;
  const rawDispatch: RawClientDispatch = async (request, dispatch) => {
    const id = `tasks-${++sent}`;
    const response = new Promise<JSONRPCMessage>((resolve) => waiting.set(id, resolve));
    // session_id is annotated x-mcp-header in every tool's schema: mirrored into Mcp-Param-Session-Id, as the Client does for its own calls.
    const { method, params } = request as { method: string; params?: { arguments?: { session_id?: unknown } } };
    const handle = method === 'tools/call' ? params?.arguments?.session_id : undefined;
    const headers = { ...dispatch?.context?.headers, ...(typeof handle === 'string' ? { 'Mcp-Param-Session-Id': handle } : {}) };
    await transport.send({ jsonrpc: '2.0', id, ...(request as object) } as JSONRPCMessage, { headers });
    const message = (await response) as { result?: unknown; error?: { code: number; message: string } };
    return message.error ? { kind: 'error', error: message.error } : { kind: 'result', result: message.result as never };
  };
  const tasks = createTaskSessionFromClient(client, {
    endpointId: 'cua-mcp-tests',
    rawDispatch,
    v2RequestFraming: {
      protocolVersion: client.getNegotiatedProtocolVersion()!,
      clientInfo: CLIENT_INFO,
      clientCapabilities: capabilities as Record<string, JsonValue>,
    },
    ...(options.onInputRequest ? { onInputRequest: options.onInputRequest } : {}),
  });
  return {
    client,
    tasks,
    async close() {
      await tasks.close();
      await client.close();
    },
  };
}
