import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { log } from '../../log.js';
import { BLOCKED_HEADER, blockedPage, type DomainPolicy } from './domain-policy.js';

/**
 * A forwarding proxy on 127.0.0.1 that the launched browser sends all its
 * traffic through, refusing hosts the policy blocks. Request routing alone
 * is not enough: Playwright routes only the first hop of a redirect chain
 * (it continues redirect hops itself), and service-worker and WebSocket
 * traffic bypass routes. The proxy sees every connection the browser opens
 * (Chromium's own background calls to Google included: refused too when
 * not allowed). Refusals are logged at debug level; sessions report them.
 */
export class PolicyProxy {
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  url = '';

  constructor(private readonly policy: DomainPolicy) {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.tunnel(req, socket, head));
    this.server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    log.debug(`domain policy proxy on ${this.url}`);
    return this;
  }

  /** Plain http:// requests arrive in absolute form. */
  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const refuse = (reason: string) => {
      log.debug(`domain policy: refused ${target.href}: ${reason}`);
      res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', [BLOCKED_HEADER]: reason }).end(blockedPage(target.href, reason));
    };
    const verdict = this.policy.checkRequest(target.href);
    if (!verdict.allowed) return refuse(verdict.reason);
    void this.resolve(target.hostname).then((resolved) => {
      if ('refused' in resolved) refuse(resolved.refused);
      else if ('failed' in resolved) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${resolved.failed}`);
      else this.forwardTo(resolved, target, req, res);
    });
  }

  /**
   * The address to connect to for `hostname`, after DNS, or why not: the
   * policy decides on where the connection really goes (a name resolving to
   * a blocked address is blocked), and the connection then goes to that
   * address, not to a second lookup's answer.
   */
  private async resolve(hostname: string): Promise<Address | { refused: string } | { failed: string }> {
    const host = bare(hostname);
    let addresses: Address[];
    try {
      addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await dns.lookup(host, { all: true });
    } catch (error) {
      return { failed: `${hostname} could not be resolved (${(error as Error).message})` };
    }
    for (const { address } of addresses) {
      const verdict = this.policy.checkAddress(hostname, address);
      if (!verdict.allowed) return { refused: verdict.reason };
    }
    return addresses[0] ?? { failed: `${hostname} has no address` };
  }

  private forwardTo(address: Address, target: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: address.address,
        family: address.family,
        port: target.port || 80,
        method: req.method,
        path: target.pathname + target.search,
        headers,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.rawHeaders);
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  /** https:// and ws(s):// go through CONNECT host:port tunnels. */
  private tunnel(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    let target: URL;
    try {
      target = new URL(`http://${req.url ?? ''}`);
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const refuse = (reason: string) => {
      log.debug(`domain policy: refused a connection to ${req.url}: ${reason}`);
      socket.end(`HTTP/1.1 403 Forbidden\r\n${BLOCKED_HEADER}: ${reason.replace(/[\r\n]/g, ' ')}\r\n\r\n`);
    };
    const verdict = this.policy.checkHost(target.hostname);
    if (!verdict.allowed) return refuse(verdict.reason);
    socket.on('error', () => socket.destroy());
    void this.resolve(target.hostname).then((resolved) => {
      if ('refused' in resolved) refuse(resolved.refused);
      else if ('failed' in resolved) socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      else this.tunnelTo(resolved.address, target, req, socket, head);
    });
  }

  private tunnelTo(address: string, target: URL, req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const upstream = net.connect(Number(target.port || 443), address, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const fail = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', (error) => {
      if (!socket.destroyed && upstream.connecting) socket.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n`);
      log.debug(`proxy tunnel to ${req.url}: ${error.message}`);
      fail();
    });
    socket.on('error', fail);
    socket.on('close', () => upstream.destroy());
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Address {
  address: string;
  family: number;
}

/** URL hostnames keep IPv6 brackets; sockets want the address alone. */
function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}
