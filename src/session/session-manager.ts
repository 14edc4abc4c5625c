import { log } from '../log.js';
import { mintHandle } from './handles.js';
import type { SessionBackend } from './backend.js';
import type { ComputerSession, Environment } from './computer-session.js';
import { Quotas, type PrincipalLimits } from './quotas.js';

export class SessionNotFoundError extends Error {}
/** The id was one of the caller's sessions, closed by the idle timeout. */
export class SessionExpiredError extends SessionNotFoundError {}
/** The id was one of the caller's sessions, closed by close_session. */
export class SessionClosedError extends SessionNotFoundError {}
/** The id was one of the caller's sessions, held by a replica that died or restarted (see src/replica). */
export class SessionLostError extends SessionNotFoundError {}

/** Where the sessions of one replica among several are recorded, for the others to explain the ones it lost. */
export interface SessionOwnership {
  opened(session: ComputerSession): void;
  closed(id: string): void;
  /** Why the owner's session `id`, not held here, was lost with its replica; undefined if it was not. */
  lost(id: string, owner: string): string | undefined;
}

/** How many ended session ids are remembered (the newest), so a long-lived server does not grow. */
const ENDED_REMEMBERED = 1000;

/** Why one of a principal's sessions is gone: closed on request, by the idle timeout after idleSeconds, or by itself (endedBy). */
type Ending = { owner: string; idleSeconds?: number; endedBy?: Error };
export class SessionLimitError extends Error {}

/** What the manager reads of the server's options (a ServerConfig has them). */
export interface SessionOptions {
  /** This server's name among replicas (--replica), which starts every handle it mints; undefined: a server alone. */
  replica?: string;
  /** Closes a session after this long without a call (0 = never). */
  idleTimeoutMs: number;
  /** Most sessions open at once, all owners together (0 = no limit). */
  maxSessions: number;
  /** Where a browser session starts when the caller names no page. */
  startUrl: string;
  /** Each principal's own limits (see quotas.ts). */
  principalLimits: PrincipalLimits;
}

export interface NewSessionOptions {
  startUrl?: string;
  environment?: Environment;
}

/**
 * All sessions of the process, of every environment. Each belongs to the
 * principal (owner, see principal.ts) that opened it, whatever connection
 * it came through; the limit counts them all; idle ones are closed.
 * Opening a session is the backend's job (see backend.ts).
 */
export class SessionManager {
  private readonly sessions = new Map<string, ComputerSession>();
  private readonly backends = new Map<Environment, SessionBackend>();
  private readonly sweeper: NodeJS.Timeout | undefined;
  /** Sessions closed or expired, by id, oldest first: their owners get "closed" or "expired", not "no such session". */
  private readonly ended = new Map<string, Ending>();
  /** Sessions being created: counted against maxSessions before they exist. */
  private opening = 0;
  private stopped = false;
  /** Sessions kept open past the idle timeout by work that does not touch them for a while (a model run between actions), with how many keep each. */
  private readonly keptOpen = new Map<string, number>();
  /** What each principal holds, against its limits (quotas.ts). */
  readonly quotas: Quotas;

  constructor(
    private readonly config: SessionOptions,
    backends: SessionBackend[],
    private readonly ownership?: SessionOwnership,
  ) {
    for (const backend of backends) this.backends.set(backend.environment, backend);
    this.quotas = new Quotas(config.principalLimits);
    if (config.idleTimeoutMs > 0) {
      this.sweeper = setInterval(() => void this.closeIdle(), Math.min(config.idleTimeoutMs, 60_000));
      this.sweeper.unref();
    }
  }

  private backend(environment: Environment): SessionBackend {
    const backend = this.backends.get(environment);
    if (!backend) throw new Error(`This server has no ${environment} sessions.`);
    return backend;
  }

  /** What drives the owner's sessions of an environment (the browser, their displays), once something was started. */
  description(environment: Environment, owner: string): Promise<string | undefined> {
    return this.backends.get(environment)?.describe(owner) ?? Promise.resolve(undefined);
  }

  async create(owner: string, options: NewSessionOptions = {}): Promise<ComputerSession> {
    if (this.stopped) throw new Error('The server is shutting down; no session is opened.');
    const backend = this.backend(options.environment ?? 'browser');
    const startUrl = options.startUrl ?? this.config.startUrl;
    backend.checkStart(startUrl);
    const max = this.config.maxSessions;
    if (max > 0 && this.openCount() + this.opening >= max) {
      throw new SessionLimitError(
        `${max} session(s) are already open, the most this server allows (--max-sessions). ` +
          'Close one you no longer need with close_session (list_sessions shows yours), then try again.',
      );
    }
    const opened = this.quotas.of(owner).admitSession(this.list(owner).length);
    this.opening++;
    let session: ComputerSession;
    try {
      // The handle its principal passes as session_id from any connection (see mintHandle).
      session = await backend.open(mintHandle(this.config.replica), owner, startUrl);
    } finally {
      this.opening--;
      opened();
    }
    this.sessions.set(session.id, session);
    this.ownership?.opened(session);
    log.info(`session ${session.id} opened`);
    return session;
  }

  private openCount(): number {
    return [...this.sessions.values()].filter((s) => !s.isClosed).length;
  }

  /** The session with this id, if the owner may use it. */
  get(id: string, owner: string): ComputerSession {
    const session = this.find(id, owner);
    if (session) return session;
    const ending = this.ended.get(id) ?? this.endedByItself(id);
    if (ending?.owner === owner && ending.endedBy) throw ending.endedBy;
    if (ending?.owner === owner && ending.idleSeconds !== undefined) {
      throw new SessionExpiredError(
        `Browser session "${id}" expired: it was closed after ${ending.idleSeconds} s without a call (--idle-timeout), with its pages, cookies and tabs. ` +
          'Open a new one with new_session, or omit session_id to use the default session.',
      );
    }
    if (ending?.owner === owner) {
      throw new SessionClosedError(
        `Browser session "${id}" was closed (close_session), with its pages, cookies and tabs; nothing was done. ` +
          'Open a new one with new_session, or omit session_id to use the default session.',
      );
    }
    const lost = this.ownership?.lost(id, owner);
    if (lost) throw new SessionLostError(lost);
    // Never opened, or another principal's: the same answer, so ids stay private.
    throw new SessionNotFoundError(
      `No browser session "${id}"; nothing was done. Call list_sessions to see the open ones, or omit session_id to use the default session.`,
    );
  }

  /** How the owner's session `id` expired, if the idle timeout closed it. Another owner learns nothing: its ids stay private. */
  expiry(id: string, owner: string): { idleSeconds: number } | undefined {
    const ending = this.ended.get(id);
    return ending?.owner === owner && ending.idleSeconds !== undefined ? { idleSeconds: ending.idleSeconds } : undefined;
  }

  /** Why the owner's session `id` ended by itself (see ComputerSession.endedBy), if it did. */
  endedBy(id: string, owner: string): Error | undefined {
    const ending = this.ended.get(id) ?? this.endedByItself(id);
    return ending?.owner === owner ? ending.endedBy : undefined;
  }

  /** A session that ended by itself (see ComputerSession.endedBy) is remembered from then on like a closed one. */
  private endedByItself(id: string): Ending | undefined {
    const session = this.sessions.get(id);
    if (!session?.endedBy) return undefined;
    this.sessions.delete(id);
    this.ownership?.closed(id);
    const ending = { owner: session.owner, endedBy: session.endedBy };
    this.remember(id, ending);
    return ending;
  }

  private remember(id: string, ending: Ending): void {
    this.ended.set(id, ending);
    if (this.ended.size > ENDED_REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
  }

  find(id: string, owner: string): ComputerSession | undefined {
    const session = this.sessions.get(id);
    return session && !session.isClosed && session.owner === owner ? session : undefined;
  }

  list(owner: string): ComputerSession[] {
    return [...this.sessions.values()].filter((s) => s.owner === owner && !s.isClosed);
  }

  async close(id: string, owner: string): Promise<void> {
    const session = this.get(id, owner);
    this.sessions.delete(id);
    this.ownership?.closed(id);
    this.remember(id, { owner });
    await session.close();
    log.info(`session ${id} closed`);
  }

  /** Keeps the session open whatever the idle timeout until the returned function is called; its idle time starts then. */
  keepOpen(session: ComputerSession): () => void {
    this.keptOpen.set(session.id, (this.keptOpen.get(session.id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.keptOpen.get(session.id) ?? 1) - 1;
      if (count > 0) this.keptOpen.set(session.id, count);
      else this.keptOpen.delete(session.id);
      session.lastUsedAt = Date.now();
    };
  }

  /** True while something keeps the session open (see keepOpen). */
  isKeptOpen(session: ComputerSession): boolean {
    return this.keptOpen.has(session.id);
  }

  private async closeIdle(): Promise<void> {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (!session.busy && !this.isKeptOpen(session) && now - session.lastUsedAt > this.config.idleTimeoutMs) {
        const idleSeconds = Math.round((now - session.lastUsedAt) / 1000);
        log.info(`session ${session.id} idle for ${idleSeconds} s; closing it`);
        this.sessions.delete(session.id);
        this.ownership?.closed(session.id);
        this.remember(session.id, { owner: session.owner, idleSeconds, endedBy: session.endedBy });
        await session.close();
      }
    }
  }

  /** Closes every session, then what the backends started. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
    await Promise.all([...this.backends.values()].map((b) => b.shutdown()));
  }
}
