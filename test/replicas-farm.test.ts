import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrowserHost, FarmBalancer, farmEndpoint, HOST_CHROMIUM } from './helpers/browser-farm.js';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { connectHttp } from './helpers/http.js';
import { freePort } from './helpers/loopback-server.js';
import { textOf, type ServerHandle } from './helpers/mcp.js';
import { startReplicaSet, type ReplicaSet } from './helpers/replicas.js';

// Both halves of a shared deployment at once: two replicas behind HAProxy (the configuration `cua-mcp
// haproxy-config` prints), whose --browser-endpoint is a second HAProxy (deploy/haproxy/browsers.cfg) in front
// of two `playwright run-server` hosts. Each replica opens its sessions on a start page of its own.
const NAMES = ['r1', 'r2'];
const site = new FixtureServer(
  Object.fromEntries(
    NAMES.map((name) => [`/${name}`, page(`<h1>${name}</h1>`).replace('<title>fixture</title>', `<title>replica ${name}</title>`)]),
  ),
);
let hosts: [BrowserHost, BrowserHost];
let balancer: FarmBalancer;
let set: ReplicaSet;

before(async () => {
  // The replicas reach the farm at their first session: they start beside the hosts, before the balancer listens.
  const bind = `127.0.0.1:${await freePort()}`;
  await site.start();
  [hosts, set] = await Promise.all([
    Promise.all([BrowserHost.start(), BrowserHost.start()]),
    startReplicaSet(NAMES, (name) => [
      '--browser-endpoint',
      farmEndpoint(bind),
      '--executable-path',
      HOST_CHROMIUM,
      '--start-url',
      site.url(`/${name}`),
      '--max-sessions',
      '20',
    ]),
  ]);
  balancer = await FarmBalancer.start(hosts, bind);
});
after(async () => {
  await set?.stop();
  await balancer?.stop();
  for (const host of hosts ?? []) await host.kill();
  await site.stop();
});

/** A session as a client holds it: its handle, the replica the handle names, the host its browser runs on, and the page only that browser shows. */
interface Placed {
  client: ServerHandle;
  handle: string;
  replica: string;
  host: BrowserHost;
  url: string;
}

const replicaOf = (handle: string) => /^(r1|r2)\./.exec(handle)?.[1];

/** A new client's new session; the host that started a browser for it is where it runs. Then a page of its own, which only its browser shows. */
async function place(i: number): Promise<Placed> {
  const client = await connectHttp(set.url, () => [...set.replicas.values()].map((r) => r.stderr().slice(-1500)).join('\n'));
  const before = hosts.map((h) => h.browsers().length);
  const handle = String((await client.ok('new_session')).structuredContent.session_id);
  const grown = hosts.filter((h, n) => h.browsers().length > before[n]!);
  assert.equal(grown.length, 1, `exactly one host started a browser for ${handle}`);
  const replica = replicaOf(handle);
  assert.ok(replica, handle);
  const url = site.url(`/${replica}?client=${i}`);
  await client.ok('navigate', { session_id: handle, url });
  return { client, handle, replica, host: grown[0]!, url };
}

/** The call reached its replica (the handle's owner, whose start page the session opened on) and its browser (the page it alone was sent to). */
async function onItsReplicaAndHost(s: Placed): Promise<void> {
  const shot = await s.client.ok('screenshot', { session_id: s.handle });
  assert.equal(shot.structuredContent.url, s.url);
  assert.equal(shot.structuredContent.title, `replica ${s.replica}`);
}

describe('replicas behind HAProxy on a browser farm behind HAProxy', () => {
  test('a session stays on its replica and its browser host; a host that dies fails only its sessions', async () => {
    const sessions: Placed[] = [];
    const covers = (key: 'replica' | 'host', all: unknown[]) => all.every((v) => sessions.some((s) => s[key] === v));
    while (sessions.length < 4 || !covers('replica', NAMES) || !covers('host', hosts)) {
      assert.ok(
        sessions.length < 10,
        `sessions spread over both replicas and both hosts: ${sessions.map((s) => `${s.replica}@${s.host.address}`).join(' ')}`,
      );
      sessions.push(await place(sessions.length));
    }
    const browsers = hosts.map((h) => h.browsers().length);
    for (let round = 0; round < 3; round++) for (const s of sessions) await onItsReplicaAndHost(s);
    assert.deepEqual(
      hosts.map((h) => h.browsers().length),
      browsers,
      'no call opened another connection to the farm',
    );

    const [dying, surviving] = [sessions[0]!.host, hosts.find((h) => h !== sessions[0]!.host)!];
    await dying.kill();
    for (const s of sessions) {
      if (s.host === dying) {
        const result = await s.client.call('screenshot', { session_id: s.handle });
        assert.equal(result.isError, true, `${s.handle} on the dead host`);
        assert.match(
          textOf(result),
          new RegExp(`^The browser host of session ${s.handle.replace('.', '\\.')} went away .*Open a new session`),
        );
      } else {
        await onItsReplicaAndHost(s);
      }
    }
    // Both replicas keep serving: new clients' new sessions land on the living host, whichever replica opens them.
    const fresh: Placed[] = [];
    while (!NAMES.every((name) => fresh.some((s) => s.replica === name))) {
      assert.ok(fresh.length < 10, `new sessions on both replicas: ${fresh.map((s) => s.replica).join(' ')}`);
      const s = await place(sessions.length + fresh.length);
      fresh.push(s);
      assert.equal(s.host, surviving);
      await onItsReplicaAndHost(s);
    }
    await Promise.all(fresh.map((s) => s.client.close()));
    await Promise.all(sessions.map((s) => s.client.close()));
  });
});
