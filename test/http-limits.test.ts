import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorMessage, INITIALIZE, MCP_HEADERS, rawRequest, startHttpServer, type HttpServerProcess } from './helpers/http.js';

describe('Streamable HTTP with --max-clients 2', () => {
  let server: HttpServerProcess;

  before(async () => {
    server = await startHttpServer(['--max-clients', '2']);
  });
  after(() => server.stop('SIGTERM'));

  test('a third initialize gets 503 saying what to do; a closed session frees its place', async () => {
    const a = await server.connect();
    const b = await server.connect();
    try {
      const refused = await rawRequest(server.url, { headers: MCP_HEADERS, body: INITIALIZE });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers['retry-after'], '60');
      assert.match(errorMessage(refused), /2 MCP sessions are open.*--max-clients.*DELETE/);
      // The open ones keep working.
      assert.equal((await a.client.listTools()).tools.length > 0, true);
      await b.close();
      const c = await server.connect();
      await c.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
