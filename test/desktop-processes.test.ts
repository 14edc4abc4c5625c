import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UTF8, XTERM, openDesktop, skip, xvfbDisplay } from './helpers/desktop.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng } from './helpers/png.js';
import { commandLine, descendants, isAlive, processesWithEnv, until } from './helpers/processes.js';
import { connectX, startedBy, windowManagerCaughtUp, xvfbAuthFile } from './helpers/x-client.js';

// Three groups with servers of their own, independent of each other: they run side by side.
describe('desktop sessions', { skip, concurrency: true }, () => {
  it("launched applications and the window manager get none of the server's keys or tokens", async () => {
    const secret = `sk-${randomUUID()}`;
    const marker = ['CUA_TEST_RUN', randomUUID()] as const;
    const server = await startServer(['--desktop-app', XTERM], {
      ...UTF8,
      OPENAI_API_KEY: secret,
      AZURE_OPENAI_API_KEY: secret,
      CUA_AUTH_TOKEN: secret,
      [marker[0]]: marker[1],
    });
    try {
      const session = await openDesktop(server);
      const { pid } = (await server.ok('launch_app', { session_id: session, app: 'xterm' })).structuredContent as { pid: number };
      const serverPid = server.pid()!;
      const started = await until(
        () => processesWithEnv(marker.join('='), serverPid),
        (pids) => pids.includes(pid),
      );
      assert.ok(started.includes(pid), 'xterm inherits the rest of the environment');
      for (const name of ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'CUA_AUTH_TOKEN']) {
        const holders = processesWithEnv(`${name}=${secret}`, serverPid).filter((p) => started.includes(p));
        assert.deepEqual(holders, [], `${name} reached a process on the display`);
      }
    } finally {
      await server.close();
    }
  });

  describe('a server that allows no application', { concurrency: false }, () => {
    let server: ServerHandle;
    before(async () => {
      server = await startServer([]);
    });
    after(() => server.close());

    /** Runs `test` on a desktop session of its own, closed after it: the server's sessions and its one Xvfb are the test's. */
    async function onADesktop(test: (session: string) => Promise<void>): Promise<void> {
      const session = await openDesktop(server);
      try {
        await test(session);
      } finally {
        await server.ok('close_session', { session_id: session });
      }
    }

    it('says how to allow an application when none is', () =>
      onADesktop(async (session) => {
        const refused = await server.call('launch_app', { session_id: session, app: 'xterm' });
        assert.equal(refused.isError, true);
        assert.match(textOf(refused), /--desktop-app NAME=COMMAND/);
        // Without session_id: refused at once, without opening a browser session just to refuse it.
        const browser = await server.call('launch_app', { app: 'xterm' });
        assert.match(textOf(browser), /launch_app needs the session_id of a desktop session/);
        const listed = await server.ok('list_sessions', {});
        assert.deepEqual(
          (listed.structuredContent.sessions as { environment: string }[]).map((s) => s.environment),
          ['desktop'],
        );
      }));

    it('refuses a second session on an existing display', () =>
      onADesktop(async () => {
        const display = await xvfbDisplay(server);
        // An existing display is reached with the cookie the environment names, as any X client reaches it.
        const second = await startServer(['--desktop-display', display], { XAUTHORITY: xvfbAuthFile(server.pid()!) ?? '' });
        try {
          await second.ok('new_session', { environment: 'desktop' });
          const again = await second.call('new_session', { environment: 'desktop' });
          assert.equal(again.isError, true);
          assert.match(textOf(again), new RegExp(`X display ${display} already has a desktop session`));
        } finally {
          await second.close();
        }
      }));

    // No application allowed: nothing at all may start on the display.
    it('the window manager starts nothing: clicks on the desktop, the menu items under them and its key bindings run no program', () =>
      onADesktop(async (session) => {
        const serverPid = server.pid()!;
        const wm = startedBy(serverPid, 'openbox')[0];
        assert.ok(wm, 'openbox runs');
        const x = await connectX(await xvfbDisplay(server), xvfbAuthFile(serverPid));
        try {
          const before = decodePng(imageOf(await server.ok('screenshot', { session_id: session })).data).data;
          // A root menu opens at the click: its first item ("Terminal emulator" in Debian's) is just below and right of it.
          const item = { x: 330, y: 310 };
          await server.ok('computer', {
            session_id: session,
            actions: [
              { type: 'click', x: 300, y: 300, button: 'right' },
              { type: 'click', ...item },
              { type: 'click', x: 300, y: 300, button: 'wheel' },
              { type: 'click', ...item },
              { type: 'keypress', keys: ['super', 'e'] },
              { type: 'keypress', keys: ['alt', 'F2'] },
              { type: 'keypress', keys: ['ctrl', 'alt', 't'] },
            ],
          });
          await windowManagerCaughtUp(x);
          assert.deepEqual(descendants(wm.pid).map(commandLine), [], 'the window manager started no program');
          const after = decodePng(imageOf(await server.ok('screenshot', { session_id: session })).data).data;
          assert.ok(after.equals(before), 'no menu or window was drawn');
        } finally {
          x.client.terminate();
        }
      }));

    it("the display takes only clients that hold the session's cookie", () =>
      onADesktop(async () => {
        const display = await xvfbDisplay(server);
        // Another local user has no way to the cookie: a client without it is turned away.
        // Xvfb answers with an authorization failure, or drops the connection while the client still writes (EPIPE/ECONNRESET).
        await assert.rejects(connectX(display, undefined), /authoriz|refused|closed|EPIPE|ECONNRESET/i);
        const auth = xvfbAuthFile(server.pid()!);
        assert.ok(auth, 'Xvfb runs with -auth');
        const stat = fs.statSync(auth);
        assert.equal(stat.mode & 0o777, 0o600, "the cookie file is the server user's alone");
        assert.equal(fs.statSync(path.dirname(auth)).mode & 0o777, 0o700, 'in a folder only that user enters');
        const x = await connectX(display, auth);
        x.client.terminate();
      }));
  });

  // Each with a server of its own, its processes marked by a variable of its own.
  describe('what the server started ends with the session or the server', () => {
    for (const how of ['close_session', 'SIGTERM', 'SIGKILL', 'SIGKILL of the server and its watchdog'] as const) {
      it(`leaves no process behind after ${how}: the launched applications and the Xvfb end`, async () => {
        const [name, value] = ['CUA_TEST_RUN', randomUUID()];
        const server = await startServer(['--desktop-app', XTERM], { ...UTF8, [name]: value });
        const serverPid = server.pid()!;
        const ours = () => processesWithEnv(`${name}=${value}`, serverPid);
        try {
          const session = await openDesktop(server);
          await server.ok('launch_app', { session_id: session, app: 'xterm' });
          // The shell in the terminal starts a background process of its own: the process group ends it too.
          await server.ok('computer', {
            session_id: session,
            actions: [
              { type: 'click', x: 400, y: 500 },
              { type: 'type', text: 'sleep 600 &\n' },
            ],
          });
          const started = await until(ours, (pids) => pids.length >= 5);
          assert.ok(started.length >= 5, `Xvfb, openbox, xterm, bash and sleep run: ${started.length}`);
          const privateFolder = path.dirname(xvfbAuthFile(serverPid) ?? '/nonexistent/Xauthority');
          if (how === 'close_session') {
            await server.ok('close_session', { session_id: session });
          } else {
            // SIGKILL gives the server no chance to clean up: what it started must end by itself.
            const watchdogs = descendants(serverPid).filter((pid) => commandLine(pid).some((arg) => arg.endsWith('watchdog.js')));
            if (how === 'SIGKILL of the server and its watchdog') for (const pid of watchdogs) process.kill(pid, 'SIGKILL');
            process.kill(serverPid, how === 'SIGTERM' ? how : 'SIGKILL');
            await until(
              () => isAlive(serverPid),
              (alive) => !alive,
            );
          }
          assert.deepEqual(await until(ours, (pids) => pids.length === 0), []);
          // The watchdog removes it; killed too, it leaves a cookie of a display that is gone.
          if (how !== 'SIGKILL of the server and its watchdog') {
            assert.equal(
              await until(
                () => fs.existsSync(privateFolder),
                (exists) => !exists,
              ),
              false,
              'the folder holding the cookie is removed',
            );
          } else {
            fs.rmSync(privateFolder, { recursive: true, force: true });
          }
        } finally {
          await server.close();
        }
      });
    }
  });
});
