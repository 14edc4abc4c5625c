import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBackends } from '../src/backends.js';
import { childEnvironment } from '../src/child-env.js';
import { PROVIDER_VARIABLES } from '../src/providers/index.js';
import { parseOptions } from '../src/config.js';
import { resolveConfig } from '../src/mcp/server-config.js';
import { SessionExpiredError, SessionManager, SessionNotFoundError } from '../src/session/session-manager.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, textOf } from './helpers/mcp.js';
import { until } from './helpers/processes.js';

const fixtures = new FixtureServer({
  '/a': page('<h1>A</h1>').replace('<title>fixture</title>', '<title>A</title>'),
  '/opener': page('<a href="/a" target="_blank" style="display:block;width:300px;height:100px">open A in a new tab</a>'),
  '/long': page('<div style="height:3000px;width:100px;background:linear-gradient(white,black)">long</div>'),
  '/missing': (_req, res) => void res.writeHead(404, { 'content-type': 'text/html' }).end(page('<h1>Nothing here</h1>')),
  '/broken': (_req, res) => void res.writeHead(500, { 'content-type': 'text/html' }).end(page('<h1>Oops</h1>')),
});

before(() => fixtures.start());
after(() => fixtures.stop());

describe('sessions that expire (--idle-timeout)', () => {
  test('the replaced default session is announced, and an expired session_id gets "expired", not "no such session"', async () => {
    const server = await startServer(['--idle-timeout', '1']);
    try {
      const oldId = (await server.ok('navigate', { url: fixtures.url('/a') })).structuredContent.session_id as string;
      await until(server.stderr, (log) => log.includes(`session ${oldId} idle for`));

      const shot = await server.ok('screenshot');
      const { session_id, url, events } = shot.structuredContent as { session_id: string; url: string; events: Record<string, unknown>[] };
      assert.notEqual(session_id, oldId);
      assert.equal(url, 'about:blank');
      const replaced = events.find((e) => e.kind === 'session_replaced');
      assert.ok(replaced, `no session_replaced event in ${JSON.stringify(events)}`);
      assert.equal(replaced.previous_session_id, oldId);
      assert.match(String(replaced.reason), /expired after \d+ s without a call \(--idle-timeout\)/);
      assert.match(textOf(shot), new RegExp(`new default session: the previous one \\(${oldId}\\) is gone.*--idle-timeout`));

      const expired = await server.call('screenshot', { session_id: oldId });
      assert.equal(expired.isError, true);
      assert.match(
        textOf(expired),
        new RegExp(`Browser session "${oldId}" expired: it was closed after \\d+ s without a call \\(--idle-timeout\\).*new_session`),
      );
      const never = await server.call('screenshot', { session_id: 'never-existed' });
      assert.equal(never.isError, true);
      assert.match(textOf(never), /No browser session "never-existed"/);
      assert.doesNotMatch(textOf(never), /expired/);
    } finally {
      await server.close();
    }
  });

  test('another owner asking for an expired id learns nothing: the plain "No browser session" answer', async () => {
    const config = resolveConfig(parseOptions(['--headless', '--idle-timeout', '1']).raw);
    const manager = new SessionManager(config, createBackends(config, childEnvironment(process.env, PROVIDER_VARIABLES)));
    try {
      const session = await manager.create('owner-a');
      await until(
        () => manager.find(session.id, 'owner-a'),
        (found) => found === undefined,
      );
      assert.throws(
        () => manager.get(session.id, 'owner-b'),
        (error: Error) =>
          error instanceof SessionNotFoundError && !(error instanceof SessionExpiredError) && /^No browser session/.test(error.message),
      );
      assert.throws(() => manager.get(session.id, 'owner-a'), SessionExpiredError);
    } finally {
      await manager.shutdown();
    }
  });
});

describe('what a screen result says about the page', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('http_status: a 404 or 500 page is not mistaken for success; about:blank has none', async () => {
    const blank = await server.ok('screenshot');
    assert.equal(blank.structuredContent.http_status, null);

    const ok = await server.ok('navigate', { url: fixtures.url('/a') });
    assert.equal(ok.structuredContent.http_status, 200);
    assert.doesNotMatch(textOf(ok), /HTTP status/);

    for (const [path, status] of [
      ['/missing', 404],
      ['/broken', 500],
    ] as const) {
      const result = await server.ok('navigate', { url: fixtures.url(path) });
      assert.equal(result.structuredContent.http_status, status, path);
      assert.match(textOf(result), new RegExp(`The page came with HTTP status ${status}, not a success`), path);
      // The status belongs to the document: a later result on the same page still says it.
      assert.equal((await server.ok('screenshot')).structuredContent.http_status, status, path);
    }
  });

  test('scroll and page_size tell when the bottom of a long page is reached', async () => {
    const top = await server.ok('navigate', { url: fixtures.url('/long') });
    const viewport = top.structuredContent.viewport as { width: number; height: number };
    assert.deepEqual(top.structuredContent.scroll, { x: 0, y: 0 });
    assert.deepEqual(top.structuredContent.page_size, { width: viewport.width, height: 3000 });

    const bottom = await server.ok('computer', { actions: [{ type: 'scroll', x: 50, y: 50, scroll_x: 0, scroll_y: 5000 }] });
    const scroll = bottom.structuredContent.scroll as { x: number; y: number };
    assert.deepEqual(scroll, { x: 0, y: 3000 - viewport.height });
    assert.equal(scroll.y + viewport.height, (bottom.structuredContent.page_size as { height: number }).height, 'at the bottom');
  });

  test('list_sessions: tab_count, and tabs kept as the same count', async () => {
    const session = (await server.ok('new_session', { start_url: fixtures.url('/opener') })).structuredContent.session_id as string;
    await server.ok('computer', { session_id: session, actions: [{ type: 'click', x: 50, y: 50 }] });
    const listed = (await server.ok('list_sessions')).structuredContent.sessions as Record<string, unknown>[];
    const entry = listed.find((s) => s.session_id === session);
    assert.equal(entry?.tab_count, 2);
    assert.equal(entry?.tabs, 2);
  });
});
