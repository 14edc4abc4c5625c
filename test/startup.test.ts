import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { CLI } from './helpers/mcp.js';

const TRACE_HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/package-trace.js');

/** The packages a server must not load before its first session or model request: they take seconds to import, and Claude Code stops waiting for `server/discover` after ~2.5 s. */
const HEAVY = [
  'playwright',
  'playwright-core',
  'sharp',
  'x11',
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  '@azure/identity',
  'hono',
  '@hono/node-server',
  'jose',
];

test('over stdio, server/discover and tools/list are answered without loading Playwright, sharp, X11, the HTTP stack or a model SDK', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-startup-'));
  const trace = path.join(dir, 'packages.txt');
  // Every provider configured: none of them may load its SDK before its first request.
  const env = {
    ...(process.env as Record<string, string>),
    CUA_TEST_PACKAGE_TRACE: trace,
    OPENAI_API_KEY: 'never-sent',
    ANTHROPIC_API_KEY: 'never-sent',
    GEMINI_API_KEY: 'never-sent',
  };
  const client = new Client({ name: 'cua-mcp-startup-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: ['--import', TRACE_HOOK, CLI, '--headless'], env, stderr: 'ignore' }),
  );
  try {
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28', 'negotiated through server/discover');
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('new_session') && names.includes('run_task'), names.join(', '));
    const loaded = fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    // The trace sees what the server did load: the MCP SDK answering these requests.
    assert.ok(loaded.includes('@modelcontextprotocol/server'), loaded.join(', '));
    assert.deepEqual(
      HEAVY.filter((name) => loaded.includes(name)),
      [],
      `loaded before any session or model request: ${loaded.join(', ')}`,
    );
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
