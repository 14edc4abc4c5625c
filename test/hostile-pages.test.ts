import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buttonRunning, hugeTitle, textArea } from './fixtures/hostile-pages.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { processesWithEnv } from './helpers/processes.js';

const click = { type: 'click', x: 50, y: 50 };
type Event = { kind: string; what?: string; recovery?: string; dropped?: number };
const eventsOf = (result: { structuredContent?: Record<string, unknown> }) => (result.structuredContent?.events ?? []) as Event[];

/**
 * The --page-answer-timeout of the server the spinning pages run on: each stuck call waits one of these instead of
 * the default 10 s. The other cases run on a server with the default, since real work (150 popups opening) may take
 * longer than this on a busy machine.
 */
const PAGE_ANSWER_MS = 2500;

// Each test has a deadline: a call that hangs fails it instead of timing the suite out.
describe('hostile pages', () => {
  const site = new FixtureServer({
    '/calm': page('<h1>calm</h1>').replace('<title>fixture</title>', '<title>calm</title>'),
    // Each spinning page says so first (a beacon the fixture server records), so a test can wait for the spinning.
    '/spin': buttonRunning("navigator.sendBeacon('/spinning'); for(;;){}"),
    '/spin-later': buttonRunning('setTimeout(() => { for(;;){} }, 10)'),
    '/alert-loop': buttonRunning("for(;;) alert('x')"),
    '/spin-alone': page("<script>setTimeout(() => { navigator.sendBeacon('/spinning'); for(;;){} }, 300)</script>"),
    '/spinning': (_req, res) => void res.writeHead(204).end(),
    '/popups': buttonRunning("for (let i = 0; i < 150; i++) window.open('/calm')"),
    '/title': hugeTitle(3_600_000),
    '/text': textArea(),
  });
  let server: ServerHandle;
  let quick: ServerHandle;

  before(async () => {
    await site.start();
    [server, quick] = await Promise.all([startServer(), startServer(['--page-answer-timeout', String(PAGE_ANSWER_MS)])]);
  });
  after(async () => {
    await Promise.all([server?.close(), quick?.close()]);
    await site.stop();
  });

  /** Resolves when a page next says it starts spinning (deadline: the test's own). */
  async function spun(): Promise<void> {
    const seen = site.requests.filter((path) => path === '/spinning').length;
    while (site.requests.filter((path) => path === '/spinning').length === seen) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The session still works: it can navigate away and show the new page. */
  async function stillUsable(on: ServerHandle = server): Promise<void> {
    const calm = await on.ok('navigate', { url: site.url('/calm') });
    assert.equal(calm.structuredContent.title, 'calm');
  }

  test('a huge scroll delta is refused and scrolling goes on', { timeout: 60_000 }, async () => {
    await server.ok('navigate', { url: site.url('/calm') });
    const refused = await server.call('computer', { actions: [{ type: 'scroll', x: 10, y: 10, scroll_x: 0, scroll_y: 1e39 }] });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /scroll_y must be at most 100000 pixels/);
    for (let i = 0; i < 3; i++)
      await server.ok('computer', { actions: [{ type: 'scroll', x: 10, y: 10, scroll_x: 0, scroll_y: 100_000 }] });
    await server.ok('screenshot');
  });

  test('per-call work is bounded: long drags and texts are refused with the limit', async () => {
    const path = Array.from({ length: 20_000 }, (_, i) => ({ x: i % 500, y: 10 }));
    assert.match(textOf(await server.call('computer', { actions: [{ type: 'drag', path }] })), /path has at most 500 points/);
    assert.match(
      textOf(await server.call('computer', { actions: [{ type: 'type', text: 'x'.repeat(10_001) }] })),
      /at most 10000 characters/,
    );
  });

  for (const [name, path] of [
    ['a click handler spinning the CPU', '/spin'],
    ['a script spinning the CPU just after the click', '/spin-later'],
  ] as const) {
    test(`${name}: the call ends saying so, and the session goes on`, { timeout: 90_000 }, async () => {
      await quick.ok('navigate', { url: site.url(path) });
      // Reported either way: as the call's error (the click or its settling timed out), or as an event beside the screenshot.
      const stuck = await quick.call('computer', { actions: [click] });
      const shot = await quick.ok('screenshot');
      assert.match(`${textOf(stuck)}\n${textOf(shot)}`, /not answering.*script was stopped|stopped answering: Its script was stopped/s);
      assert.ok(
        [stuck, shot].some((r) => eventsOf(r).some((e) => e.kind === 'not_answering' && e.recovery === 'script_stopped')),
        textOf(shot),
      );
      await stillUsable(quick);
    });
  }

  test('a page looping alert(): the call ends, dialogs are capped, the session goes on', { timeout: 90_000 }, async () => {
    await quick.ok('navigate', { url: site.url('/alert-loop') });
    const stuck = await quick.call('computer', { actions: [click] });
    assert.match(textOf(stuck), /not answering/);
    const next = await quick.ok('screenshot');
    const events = eventsOf(next);
    assert.ok(events.filter((e) => e.kind === 'dialog').length <= 10, textOf(next));
    await stillUsable(quick);
  });

  test('a page that starts spinning on its own: navigate away still works', { timeout: 90_000 }, async () => {
    const spinning = spun();
    await quick.call('navigate', { url: site.url('/spin-alone') });
    await spinning;
    // One deadline runs out, the page's own: not Playwright's navigation timeout (30 s) and then a frame's on top.
    const away = await quick.call('navigate', { url: site.url('/calm') });
    assert.equal(away.isError, true, textOf(away));
    assert.match(textOf(away), new RegExp(`leaving the page did not finish within ${PAGE_ANSWER_MS} ms: the page is not answering`));
    await stillUsable(quick);
  });

  test('list_sessions answers while a call is stuck on a spinning page', { timeout: 90_000 }, async () => {
    await quick.ok('navigate', { url: site.url('/spin') });
    const spinning = spun();
    const stuck = quick.call('computer', { actions: [click] });
    await spinning;
    const list = await quick.ok('list_sessions');
    assert.equal((list.structuredContent.sessions as unknown[]).length, 1);
    await stuck;
    await stillUsable(quick);
  });

  test('a 3.6-million-character title is cut; the result stays small and the client connected', { timeout: 60_000 }, async () => {
    const result = await server.ok('navigate', { url: site.url('/title') });
    const title = result.structuredContent.title as string;
    assert.ok(title.length < 400, `title of ${title.length} characters`);
    assert.match(title, /cut, 3600000 characters/);
    assert.ok(JSON.stringify(result.structuredContent).length < 100_000);
    assert.ok(textOf(result).length < 10_000);
    const listed = await server.ok('list_sessions');
    assert.ok(JSON.stringify(listed).length < 10_000);
    await stillUsable();
  });

  test('one click opening 150 popups leaves at most 20 tabs and says so', { timeout: 90_000 }, async () => {
    await server.ok('navigate', { url: site.url('/popups') });
    const result = await server.ok('computer', { actions: [click] });
    const tabs = result.structuredContent.tabs as unknown[];
    assert.ok(tabs.length <= 20, `${tabs.length} tabs`);
    const limit = eventsOf(result).find((e) => e.kind === 'limit' && e.what === 'tabs');
    assert.ok(limit && limit.dropped! >= 1, textOf(result));
    assert.match(textOf(result), /tried to open more tabs than the 20 a session may have/);
    // Back to one tab for the tests after this one.
    const { session_id } = result.structuredContent as { session_id: string };
    await server.ok('close_session', { session_id });
  });

  test('a cancelled type action stops between keystrokes', { timeout: 60_000 }, async () => {
    await server.ok('navigate', { url: site.url('/text') });
    const controller = new AbortController();
    const typing = server.client.callTool(
      { name: 'computer', arguments: { actions: [{ type: 'type', text: 'x'.repeat(6000) }] } },
      undefined,
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 500);
    await assert.rejects(typing);
    // The next call waits for the cancelled one to stop; then the text stays short.
    await server.ok('computer', { actions: [{ type: 'wait', ms: 500 }] });
    const title = (await server.ok('screenshot')).structuredContent.title as string;
    const typed = Number(/typed (\d+)/.exec(title)?.[1] ?? 0);
    assert.ok(typed < 6000, `typed ${typed} characters after the cancel`);
  });
});

describe('secrets stay with the server', () => {
  test("the browser the pages run in has none of the server's keys or tokens in its environment", { timeout: 60_000 }, async () => {
    const secret = `sk-${randomUUID()}`;
    const marker = `CUA_TEST_RUN=${randomUUID()}`;
    const server = await startServer([], {
      OPENAI_API_KEY: secret,
      AZURE_CLIENT_SECRET: secret,
      ANTHROPIC_AUTH_TOKEN: secret,
      GOOGLE_APPLICATION_CREDENTIALS: secret,
      CUA_AUTH_TOKEN: secret,
      CUA_TEST_RUN: marker.split('=')[1]!,
    });
    try {
      await server.ok('screenshot');
      const serverPid = server.pid()!;
      // The browser runs (it carries the harmless marker), and no process the server started holds a secret.
      assert.ok(processesWithEnv(marker, serverPid).length > 0, 'the browser inherits the rest of the environment');
      for (const name of [
        'OPENAI_API_KEY',
        'AZURE_CLIENT_SECRET',
        'ANTHROPIC_AUTH_TOKEN',
        'GOOGLE_APPLICATION_CREDENTIALS',
        'CUA_AUTH_TOKEN',
      ]) {
        assert.deepEqual(processesWithEnv(`${name}=${secret}`, serverPid), [], `${name} reached the browser`);
      }
    } finally {
      await server.close();
    }
  });
});
