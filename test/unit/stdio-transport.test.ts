import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { AnsweringStdioTransport, MAX_LINE_BYTES } from '../../src/mcp/answering-stdio-transport.js';

/** The transport between two pipes: what it received, and what it answered (parsed lines). */
async function connect() {
  const input = new PassThrough();
  const output = new PassThrough();
  const transport = new AnsweringStdioTransport(input, output);
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  await transport.start();
  const answers = () =>
    written
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: unknown; error?: { code: number; message: string } });
  return { input, received, answers };
}

const ping = (id: number, text = '') => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping', params: { _meta: { text } } });

describe('stdio transport', () => {
  test('characters split between two reads arrive whole', async () => {
    const { input, received } = await connect();
    const text = 'é漢😀'.repeat(30_000);
    const line = Buffer.from(ping(1, text) + '\n');
    // Cut inside every kind of multi-byte character, as a pipe's 64 KiB reads do.
    for (let at = 0; at < line.length; at += 65_537) input.write(line.subarray(at, Math.min(line.length, at + 65_537)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received.length, 1);
    const meta = (received[0] as unknown as { params: { _meta: { text: string } } }).params._meta;
    assert.equal(meta.text, text);
  });

  test('a line over 10 MiB is answered with an error and skipped; the next line is read', async () => {
    const { input, received, answers } = await connect();
    const kilobyte = Buffer.alloc(1024, 'a');
    for (let i = 0; i < MAX_LINE_BYTES / 1024 + 100; i++) input.write(kilobyte);
    input.write('\n' + ping(2) + '\n');
    await new Promise((resolve) => setImmediate(resolve));
    const [refusal] = answers();
    assert.equal(refusal?.error?.code, -32600);
    assert.match(refusal?.error?.message ?? '', /longer than 10485760 bytes/);
    assert.equal(answers().length, 1, 'one answer for the long line, none for its tail');
    assert.deepEqual(
      received.map((m) => (m as { id: number }).id),
      [2],
    );
  });

  // Scanning the whole pending line for a newline on every read took minutes here; linear reading takes well under a second.
  test('a 9 MiB line read 1 KiB at a time takes linear time', { timeout: 30_000 }, async () => {
    const { input, received } = await connect();
    const line = Buffer.from(ping(3, 'x'.repeat(9 * 1024 * 1024)) + '\n');
    for (let at = 0; at < line.length; at += 1024) input.write(line.subarray(at, at + 1024));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received.length, 1);
  });
});
