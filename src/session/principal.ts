import type { ComputerSession, Environment } from './computer-session.js';
import type { PrincipalQuota } from './quotas.js';
import type { SessionManager } from './session-manager.js';

/**
 * Who owns sessions, and the runs in them: over stdio the process's one
 * client, over HTTP the identity behind the bearer token (or, without a
 * token, the one local user). Any MCP session or request of a principal
 * reaches all of its sessions by their handles; another principal reaches
 * none. Sessions outlive the connections that used them: they end with
 * close_session, the idle timeout or the server.
 *
 * The default session (what a call without session_id uses) is one per
 * principal, so a client that reconnects for every call keeps its page.
 */
export class Principal {
  private defaultSessionId: string | undefined;
  private creatingDefault: Promise<ComputerSession> | undefined;

  constructor(
    /** Stable for a token's principal (it names its recorded runs), unique per process over stdio. */
    readonly id: string,
    readonly sessions: SessionManager,
  ) {}

  /** What this principal holds against its limits (runs at once, steps a minute, sessions). */
  get quota(): PrincipalQuota {
    return this.sessions.quotas.of(this.id);
  }

  get defaultSession(): string | undefined {
    return this.defaultSessionId;
  }

  /** The named session, or the default one (opened on first use). */
  async session(sessionId?: string): Promise<ComputerSession> {
    if (sessionId) return this.sessions.get(sessionId, this.id);
    const previous = this.defaultSessionId;
    const existing = previous ? this.sessions.find(previous, this.id) : undefined;
    if (existing) return existing;
    this.creatingDefault ??= this.sessions.create(this.id).then(
      (session) => {
        this.defaultSessionId = session.id;
        this.creatingDefault = undefined;
        // The caller expects the page it left there: the first result of the new one says what happened.
        const expiry = previous ? this.sessions.expiry(previous, this.id) : undefined;
        if (expiry) {
          session.report({
            kind: 'session_replaced',
            previous_session_id: previous!,
            reason: `it expired after ${expiry.idleSeconds} s without a call (--idle-timeout)`,
          });
        } else if (previous && this.sessions.endedBy(previous, this.id)) {
          session.report({ kind: 'session_replaced', previous_session_id: previous, reason: 'the browser host it ran on went away' });
        }
        return session;
      },
      (error: unknown) => {
        this.creatingDefault = undefined;
        throw error;
      },
    );
    return this.creatingDefault;
  }

  newSession(startUrl?: string, environment?: Environment): Promise<ComputerSession> {
    return this.sessions.create(this.id, { startUrl, environment });
  }

  list(): ComputerSession[] {
    return this.sessions.list(this.id);
  }

  close(sessionId: string): Promise<void> {
    return this.sessions.close(sessionId, this.id);
  }

  /** True while a run works in the background in one of this principal's sessions. */
  get isWorking(): boolean {
    return this.list().some((s) => this.sessions.isKeptOpen(s));
  }
}

/** The principals of one server, by id, made on first use: every request of one identity gets the same one. */
export class Principals {
  private readonly known = new Map<string, Principal>();

  constructor(private readonly sessions: SessionManager) {}

  get(id: string): Principal {
    let principal = this.known.get(id);
    if (!principal) this.known.set(id, (principal = new Principal(id, this.sessions)));
    return principal;
  }
}
