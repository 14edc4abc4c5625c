import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { BrowserSession } from '../browser/session.js';
import type { SessionManager } from '../browser/session-manager.js';

/**
 * What one MCP connection sees: its own browser sessions and its default
 * session, used by every tool call that names no session_id.
 */
export class ClientConnection {
  readonly id = randomUUID();
  private defaultSessionId: string | undefined;
  private creatingDefault: Promise<BrowserSession> | undefined;
  /** The protocol server of this connection, for requests to the client (elicitation). */
  mcpServer: Server | undefined;

  constructor(readonly sessions: SessionManager) {}

  get defaultSession(): string | undefined {
    return this.defaultSessionId;
  }

  /** The named session, or the default one (opened on first use). */
  async session(sessionId?: string): Promise<BrowserSession> {
    if (sessionId) return this.sessions.get(sessionId, this.id);
    const existing = this.defaultSessionId ? this.sessions.find(this.defaultSessionId, this.id) : undefined;
    if (existing) return existing;
    this.creatingDefault ??= this.sessions.create(this.id).then(
      (session) => {
        this.defaultSessionId = session.id;
        this.creatingDefault = undefined;
        return session;
      },
      (error: unknown) => {
        this.creatingDefault = undefined;
        throw error;
      },
    );
    return this.creatingDefault;
  }

  newSession(startUrl?: string): Promise<BrowserSession> {
    return this.sessions.create(this.id, { startUrl });
  }

  close(): Promise<void> {
    return this.sessions.closeOwnedBy(this.id);
  }
}
