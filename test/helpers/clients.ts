import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI } from './mcp.js';
import { onDemand } from './on-demand.js';

/**
 * The real third-party clients, from their npm packages, installed on first use
 * into scripts/clients/<client> (see on-demand.ts). Both ship native binaries in
 * per-platform packages; these paths use the binary itself, so a missing install
 * script cannot get in the way.
 */

/** Claude Code's native binary (`@anthropic-ai/claude-code-<platform>-<arch>`). */
export async function claudeBinary(): Promise<string> {
  const modules = await onDemand('clients/claude-code');
  return path.join(
    modules,
    `@anthropic-ai/claude-code-${process.platform}-${process.arch}`,
    process.platform === 'win32' ? 'claude.exe' : 'claude',
  );
}

/** Runs Claude Code non-interactively in `home` (its HOME and cwd) against a fake Messages API, as the tests do. */
export async function runClaudeCode(args: string[], home: string, anthropicOrigin: string): Promise<ClientRun> {
  return runClient(await claudeBinary(), args, {
    cwd: home,
    timeoutMs: 90_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ANTHROPIC_BASE_URL: anthropicOrigin,
      ANTHROPIC_API_KEY: 'sk-test',
      // List MCP tools to the model directly instead of behind Claude Code's tool search.
      ENABLE_TOOL_SEARCH: 'false',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    },
  });
}

/** The Codex CLI launcher, which runs the native binary of this platform. */
export async function codexCommand(): Promise<[command: string, ...args: string[]]> {
  return [process.execPath, path.join(await onDemand('clients/codex'), '@openai/codex', 'bin', 'codex.js')];
}

export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a client to its end, or kills it after `timeoutMs`; stdin is closed. */
export function runClient(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs: number },
): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** What to print when a client run did not do what the test expected. */
export function describeRun(name: string, run: ClientRun): string {
  return `${name} exited ${run.timedOut ? 'by our deadline (killed)' : `with ${run.code}`}\n--- stdout (end) ---\n${run.stdout.slice(-4000)}\n--- stderr (end) ---\n${run.stderr.slice(-4000)}`;
}

/** The environment of the browsers Playwright installed, for a server started by a client with its own HOME. */
export function browserEnv(): Record<string, string> {
  return { PLAYWRIGHT_BROWSERS_PATH: process.env.PLAYWRIGHT_BROWSERS_PATH ?? path.join(os.homedir(), '.cache', 'ms-playwright') };
}

/** Writes `dir/cua-mcp`, this checkout's built server as `npm install -g .` puts it on PATH, and returns `dir`. */
export function cuaMcpOnPath(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cua-mcp'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`, {
    mode: 0o755,
  });
  return dir;
}
