import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DomainPolicy } from '../src/browser/policy/domain-policy.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { runCli } from './helpers/http.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { until } from './helpers/processes.js';

/** A full-size target in the top-left corner, clicked at (50, 50). */
const corner = 'position:fixed;left:0;top:0;width:300px;height:200px;display:block;background:#ddd';

describe('domain policy rules', () => {
  test('wildcards cover the domain and its subdomains, exact names only themselves', () => {
    const policy = new DomainPolicy({ allowedDomains: 'example.com, *.example.org', blockedDomains: '*.ads.example.org' });
    assert.equal(policy.checkHost('example.com').allowed, true);
    assert.equal(policy.checkHost('www.example.com').allowed, false);
    assert.equal(policy.checkHost('example.org').allowed, true);
    assert.equal(policy.checkHost('a.b.example.org').allowed, true);
    assert.equal(policy.checkHost('badexample.org').allowed, false);
    assert.equal(policy.checkHost('EXAMPLE.COM.').allowed, true);
    const blocked = policy.checkHost('x.ads.example.org');
    assert.equal(blocked.allowed, false);
    assert.match(!blocked.allowed ? blocked.reason : '', /blocked domain \*\.ads\.example\.org \(--blocked-domains\)/);
    assert.equal(new DomainPolicy({ blockedDomains: '[::1]' }).checkRequest('http://[::1]:8080/').allowed, false);
    const other = policy.checkRequest('https://evil.test/');
    assert.match(!other.allowed ? other.reason : '', /not in the allowed domains .*--allowed-domains/);
  });

  test('internationalised names match in either spelling', () => {
    const policy = new DomainPolicy({ blockedDomains: '*.bücher.de' });
    assert.equal(policy.checkRequest('https://shop.xn--bcher-kva.de/').allowed, false);
    assert.equal(policy.checkRequest('https://bücher.de/').allowed, false);
  });

  test('local and internal schemes are refused at the top level unless allowed', () => {
    const policy = new DomainPolicy();
    assert.equal(policy.restrictsHosts, false);
    for (const url of [
      'file:///etc/passwd',
      'view-source:https://example.com/',
      'data:text/html,hi',
      'chrome://version',
      'javascript:alert(1)',
    ]) {
      assert.equal(policy.checkNavigation(url).allowed, false, url);
    }
    for (const url of ['https://example.com/', 'about:blank']) assert.equal(policy.checkNavigation(url).allowed, true, url);
    const opened = new DomainPolicy({ allowSchemes: 'file,view-source', blockedDomains: 'example.com' });
    assert.equal(opened.checkNavigation('file:///tmp/x.html').allowed, true);
    assert.equal(opened.checkNavigation('view-source:https://example.com/').allowed, false, 'view-source still obeys the host policy');
    assert.equal(opened.checkNavigation('data:text/html,hi').allowed, false);
  });

  test('bad patterns stop the server at start with a message naming the flag', async () => {
    const cases = [
      [['--allowed-domains', 'https://example.com/path'], '--allowed-domains'],
      [['--blocked-domains', 'ex*ample.com'], '--blocked-domains'],
      [['--allow-schemes', 'ftp'], '--allow-schemes'],
      [['--blocked-domains', '127.0.0.1', '--start-url', 'http://127.0.0.1/'], '--start-url'],
    ] as const;
    // Side by side: each refuses before it opens anything.
    const runs = await Promise.all(cases.map(([args]) => runCli([...args])));
    for (const [i, [, flag]] of cases.entries()) {
      assert.equal(runs[i]!.code, 2, runs[i]!.stderr);
      assert.match(runs[i]!.stderr, new RegExp(flag.replace(/-/g, '\\-')));
    }
  });
});

describe('domain policy in the browser', () => {
  // Three "sites" on three loopback addresses: A allowed; B not in the allowed list;
  // C in the allowed list but also blocked (blocked wins).
  const a = new FixtureServer();
  const b = new FixtureServer();
  const c = new FixtureServer();
  // A WebSocket endpoint on the allowed host: the handshake is all the test needs.
  const sockets = http.createServer();
  sockets.on('upgrade', (req, socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
  });
  let server: ServerHandle;

  before(async () => {
    await Promise.all([a.start('127.0.0.1'), b.start('127.0.0.2'), c.start('127.0.0.3')]);
    await new Promise<void>((resolve) => sockets.listen(0, '127.0.0.1', resolve));
    const socketUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/`;
    for (const site of [b, c]) {
      site.route('/secret', page('<h1>secret</h1>'));
      site.route('/api', (_req, res) => void res.writeHead(200, { 'access-control-allow-origin': '*' }).end('leaked'));
    }
    a.route('/', page('<h1>local</h1>'))
      .route('/start', page('<h1>start</h1>'))
      .route('/landing', page('<h1>landing</h1>'))
      .route('/api', (_req, res) => void res.writeHead(200).end('same-site data'))
      .route('/link', page(`<a href="${b.url('/secret')}" style="${corner}">to B</a>`))
      .route('/redirect', (_req, res) => void res.writeHead(302, { location: b.url('/secret') }).end())
      .route('/redirect-tls', (_req, res) => void res.writeHead(302, { location: b.url('/secret').replace('http:', 'https:') }).end())
      .route('/redirect-ok', (_req, res) => void res.writeHead(302, { location: a.url('/landing') }).end())
      .route('/redirect-twice', (_req, res) => void res.writeHead(302, { location: a.url('/redirect') }).end())
      .route('/redirect-api', (_req, res) => void res.writeHead(302, { location: b.url('/api') }).end())
      .route(
        '/frames',
        page(
          `<iframe src="${b.url('/secret')}"></iframe><iframe src="${c.url('/secret')}"></iframe><iframe src="${a.url('/landing')}"></iframe>`,
        ),
      )
      .route('/popup', page(`<button style="${corner}" onclick="window.open('${b.url('/secret')}')">open</button>`))
      .route('/blank-link', page(`<a href="${c.url('/secret')}" target="_blank" style="${corner}">new tab</a>`))
      .route(
        '/fetch',
        page(`<button style="${corner}" onclick="go()">fetch</button><p id="out">none</p>
<script>async function go() {
  const out = [];
  for (const url of ['${a.url('/api')}', '${b.url('/api')}', '${a.url('/redirect-api')}']) {
    try { out.push(await (await fetch(url)).text()); } catch (e) { out.push('failed'); }
  }
  document.getElementById('out').textContent = out.join(' | ');
  document.title = out.join(' | ');
}</script>`),
      )
      .route(
        '/socket',
        page(
          `<script>const ws = new WebSocket('${b.url('/ws').replace('http:', 'ws:')}'); ws.onerror = () => (document.title = 'socket failed');</script>`,
        ),
      )
      .route(
        '/socket-ok',
        page(`<script>const ws = new WebSocket('${socketUrl}'); ws.onopen = () => (document.title = 'socket open');</script>`),
      )
      .route('/local-link', page(`<a href="file:///etc/hostname" style="${corner}">local file</a>`))
      .route('/data-link', page(`<a href="data:text/html,<h1>data page</h1>" style="${corner}">data page</a>`));
    server = await startServer(['--allowed-domains', '127.0.0.1,127.0.0.3', '--blocked-domains', '127.0.0.3']);
  });

  after(async () => {
    await server?.close();
    sockets.closeAllConnections();
    sockets.close();
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  });

  /** The blocked sites never saw a single request or connection. */
  function assertUntouched(): void {
    assert.deepEqual(b.requests, []);
    assert.deepEqual(c.requests, []);
    assert.equal(b.connections + c.connections, 0);
  }

  const blockedEvents = (result: { structuredContent?: Record<string, unknown> }) =>
    (result.structuredContent?.events as { kind: string; url: string; reason: string }[]).filter((e) => e.kind === 'blocked');

  test('navigate refuses a blocked host before loading anything', async () => {
    const toB = await server.call('navigate', { url: b.url('/secret') });
    assert.equal(toB.isError, true);
    assert.match(
      textOf(toB),
      /Blocked by the domain policy: 127\.0\.0\.2 is not in the allowed domains 127\.0\.0\.1, 127\.0\.0\.3 \(--allowed-domains\)/,
    );
    const toC = await server.call('navigate', { url: c.url('/secret') });
    assert.match(textOf(toC), /127\.0\.0\.3 matches the blocked domain 127\.0\.0\.3 \(--blocked-domains\)/);
    const ok = await server.ok('navigate', { url: a.url('/start') });
    assert.equal(ok.structuredContent.url, a.url('/start'));
    assertUntouched();
  });

  test('a link click to a blocked host shows a block page and reports it', async () => {
    await server.ok('navigate', { url: a.url('/link') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.match(textOf(result), new RegExp(`blocked ${b.url('/secret')}: 127\\.0\\.0\\.2 is not in the allowed domains`));
    assert.equal(blockedEvents(result).length, 1);
    assert.equal(result.structuredContent.title, 'Blocked by policy');
    assertUntouched();
  });

  test('redirects from an allowed host to a blocked one are stopped, over http and https', async () => {
    const result = await server.ok('navigate', { url: a.url('/redirect') });
    assert.match(textOf(result), new RegExp(`blocked ${b.url('/secret')}: .*redirected from ${a.url('/redirect')}`));
    const twice = await server.ok('navigate', { url: a.url('/redirect-twice') });
    assert.equal(blockedEvents(twice).length, 1);
    const tls = await server.ok('navigate', { url: a.url('/redirect-tls') });
    assert.match(textOf(tls), /blocked https:\/\/127\.0\.0\.2:\d+\/secret/);
    assert.ok(a.requests.includes('/redirect-tls'));
    assertUntouched();
    const ok = await server.ok('navigate', { url: a.url('/redirect-ok') });
    assert.equal(ok.structuredContent.url, a.url('/landing'));
    assert.equal(blockedEvents(ok).length, 0);
  });

  test('iframes from blocked hosts stay empty while allowed ones load', async () => {
    const before = a.requests.filter((p) => p === '/landing').length;
    const result = await server.ok('navigate', { url: a.url('/frames') });
    assert.deepEqual(
      blockedEvents(result)
        .map((e) => e.url)
        .sort(),
      [b.url('/secret'), c.url('/secret')].sort(),
    );
    assert.equal(a.requests.filter((p) => p === '/landing').length, before + 1);
    assertUntouched();
  });

  test('popups (window.open and target=_blank) cannot reach a blocked host', async () => {
    await server.ok('navigate', { url: a.url('/popup') });
    const popup = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.match(textOf(popup), /a new tab opened/);
    assert.match(textOf(popup), new RegExp(`blocked ${b.url('/secret')}`));
    await server.ok('navigate', { url: a.url('/blank-link') });
    const tab = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.match(textOf(tab), new RegExp(`blocked ${c.url('/secret')}: 127\\.0\\.0\\.3 matches the blocked domain`));
    assertUntouched();
  });

  test('fetches to a blocked host fail, directly or through a redirect; same-site ones work', async () => {
    await server.ok('navigate', { url: a.url('/fetch') });
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.equal(result.structuredContent.title, 'same-site data | failed | failed');
    assert.match(textOf(result), new RegExp(`blocked ${b.url('/api')}`));
    assertUntouched();
  });

  /** Takes screenshots until the page's title is `title` (its WebSocket opened or failed): the last title and every result's text. */
  async function titleBecomes(title: string): Promise<{ title: unknown; text: string }> {
    let text = '';
    const last = await until(
      async () => {
        const shot = await server.ok('screenshot');
        text += textOf(shot);
        return shot.structuredContent.title;
      },
      (seen) => seen === title,
    );
    return { title: last, text };
  }

  test('WebSockets to a blocked host never connect', async () => {
    const opened = await server.ok('navigate', { url: a.url('/socket') });
    const result = await titleBecomes('socket failed');
    assert.equal(result.title, 'socket failed');
    assert.match(
      textOf(opened) + result.text,
      new RegExp(`blocked ${b.url('/ws').replace('http:', 'ws:')}: 127\\.0\\.0\\.2 is not in the allowed domains`),
    );
    assertUntouched();
  });

  test('allowed hosts still work through the proxy: WebSockets and https tunnels', async () => {
    await server.ok('navigate', { url: a.url('/socket-ok') });
    assert.equal((await titleBecomes('socket open')).title, 'socket open');
    // No TLS on the fixture: the page fails, but the tunnel to the allowed host was opened.
    const before = a.connections;
    await server.call('navigate', { url: a.url('/start').replace('http:', 'https:') });
    assert.ok(a.connections > before, 'the https connection reached the allowed host');
  });

  test('file:, view-source: and data: pages are refused at the top level', async () => {
    for (const url of ['file:///etc/hostname', `view-source:${a.url('/start')}`, 'data:text/html,<h1>hi</h1>']) {
      const result = await server.call('navigate', { url });
      assert.equal(result.isError, true, url);
      assert.match(textOf(result), /URLs are blocked by default \(allow them with --allow-schemes (file|view-source|data)\)/);
    }
    const session = await server.call('new_session', { start_url: 'file:///etc/hostname' });
    assert.equal(session.isError, true);
    assert.match(textOf(session), /Cannot open a session at file:\/\/\/etc\/hostname: blocked by the domain policy/);
    // A page cannot take the browser there either.
    await server.ok('navigate', { url: a.url('/local-link') });
    const click = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.equal(click.structuredContent.url, a.url('/local-link'));
    await server.ok('navigate', { url: a.url('/data-link') });
    const dataClick = await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    assert.equal(dataClick.structuredContent.url, a.url('/data-link'));
  });

  // One reading of a typed address, in the browser (this server's policy allows 127.0.0.1).
  test('in the browser: navigate and new_session open 127.0.0.1:PORT over http; a bad address is a parse error, not a policy verdict', async () => {
    const bare = a.origin.replace('http://', '');
    const navigated = await server.ok('navigate', { url: bare });
    assert.equal(navigated.structuredContent.url, `${a.origin}/`);
    const opened = await server.ok('new_session', { start_url: bare });
    const shot = await server.ok('screenshot', { session_id: opened.structuredContent.session_id });
    assert.equal(shot.structuredContent.url, `${a.origin}/`);
    await server.ok('close_session', { session_id: opened.structuredContent.session_id });
    const bad = await server.call('new_session', { start_url: 'http://[bad' });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /Not a valid URL: "http:\/\/\[bad"/);
    assert.doesNotMatch(textOf(bad), /domain policy/);
  });
});

describe('one reading of a typed address (navigate, start_url, --start-url, the address bar)', () => {
  test('bare loopback and private hosts get http://, as browsers give them; other hosts https://', async () => {
    const { normalizeUrl } = await import('../src/urls.js');
    const cases: Array<[string, string]> = [
      ['127.0.0.1:8765', 'http://127.0.0.1:8765/'],
      ['localhost:3000/app', 'http://localhost:3000/app'],
      ['[::1]:8080', 'http://[::1]:8080/'],
      ['10.0.0.5:80', 'http://10.0.0.5/'],
      ['192.168.1.20', 'http://192.168.1.20/'],
      ['172.16.0.1:8443/x', 'http://172.16.0.1:8443/x'],
      ['dev.localhost', 'http://dev.localhost/'],
      ['example.com', 'https://example.com/'],
      ['example.com:8080/a?b=1', 'https://example.com:8080/a?b=1'],
      ['8.8.8.8', 'https://8.8.8.8/'],
      ['http://example.com/', 'http://example.com/'],
      ['about:blank', 'about:blank'],
    ];
    for (const [typed, url] of cases) assert.equal(normalizeUrl(typed), url, typed);
    assert.throws(() => normalizeUrl('http://[bad'), /Not a valid URL: "http:\/\/\[bad"/);
  });

  test('--start-url takes what navigate takes', async () => {
    const { parseOptions } = await import('../src/config.js');
    const { resolveConfig } = await import('../src/mcp/server-config.js');
    const startUrl = (value: string) => resolveConfig(parseOptions(['--start-url', value], {}).raw, {}).startUrl;
    assert.equal(startUrl('example.com'), 'https://example.com/');
    assert.equal(startUrl('127.0.0.1:8765'), 'http://127.0.0.1:8765/');
  });
});
