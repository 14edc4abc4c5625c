import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, type McpHttpHandler, type McpServer } from '@modelcontextprotocol/server';
import type { ServerConfig } from './server-config.js';
import type { HttpConfig } from './http-config.js';
import { log } from '../log.js';
import { createMcpServer, type ServedRuns } from './server.js';
import { Principals, type Principal } from '../session/principal.js';
import { SHARED_PRINCIPAL } from '../session/principal-ids.js';
import type { SessionManager } from '../session/session-manager.js';
import { authenticate, checkCaller, HOW_TO_SEND_TOKEN, type Refusal } from './http-guard.js';
import { isOtherReplicas, mintHandle } from '../session/handles.js';
import { answerWithoutMcpSession } from '../replica/foreign-mcp-session.js';
import { OAuthResourceServer } from './oauth.js';
import { RunTasks } from './run-tasks.js';
import { Runs } from '../runs.js';

export const MCP_PATH = '/mcp';
/** How long an idle HTTP connection stays open for the client's next request. */
const KEEP_ALIVE_MS = 65_000;

/** One MCP session over HTTP: its own McpServer and transport, serving one principal (who owns the sessions it uses). */
interface McpHttpSession {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  principal: Principal;
  lastSeenAt: number;
  /** POSTs in progress; a session with a running call is never idle. */
  active: number;
}

export interface HttpServerHandle {
  url: string;
  /** Stops listening and closes every MCP session (the caller closes the computer sessions). */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -32000,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function replyError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(error.status, { 'Content-Type': 'application/json', ...error.headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: error.code, message: error.message }, id: null }));
}

function refuseIf(req: IncomingMessage, refusal: Refusal | undefined): void {
  if (!refusal) return;
  log.warn(`refused ${req.method} ${req.url}: ${refusal.message}`);
  throw new HttpError(refusal.status, refusal.message, -32000, refusal.headers);
}

/** Reads and parses a JSON body, refusing (413) past the limit without buffering the rest. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(413, `Payload too large: request bodies are limited to ${limit} bytes (--max-body).`, -32000, { Connection: 'close' });
  if (Number(req.headers['content-length']) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `Parse error: the body is not JSON (${(error as Error).message}).`, -32700);
  }
}

/**
 * Streamable HTTP at /mcp, for both protocol eras. 2025-11-25 clients
 * (initialize first) get one McpServer per MCP session, keyed by the
 * mcp-session-id header. 2026-07-28 requests (each with its version in
 * `_meta`, no handshake, no session) are answered one by one by the SDK's
 * handler, each by a server for its principal.
 */
class McpHttpServer {
  private readonly mcpSessions = new Map<string, McpHttpSession>();
  private readonly principals: Principals;
  private readonly served: ServedRuns;
  private readonly modern: McpHttpHandler;
  private readonly serveModern: NodeMcpRequestHandler;
  /** initialize requests being answered: counted against maxClients before their session id exists. */
  private opening = 0;
  /** With --oauth-issuer, from the moment the server listens (its URL is the default resource). */
  private oauth: OAuthResourceServer | undefined;

  constructor(
    sessions: SessionManager,
    private readonly config: ServerConfig,
    private readonly http: HttpConfig,
  ) {
    this.principals = new Principals(sessions);
    const runs = new Runs(config, (owner) => this.runsChanged(owner));
    this.served = { runs, tasks: new RunTasks(runs) };
    // The principal was decided by the token check and travels as authInfo; the SDK reads no header itself.
    this.modern = createMcpHandler(
      (request) => createMcpServer(this.principals.get(request.authInfo!.clientId), this.served, this.config, request.era),
      {
        legacy: 'reject',
        maxRequestBodySize: http.maxBodyBytes,
        onerror: (error) => log.debug('2026-07-28 request', error),
      },
    );
    this.serveModern = toNodeHandler(this.modern, { maxRequestBodySize: http.maxBodyBytes });
  }

  /**
   * A principal's recorded runs changed: its 2025 MCP sessions are told, and every 2026-07-28
   * subscriptions/listen stream (the SDK's streams are not per principal; the notification says only
   * that the list changed, and resources/list shows each principal its own runs).
   */
  private runsChanged(owner: string | undefined): void {
    this.modern.notify.resourcesChanged();
    for (const session of this.mcpSessions.values()) {
      if (session.principal.id === owner) void session.server.sendResourceListChanged();
    }
  }

  listening(url: string): void {
    if (!this.http.oauth) return;
    const oauth = (this.oauth = new OAuthResourceServer(this.http.oauth, url));
    log.info(`OAuth: accepting access tokens of ${oauth.issuer} for ${oauth.audience}; metadata at ${oauth.metadataUrl}`);
    // Found now so a wrong issuer shows at start; the first request tries again if this fails.
    oauth.keys().then(
      ({ uri }) => log.info(`OAuth: the issuer's keys are at ${uri.href}`),
      (error: unknown) => log.warn(`OAuth: ${(error as Error).message}; requests get 503 until it answers`),
    );
  }

  /** The principal of a request: its token's, or (--share-sessions) one for every client. */
  private principal(id: string): Principal {
    return this.principals.get(this.config.shareSessions ? SHARED_PRINCIPAL : id);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    refuseIf(req, checkCaller(req.headers, this.http));
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const metadata = req.method === 'GET' ? this.oauth?.metadataAt(path) : undefined;
    if (metadata) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify(metadata));
    }
    // Without OAuth, before the token check: a client missing the token probes /.well-known/oauth-* and then
    // starts an OAuth flow when those answer 401; a 404 ends that at once, and says how to authenticate instead.
    const caller = this.http.oauth ? undefined : authenticate(req.headers, this.http);
    const tokenRefusal = caller && 'status' in caller ? caller : undefined;
    if (path !== MCP_PATH) {
      const hint = this.oauth ? ` Its OAuth metadata is at ${this.oauth.metadataUrl}.` : tokenRefusal ? ` ${HOW_TO_SEND_TOKEN}` : '';
      throw new HttpError(404, `Not found: the MCP endpoint is ${MCP_PATH}.${hint}`);
    }
    // With an issuer, never the fixed tokens alone: until the resource server exists (not yet listening), nobody gets in.
    const verified =
      caller ??
      (this.oauth
        ? await this.oauth.authenticate(req.headers, this.http)
        : { status: 503, message: 'Service unavailable: the server is starting.' });
    refuseIf(req, 'status' in verified ? verified : undefined);
    const principal = this.principal((verified as { principal: string }).principal);
    if (!['GET', 'POST', 'DELETE'].includes(req.method ?? '')) {
      throw new HttpError(405, `Method not allowed: ${MCP_PATH} takes GET, POST and DELETE.`, -32000, { Allow: 'GET, POST, DELETE' });
    }
    const body = req.method === 'POST' ? await readJson(req, this.http.maxBodyBytes) : undefined;
    if (!(await isLegacyRequest(await toWebRequest(req, body), body, { maxRequestBodySize: this.http.maxBodyBytes }))) {
      return this.serveModern(Object.assign(req, { auth: { token: '', clientId: principal.id, scopes: [] } }), res, body);
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.mcpSessions.get(sessionId);
      if (!session && req.method === 'POST' && isOtherReplicas(sessionId, this.config.replica)) {
        return answerWithoutMcpSession(createMcpServer(principal, this.served, this.config, 'legacy'), req, res, body);
      }
      // Another principal's MCP session is answered as if it did not exist: its id is no key to it.
      if (!session || session.principal !== principal)
        throw new HttpError(404, 'Session not found: it was closed or expired. Start a new one with initialize.', -32001);
      return this.forward(session, req, res, body);
    }
    if (req.method === 'POST' && isInitializeRequest(body)) return this.initialize(req, res, body, principal);
    throw new HttpError(400, 'Bad Request: send initialize first, then the mcp-session-id header it returns with every request.');
  }

  private async forward(session: McpHttpSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const isPost = req.method === 'POST';
    session.lastSeenAt = Date.now();
    if (isPost) session.active++;
    res.once('close', () => {
      session.lastSeenAt = Date.now();
      if (isPost) session.active--;
    });
    await session.transport.handleRequest(req, res, body);
  }

  /** A new MCP session, unless maxClients are already open: each holds a server object until it is closed or idles out. */
  private async initialize(req: IncomingMessage, res: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    const max = this.http.maxClients;
    if (max > 0 && this.mcpSessions.size + this.opening >= max) {
      log.warn(`refused initialize: ${max} MCP sessions are open (--max-clients)`);
      throw new HttpError(
        503,
        `Too many clients: ${max} MCP sessions are open, the most this server allows (--max-clients). ` +
          'Close a session you no longer use (HTTP DELETE with its mcp-session-id), or retry after idle ones expire (--idle-timeout).',
        -32000,
        { 'Retry-After': '60' },
      );
    }
    this.opening++;
    try {
      const session = await this.open(principal);
      await this.forward(session, req, res, body);
    } finally {
      this.opening--;
    }
  }

  private async open(principal: Principal): Promise<McpHttpSession> {
    const server = createMcpServer(principal, this.served, this.config, 'legacy');
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => mintHandle(this.config.replica),
      onsessioninitialized: (id) => {
        this.mcpSessions.set(id, session);
        log.info(`MCP session ${id} opened over HTTP`);
      },
    });
    const session: McpHttpSession = { transport, server, principal, lastSeenAt: Date.now(), active: 0 };
    // Set before connect(): the SDK chains its own close handler after ours.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.mcpSessions.get(id) === session) this.mcpSessions.delete(id);
      // The sessions (browser or desktop) stay: they are the principal's, reachable from its next MCP session by their handles.
      log.info(`MCP session ${id ?? '(uninitialised)'} closed`);
    };
    await server.connect(transport);
    return session;
  }

  /** Ends MCP sessions nobody has used for the idle timeout, unless a run of their principal is working (a client may be waiting on it). */
  closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const [id, session] of this.mcpSessions) {
      if (session.active === 0 && !session.principal.isWorking && now - session.lastSeenAt > idleMs) {
        log.info(`MCP session ${id} idle for ${Math.round((now - session.lastSeenAt) / 1000)} s; closing it`);
        void session.server.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.mcpSessions.values()].map((s) => s.server.close().catch(() => {})));
    await this.modern.close();
  }
}

/** Listens on config.http.host:port and serves MCP at /mcp until close(). */
export async function serveHttp(sessions: SessionManager, config: ServerConfig): Promise<HttpServerHandle> {
  const http = config.http;
  if (!http) throw new Error('serveHttp needs config.http');
  const mcp = new McpHttpServer(sessions, config, http);
  const server = createServer((req, res) => {
    mcp.handle(req, res).catch((error: unknown) => {
      if (!(error instanceof HttpError)) log.error(`HTTP ${req.method} ${req.url} failed`, error);
      replyError(res, error instanceof HttpError ? error : new HttpError(500, `Internal error: ${(error as Error).message}`, -32603));
    });
  });
  // Node closes an idle keep-alive connection after 5 s, and a client whose next call comes later (a model turn, a
  // busy event loop) may send on it just as it closes: that call fails with a reset. Clients keep theirs open longer.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  const sweeper =
    config.idleTimeoutMs > 0 ? setInterval(() => mcp.closeIdle(config.idleTimeoutMs), Math.min(config.idleTimeoutMs, 60_000)) : undefined;
  sweeper?.unref();

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(new Error(`cannot listen on ${http.host}:${http.port}: ${error.message}`));
    server.once('error', failed);
    server.listen(http.port, http.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = http.host.includes(':') ? `[${http.host}]` : http.host;
  const url = `http://${host}:${port}${MCP_PATH}`;
  log.info(
    `serving MCP over Streamable HTTP at ${url}${http.oauth ? ' (OAuth access token required)' : http.tokens.length ? ' (bearer token required)' : ''}`,
  );
  mcp.listening(url);

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        if (sweeper) clearInterval(sweeper);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await mcp.closeAll();
        server.closeAllConnections();
        await stopped;
      })()),
  };
}
