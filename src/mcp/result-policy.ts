import type { RegisteredTool } from '@modelcontextprotocol/server';
import type { ServerConfig } from './server-config.js';
import type { ToolResult } from '../tools/tool-result.js';

/**
 * Whether a connection's results carry structuredContent. Clients differ in
 * what they hand their model: Claude Code gives it the JSON of
 * structuredContent plus the images (the text is dropped), Codex gives it
 * only the JSON of structuredContent (the screenshot is dropped too), and
 * the rest read `content`. Every fact is in both the text and the
 * structured fields, so a client loses nothing whichever it shows; only for
 * the clients that would lose the screenshot is structuredContent left out,
 * together with the tools' outputSchema (which would require it).
 */

/** clientInfo.name of clients that drop `content` when `structuredContent` is present. */
export const CLIENTS_DROPPING_CONTENT = ['codex-mcp-client'];

export function sendsStructuredContent(setting: ServerConfig['structuredOutput'], client: string | undefined): boolean {
  if (setting !== 'auto') return setting === 'on';
  // Known once the client has sent initialize; before that nothing is listed or called.
  return !client || !CLIENTS_DROPPING_CONTENT.includes(client);
}

/**
 * The SDK lists a tool's outputSchema and requires structuredContent in its
 * results whenever `outputSchema` is set; both must follow the connection's
 * policy, decided when the SDK reads it (tools/list, tools/call).
 */
export function outputSchemaFollowsPolicy(tool: RegisteredTool, structured: () => boolean): void {
  const schema = tool.outputSchema;
  if (!schema) return;
  Object.defineProperty(tool, 'outputSchema', { get: () => (structured() ? schema : undefined), enumerable: true, configurable: true });
}

/** The result as a connection without structuredContent gets it: text and image, which already carry every fact. */
export function withoutStructuredContent(result: ToolResult): ToolResult {
  const { structuredContent: _dropped, ...rest } = result;
  return rest;
}
