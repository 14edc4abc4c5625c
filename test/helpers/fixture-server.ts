import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void | Promise<void>;

/** Serves test pages on 127.0.0.1 (or another loopback address): a path maps to HTML or to a handler. */
export class FixtureServer {
  private readonly server: http.Server;
  private readonly routes = new Map<string, string | Handler>();
  /** Every request path received, in order, for assertions. */
  readonly requests: string[] = [];
  /** TCP connections accepted, including ones that never sent an HTTP request (a TLS hello, a tunnel). */
  connections = 0;
  origin = '';

  constructor(routes: Record<string, string | Handler> = {}) {
    for (const [path, route] of Object.entries(routes)) this.routes.set(path, route);
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => void this.handle(req, res, body));
    });
    this.server.on('connection', () => this.connections++);
  }

  route(path: string, route: string | Handler): this {
    this.routes.set(path, route);
    return this;
  }

  url(path = '/'): string {
    return `${this.origin}${path}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push(path);
    const route = this.routes.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if (typeof route === 'string') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(route);
    } else {
      await route(req, res, body);
    }
  }

  /** `host`: any 127.x.y.z address (all loopback on Linux), to serve several "sites". */
  async start(host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    this.origin = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A page whose body is `body`, with a tiny script API for reading state back. */
export function page(body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>fixture</title>
<style>html,body{margin:0;padding:0;font:16px sans-serif}</style>${head}</head><body>${body}</body></html>`;
}
