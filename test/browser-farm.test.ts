import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { BrowserHost, FARM_MANIFEST, FarmBalancer, farmEndpoint, HOST_CHROMIUM } from './helpers/browser-farm.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { freePort } from './helpers/loopback-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { until } from './helpers/processes.js';

/**
 * --browser-endpoint naming a pool: two `playwright run-server` hosts behind
 * HAProxy running deploy/haproxy/browsers.cfg, one MCP server in front.
 */
describe('a browser farm behind HAProxy', () => {
  let site: FixtureServer;
  let hosts: [BrowserHost, BrowserHost];
  let balancer: FarmBalancer;
  let server: ServerHandle;
  /** Resolves when a browser asks for /hang, which never answers: a call is then in flight. */
  let hangAsked: () => void;
  const hanging = new Promise<void>((resolve) => (hangAsked = resolve));
  /** Session id → the host its browser runs on, as the hosts' own processes show. */
  const hostOf = new Map<string, BrowserHost>();
  let defaultId: string;
  /** The host killed (the default session's) and the other one. */
  let dying: BrowserHost;
  let surviving: BrowserHost;

  before(async () => {
    // The server reaches the farm at its first session: it starts beside the hosts, before the balancer listens.
    const bind = `127.0.0.1:${await freePort()}`;
    [site, hosts, server] = await Promise.all([
      new FixtureServer({ '/': page('<p>farm page</p>'), '/hang': () => hangAsked() }).start(),
      Promise.all([BrowserHost.start(), BrowserHost.start()]),
      startServer(['--browser-endpoint', farmEndpoint(bind), '--executable-path', HOST_CHROMIUM]),
    ]);
    balancer = await FarmBalancer.start(hosts, bind);
  });

  after(async () => {
    await server?.close();
    await balancer?.stop();
    for (const host of hosts ?? []) await host.kill();
    await site?.stop();
  });

  /** Opens a session (or the default one, by a call without session_id) at the fixture page and finds the host that started a browser for it; returns the first result. */
  async function open(asDefault = false): Promise<Record<string, unknown>> {
    const before = hosts.map((h) => h.browsers().length);
    const opened = asDefault
      ? await server.ok('navigate', { url: site.url('/') })
      : await server.ok('new_session', { start_url: site.url('/') });
    const id = String(opened.structuredContent.session_id);
    const grown = hosts.filter((h, i) => h.browsers().length > before[i]!);
    assert.equal(grown.length, 1, `exactly one host started a browser for session ${id}`);
    hostOf.set(id, grown[0]!);
    return opened.structuredContent;
  }
  const openSession = async (asDefault = false) => String((await open(asDefault)).session_id);

  it('spreads sessions over the hosts, a connection (and a browser) each', async () => {
    defaultId = await openSession(true);
    for (let i = 0; i < 3; i++) await openSession();
    assert.deepEqual(
      hosts.map((h) => h.browsers().length),
      [2, 2],
    );
    const list = await server.ok('list_sessions', {});
    assert.match(
      String(list.structuredContent.browser),
      /browser server at ws:\/\/127\.0\.0\.1:\d+\/ .*a connection per session \(4 open\)/,
    );
  });

  it('a host that dies fails only its sessions, with a clear error; the others and new sessions work', async () => {
    dying = hostOf.get(defaultId)!;
    surviving = hosts.find((h) => h !== dying)!;
    // Its other session is in the middle of a call when the host dies.
    const busy = [...hostOf].find(([id, h]) => h === dying && id !== defaultId)![0];
    const inFlight = server.call('navigate', { session_id: busy, url: site.url('/hang') });
    await hanging;
    await dying.kill();
    assert.match(textOf(await inFlight), new RegExp(`^The browser host of session ${busy} went away .*Open a new session`));
    for (const [id, host] of hostOf) {
      const result = await server.call('screenshot', { session_id: id });
      if (host === dying) {
        assert.equal(result.isError, true, `session ${id} on the dead host`);
        assert.match(textOf(result), new RegExp(`^The browser host of session ${id} went away .*Open a new session`));
        // It stays gone, with the same answer, and leaves the list.
        assert.match(textOf(await server.call('screenshot', { session_id: id })), /went away/);
      } else {
        assert.equal(result.isError, undefined, `session ${id} on the surviving host: ${textOf(result)}`);
        assert.equal((result.structuredContent as { url: string }).url, site.url('/'));
      }
    }
    const listed = (await server.ok('list_sessions', {})).structuredContent.sessions as { session_id: string }[];
    assert.deepEqual(
      listed.map((s) => s.session_id).sort(),
      [...hostOf]
        .filter(([, h]) => h === surviving)
        .map(([id]) => id)
        .sort(),
    );

    // Before or after HAProxy's checks mark the dead host down, new sessions land on the living one. A call
    // without session_id gets a new default session, which says what became of the old one.
    const fresh = await openSession();
    assert.equal(hostOf.get(fresh), surviving);
    const newDefault = await open(true);
    assert.equal(hostOf.get(String(newDefault.session_id)), surviving);
    const events = newDefault.events as { kind: string; previous_session_id?: string; description: string }[];
    const replaced = events.find((e) => e.kind === 'session_replaced');
    assert.equal(replaced?.previous_session_id, defaultId, JSON.stringify(events));
    assert.match(replaced.description, /the browser host it ran on went away/);
  });

  it("closing a session, and the server, closes their connections and the hosts' browsers", async () => {
    const open = [...hostOf].filter(([, h]) => h === surviving).map(([id]) => id);
    await server.ok('close_session', { session_id: open[0] });
    assert.equal(
      await until(
        () => surviving.browsers().length,
        (n) => n === open.length - 1,
      ),
      open.length - 1,
    );
    await server.close();
    assert.equal(
      await until(
        () => surviving.browsers().length,
        (n) => n === 0,
      ),
      0,
    );
  });
});

describe('the Kubernetes browser farm manifest', () => {
  it('runs the Playwright version this server speaks (major.minor must match, or connections are refused)', () => {
    const { version } = createRequire(import.meta.url)('playwright/package.json') as { version: string };
    const manifest = fs.readFileSync(FARM_MANIFEST, 'utf8');
    assert.match(manifest, new RegExp(`image: mcr\\.microsoft\\.com/playwright:v${version.replaceAll('.', '\\.')}-`));
    assert.match(manifest, new RegExp(`npx -y playwright@${version.replaceAll('.', '\\.')} run-server`));
  });
});
