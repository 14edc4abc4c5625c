import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { commandLine, descendants, isAlive, processesWithEnv, until } from './helpers/processes.js';

/** Chromium's helper processes rewrite their argv into one string, so match on the joined line. */
const commandText = (pid: number) => commandLine(pid).join(' ');

/** The browser process the server launched (Playwright drives it over a pipe; helpers have a --type). */
function browserOf(server: ServerHandle): number {
  const pid = descendants(server.pid()!).find(
    (p) => commandText(p).includes('--remote-debugging-pipe') && !commandText(p).includes('--type='),
  );
  assert.ok(pid, 'the server has a browser process');
  return pid;
}

describe('faults', () => {
  const site = new FixtureServer({
    '/one': page('<h1>one</h1>'),
    '/two': page('<h1>two</h1>'),
    '/slow': page(`<button style="position:fixed;left:0;top:0;width:100px;height:40px" onclick="fetch('/hold')">go</button>`),
    '/hold': () => {},
  });
  // Every process the servers start inherits this, so orphans can be found after re-parenting.
  const marker = `CUA_FAULT_TEST=${randomUUID()}`;
  const [markerName, markerValue] = marker.split('=') as [string, string];
  let server: ServerHandle;

  before(async () => {
    await site.start();
    server = await startServer([], { [markerName]: markerValue });
  });

  after(async () => {
    await server?.close();
    await site.stop();
  });

  test('Chromium killed mid-session: the next call restarts it and each session is back at its URL, same id', async () => {
    const first = await server.ok('navigate', { url: site.url('/one') });
    const second = await server.ok('new_session', { start_url: site.url('/two') });
    const firstId = first.structuredContent.session_id as string;
    const secondId = second.structuredContent.session_id as string;

    const killed = browserOf(server);
    process.kill(killed, 'SIGKILL');
    await until(
      () => server.stderr(),
      (text) => /the browser went away/.test(text),
    );

    const after = await server.ok('screenshot', {});
    assert.equal(after.structuredContent.session_id, firstId);
    assert.equal(after.structuredContent.url, site.url('/one'));
    assert.match(textOf(after), new RegExp(`browser restarted; session reset to ${site.url('/one')}`));
    assert.deepEqual(
      (after.structuredContent.events as { kind: string }[]).map((e) => e.kind),
      ['reset'],
    );

    const other = await server.ok('screenshot', { session_id: secondId });
    assert.equal(other.structuredContent.url, site.url('/two'));
    assert.match(textOf(other), /browser restarted; session reset to/);

    const again = await server.ok('screenshot', {});
    assert.doesNotMatch(textOf(again), /reset/, 'the reset is reported once');
    const listed = await server.ok('list_sessions', {});
    assert.deepEqual(
      (listed.structuredContent.sessions as { session_id: string }[]).map((s) => s.session_id).sort(),
      [firstId, secondId].sort(),
    );
    assert.notEqual(browserOf(server), killed);
  });

  test('a crashed tab (its renderer killed) is replaced and back at its URL', async () => {
    await server.ok('navigate', { url: site.url('/one') });
    const browser = browserOf(server);
    const renderers = descendants(browser).filter((p) => commandText(p).includes('--type=renderer'));
    assert.ok(renderers.length > 0, 'the browser has renderer processes');
    for (const pid of renderers) process.kill(pid, 'SIGKILL');
    // The crash reaches the server a moment after the processes die; a call racing it gets a clear error instead.
    await until(
      () => server.stderr(),
      (text) => text.includes(`the tab at ${site.url('/one')} crashed`),
    );
    const result = await server.ok('computer', { actions: [{ type: 'click', x: 10, y: 10 }] });
    assert.match(textOf(result), /The browser or tab was reset \(it crashed or was killed\); the remaining actions were not run/);
    assert.match(textOf(result), new RegExp(`tab crashed; session reset to ${site.url('/one')} \\(its renderer died`));
    // The same facts for clients that show their model only structuredContent.
    assert.deepEqual(result.structuredContent.not_run, ['click 10,10']);
    assert.match(String(result.structuredContent.summary), /the remaining actions were not run: click 10,10\. Look at the new screenshot/);
    const events = result.structuredContent.events as { kind: string; description: string }[];
    assert.ok(
      events.some((e) => e.kind === 'reset' && /^tab crashed; session reset to/.test(e.description)),
      JSON.stringify(events),
    );
    assert.equal(result.structuredContent.url, site.url('/one'));
    assert.equal(browserOf(server), browser, 'the browser itself kept running');
  });

  test('a call running when the browser dies ends with a result or a clear error, and the session goes on', async (t) => {
    await server.ok('navigate', { url: site.url('/slow') });
    const running = server.call('computer', {
      actions: [
        { type: 'click', x: 50, y: 20 },
        { type: 'click', x: 10, y: 10 },
      ],
    });
    // The first click's request is held: the call is still settling it when the browser dies.
    await until(() => site.requests.includes('/hold'), Boolean);
    process.kill(browserOf(server), 'SIGKILL');
    const result = await running;
    t.diagnostic(`in-flight call: ${textOf(result).split('\n')[0]}`);
    if (result.isError)
      assert.match(textOf(result), /The browser went away during this call .* The next call starts a new browser and reopens/);
    else
      assert.match(
        textOf(result),
        /The browser or tab was reset \(it crashed or was killed\) after 1 action\(s\): click 50,20; the remaining actions were not run[^]*browser restarted; session reset to/,
      );
    const next = await server.ok('screenshot', {});
    assert.equal(next.structuredContent.url, site.url('/slow'));
  });

  test('SIGTERM closes every browser: no Chromium process is left', async () => {
    await server.ok('navigate', { url: site.url('/one') });
    const serverPid = server.pid()!;
    assert.ok(processesWithEnv(marker, serverPid).length > 0, 'browser processes are running before the signal');
    process.kill(serverPid, 'SIGTERM');
    await until(
      () => isAlive(serverPid),
      (alive) => !alive,
    );
    const left = await until(
      () => processesWithEnv(marker),
      (pids) => pids.length === 0,
    );
    assert.deepEqual(left.map(commandText), []);
    assert.match(server.stderr(), /shutting down \(SIGTERM\)/);
  });

  describe('other ways to stop a server', () => {
    // A server each, started (and its browser launched) side by side.
    const ways = [
      { how: 'SIGINT', logged: 'SIGINT', value: randomUUID() },
      { how: 'closing stdin', logged: 'client disconnected', value: randomUUID() },
    ] as const;
    const servers = new Map<string, ServerHandle>();
    before(async () => {
      await Promise.all(
        ways.map(async ({ how, value }) => {
          const other = await startServer([], { [markerName]: value });
          servers.set(how, other);
          await other.ok('navigate', { url: site.url('/two') });
        }),
      );
    });
    after(async () => {
      for (const other of servers.values()) await other.close();
    });

    for (const { how, logged, value } of ways) {
      test(`${how} closes every browser too`, async () => {
        const other = servers.get(how)!;
        const serverPid = other.pid()!;
        assert.ok(processesWithEnv(`${markerName}=${value}`, serverPid).length > 0);
        if (how === 'SIGINT') process.kill(serverPid, 'SIGINT');
        else await other.close();
        await until(
          () => isAlive(serverPid),
          (alive) => !alive,
        );
        const left = await until(
          () => processesWithEnv(`${markerName}=${value}`),
          (pids) => pids.length === 0,
        );
        assert.deepEqual(left.map(commandText), []);
        assert.match(other.stderr(), new RegExp(`shutting down \\(${logged}\\)`));
      });
    }
  });
});
