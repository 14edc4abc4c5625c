import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { haproxyConfig } from '../../src/replica/haproxy-config.js';
import { startHttpServer, type HttpServerProcess } from './http.js';
import { freePort } from './loopback-server.js';

/** Replicas of the built server sharing one output folder, behind a real HAProxy (Debian's `haproxy`). */
export interface ReplicaSet {
  /** HAProxy's MCP endpoint: what clients connect to. */
  url: string;
  replicas: Map<string, HttpServerProcess>;
  /** The output folder every replica shares (recordings in runs/, replica records in replicas/). */
  sharedDir: string;
  haproxyLog(): string;
  stop(): Promise<void>;
}

/** Resolves once something accepts connections on the port; rejects after the deadline. */
async function listening(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `cua-mcp --replica NAME --output-dir SHARED ...args(NAME)` for each
 * name, then HAProxy with the configuration `cua-mcp haproxy-config` prints
 * for them.
 */
export async function startReplicaSet(
  names: string[],
  args: (name: string) => string[] = () => [],
  env: Record<string, string> = {},
): Promise<ReplicaSet> {
  const sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-replicas-'));
  const replicas = new Map<string, HttpServerProcess>();
  const started = await Promise.allSettled(
    names.map(async (name) =>
      replicas.set(name, await startHttpServer(['--replica', name, '--output-dir', sharedDir, ...args(name)], env)),
    ),
  );
  const port = await freePort();
  const config = haproxyConfig({
    listen: `127.0.0.1:${port}`,
    replicas: names.filter((n) => replicas.has(n)).map((name) => ({ name, address: new URL(replicas.get(name)!.url).host })),
  });
  fs.writeFileSync(path.join(sharedDir, 'haproxy.cfg'), config);
  const haproxy = spawn('haproxy', ['-db', '-f', path.join(sharedDir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  haproxy.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  haproxy.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => haproxy.once('exit', () => resolve()));
  const stop = async () => {
    haproxy.kill('SIGTERM');
    await Promise.all([exited, ...[...replicas.values()].map((r) => r.stop())]);
    fs.rmSync(sharedDir, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === 'rejected');
  try {
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await listening(port, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nhaproxy: ${log}`, { cause: error });
  }
  return { url: `http://127.0.0.1:${port}/mcp`, replicas, sharedDir, haproxyLog: () => log, stop };
}
