import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { DomainPolicy } from '../src/browser/policy/domain-policy.js';
import { canonicalAddress } from '../src/host-patterns.js';
import { linkTo, reachEveryWay, webrtcTo } from './fixtures/hostile-pages.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

describe('every spelling of an address is the same address', () => {
  test('IPv4-mapped IPv6, the unspecified addresses and numeric forms are canonical', () => {
    for (const [spelled, canonical] of [
      ['[::ffff:127.0.0.2]', '127.0.0.2'],
      ['[0:0:0:0:0:ffff:7f00:2]', '127.0.0.2'],
      ['[::FFFF:7F00:1]', '127.0.0.1'],
      ['0.0.0.0', '127.0.0.1'],
      ['[::]', '[::1]'],
      ['[0:0:0:0:0:0:0:1]', '[::1]'],
      ['example.com', 'example.com'],
    ]) {
      assert.equal(canonicalAddress(spelled!.toLowerCase()), canonical, spelled);
    }
    const policy = new DomainPolicy({ blockedDomains: '127.0.0.1,127.0.0.2' });
    for (const url of [
      'http://[::ffff:127.0.0.2]/',
      'http://[0:0:0:0:0:ffff:7f00:2]/',
      'http://0.0.0.0/',
      'http://0/',
      'http://[::ffff:127.0.0.1]/',
      'http://0x7f.1/',
      'http://2130706433/',
    ]) {
      assert.equal(policy.checkRequest(url).allowed, false, url);
    }
    assert.equal(
      new DomainPolicy({ blockedDomains: '[::ffff:127.0.0.2]' }).checkRequest('http://127.0.0.2/').allowed,
      false,
      'patterns are canonical too',
    );
    assert.match((policy.checkAddress('localhost', '::ffff:127.0.0.1') as { reason: string }).reason, /localhost resolves to 127\.0\.0\.1/);
  });
});

describe('a hostile page against blocked loopback hosts', () => {
  // Blocked: 127.0.0.1 (reached by 0.0.0.0, 0 and localhost too) and 127.0.0.2; the page comes from 127.0.0.4.
  const first = new FixtureServer();
  const second = new FixtureServer();
  const site = new FixtureServer();
  const udp = dgram.createSocket('udp4');
  let datagrams = 0;
  let server: ServerHandle;
  let spellings: string[];

  before(async () => {
    await Promise.all([first.start('127.0.0.1'), second.start('127.0.0.2'), site.start('127.0.0.4')]);
    udp.on('message', () => datagrams++);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.2', resolve));
    const p1 = new URL(first.origin).port;
    const p2 = new URL(second.origin).port;
    spellings = [
      `http://[::ffff:127.0.0.2]:${p2}/`,
      `http://[0:0:0:0:0:ffff:7f00:2]:${p2}/`,
      `http://0.0.0.0:${p1}/`,
      `http://0:${p1}/`,
      `http://[::ffff:127.0.0.1]:${p1}/`,
      // A name that resolves to a blocked address.
      `http://localhost:${p1}/`,
    ];
    site.route('/attack', reachEveryWay(spellings, '/tried')).route('/tried', (_req, res) => void res.writeHead(204).end());
    site.route('/link', linkTo(spellings[0]!));
    site.route('/webrtc', webrtcTo('127.0.0.2', udp.address().port));
    server = await startServer(['--blocked-domains', '127.0.0.1,127.0.0.2']);
  });
  after(async () => {
    await server?.close();
    udp.close();
    await Promise.all([first.stop(), second.stop(), site.stop()]);
  });

  const untouched = () => {
    assert.deepEqual([...first.requests, ...second.requests], []);
    assert.equal(first.connections + second.connections, 0, 'a blocked server was contacted');
  };

  test('navigations, fetches, images, frames and WebSockets to any spelling never connect', async () => {
    for (const url of spellings.slice(0, 5)) {
      const refused = await server.call('navigate', { url });
      assert.equal(refused.isError, true, `navigate ${url}: ${textOf(refused)}`);
    }
    await server.ok('navigate', { url: site.url('/attack') });
    // The page asks for /tried once every attempt has ended.
    while (!site.requests.includes('/tried')) await new Promise((resolve) => setTimeout(resolve, 50));
    await server.ok('navigate', { url: site.url('/link') });
    await server.ok('computer', { actions: [{ type: 'click', x: 50, y: 50 }] });
    untouched();
  });

  test('WebRTC sends no datagram to a blocked host', async () => {
    await server.ok('navigate', { url: site.url('/webrtc') });
    let title = '';
    for (let i = 0; i < 50 && !title.startsWith('gathered'); i++) {
      title = (await server.ok('computer', { actions: [{ type: 'wait', ms: 100 }] })).structuredContent.title as string;
    }
    assert.match(title, /^gathered/);
    assert.equal(datagrams, 0, 'STUN/TURN datagrams reached the blocked host');
  });
});
