import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** A port free on 127.0.0.1 right now, for a program told its port (HAProxy), or named before it listens. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP server on 127.0.0.1 at a free port that hands each request, body read, to `handle`: the base of the fake model APIs. */
export abstract class LoopbackServer {
  origin = '';
  private readonly server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => void this.handle(req, res, raw));
  });

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void | Promise<void>;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
