import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { cuaMcpOnPath } from './helpers/clients.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { codeBlocks, README } from './helpers/readme.js';

// The README's "Try a tool by hand" lines, verbatim, run as a Node 20 user runs them:
// npx fetches Node 22 and the MCP Inspector, whose CLI starts `cua-mcp` and calls a tool.

const run = promisify(execFile);
const lines = codeBlocks(README)
  .filter(({ language }) => language === 'sh')
  .flatMap(({ text }) => text.split('\n'))
  .filter((line) => /^npx .*inspector.* --cli cua-mcp /.test(line));

let site: FixtureServer;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-inspector-'));

before(async () => {
  site = await new FixtureServer({ '/': page('<h1>Inspected</h1>').replace('<title>fixture</title>', '<title>Inspected</title>') }).start();
});

after(async () => {
  await site.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs a README line in a shell, `cua-mcp` on PATH; the example page's address becomes the local site's. */
async function runLine(line: string): Promise<unknown> {
  const command = line.replaceAll('https://example.com', site.url('/'));
  const { stdout } = await run('/bin/sh', ['-c', command], {
    cwd: scratch,
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      PATH: `${cuaMcpOnPath(path.join(scratch, 'bin'))}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      CUA_HEADLESS: 'true',
      // The npm cache answers once the packages were fetched: the registry is asked only the first time.
      npm_config_prefer_offline: 'true',
    },
  }).catch((error: { stdout?: string; stderr?: string; message: string }) =>
    assert.fail(`${command} failed: ${error.stderr ?? error.message}\n${error.stdout ?? ''}`),
  );
  return JSON.parse(stdout);
}

describe("the README's Inspector lines", () => {
  test('the README has the two lines: list the tools, call one', () => {
    assert.equal(lines.length, 2, lines.join('\n'));
  });

  test('tools/list lists the tools', async () => {
    const listed = (await runLine(lines.find((l) => l.includes('tools/list'))!)) as { tools: { name: string }[] };
    assert.ok(
      listed.tools.some((t) => t.name === 'computer'),
      JSON.stringify(listed).slice(0, 500),
    );
  });

  test('tools/call navigate opens the page and returns the text line and the screenshot', async () => {
    const called = (await runLine(lines.find((l) => l.includes('tools/call'))!)) as {
      content: { type: string; text?: string; data?: string }[];
    };
    const text = called.content.find((c) => c.type === 'text')?.text ?? '';
    assert.match(text, new RegExp(`^Navigated to ${site.url('/').replace(/[/.]/g, '\\$&')}`));
    assert.match(text, /"Inspected"/);
    assert.ok(
      called.content.some((c) => c.type === 'image' && (c.data?.length ?? 0) > 1000),
      'no screenshot in the result',
    );
  });
});
