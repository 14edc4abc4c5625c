import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ComputerSession, Environment } from '../session/computer-session.js';
import type { NewSessionOptions, SessionManager } from '../session/session-manager.js';

/**
 * Who owns browser sessions, and which one is their default: one owner per
 * connection, or a single one for all connections when sessions are shared.
 */
export class SessionOwner {
  readonly id = randomUUID();
  defaultSessionId: string | undefined;
  creatingDefault: Promise<ComputerSession> | undefined;

  constructor(readonly shared = false) {}
}

const sharedOwners = new WeakMap<SessionManager, SessionOwner>();

/** The owner every connection of this manager uses when sessions are shared. */
export function sharedOwner(sessions: SessionManager): SessionOwner {
  let owner = sharedOwners.get(sessions);
  if (!owner) sharedOwners.set(sessions, (owner = new SessionOwner(true)));
  return owner;
}

/**
 * What one MCP connection sees: its owner's browser sessions and the default
 * session, used by every tool call that names no session_id.
 */
export class ClientConnection {
  /** The protocol server of this connection, for requests to the client (elicitation). */
  mcpServer: Server | undefined;
  /** Set by close(): a session still opening then must not outlive the connection (nobody could list or close it). */
  private closed = false;

  constructor(
    readonly sessions: SessionManager,
    private readonly owner: SessionOwner = new SessionOwner(),
  ) {}

  get id(): string {
    return this.owner.id;
  }

  get defaultSession(): string | undefined {
    return this.owner.defaultSessionId;
  }

  /** The named session, or the default one (opened on first use). */
  async session(sessionId?: string): Promise<ComputerSession> {
    if (sessionId) return this.sessions.get(sessionId, this.id);
    const owner = this.owner;
    const previous = owner.defaultSessionId;
    const existing = previous ? this.sessions.find(previous, this.id) : undefined;
    if (existing) return existing;
    owner.creatingDefault ??= this.create().then(
      (session) => {
        owner.defaultSessionId = session.id;
        owner.creatingDefault = undefined;
        // The caller expects the page it left there: the first result of the new one says what happened.
        const expiry = previous ? this.sessions.expiry(previous, this.id) : undefined;
        if (expiry) {
          session.report({ kind: 'session_replaced', previous_session_id: previous!, reason: `it expired after ${expiry.idleSeconds} s without a call (--idle-timeout)` });
        }
        return session;
      },
      (error: unknown) => {
        owner.creatingDefault = undefined;
        throw error;
      },
    );
    return owner.creatingDefault;
  }

  /** True while a run works in the background in one of this connection's sessions. */
  get isWorking(): boolean {
    return this.sessions.list(this.id).some((s) => this.sessions.isHeld(s));
  }

  newSession(startUrl?: string, environment?: Environment): Promise<ComputerSession> {
    return this.create({ startUrl, environment });
  }

  /** A new session of this owner; closed at once if the connection closed while it was opening. */
  private async create(options: NewSessionOptions = {}): Promise<ComputerSession> {
    const session = await this.sessions.create(this.id, options);
    if (!this.closed || this.owner.shared) return session;
    await this.sessions.close(session.id, this.id);
    throw new Error(`The MCP session ended while session ${session.id} was opening; it was closed again.`);
  }

  /** Closes this connection's browser sessions; shared ones outlive any one connection (the idle timeout ends them). */
  close(): Promise<void> {
    this.closed = true;
    if (this.owner.shared) return Promise.resolve();
    return this.sessions.closeOwnedBy(this.id);
  }
}
