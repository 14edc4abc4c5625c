import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { childEnvironment } from '../../src/child-env.js';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { parseAppSpecs, splitCommand } from '../../src/desktop/app-specs.js';
import { fitWithin } from '../../src/desktop/frame-image.js';
import { lockedDown } from '../../src/desktop/openbox.js';
import { endGroup, onPath, startTime } from '../../src/desktop/process-group.js';
import { ScreenActivity } from '../../src/desktop/screen-activity.js';
import { typingPlan } from '../../src/desktop/typing.js';
import { wheelClicks } from '../../src/desktop/x11-computer.js';
import { startXvfb } from '../../src/desktop/x-display.js';
import { XConnection } from '../../src/desktop/x-connection.js';
import { isAlive, until } from '../helpers/processes.js';

const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => resolveConfig(parseOptions(argv, env).raw, env);

describe('desktop options', () => {
  it('--desktop-app is repeatable, the env variable ;-separated, commands split without a shell', () => {
    const fromFlags = config(['--desktop-app', 'xterm=xterm -fa "DejaVu Sans Mono"', '--desktop-app', "notes=python3 'my notes.py' a\\ b"]);
    assert.deepEqual(fromFlags.desktop.apps, [
      { name: 'xterm', argv: ['xterm', '-fa', 'DejaVu Sans Mono'] },
      { name: 'notes', argv: ['python3', 'my notes.py', 'a b'] },
    ]);
    const fromEnv = config([], { CUA_DESKTOP_APPS: 'xterm=xterm; browser=chromium --no-sandbox' });
    assert.deepEqual(
      fromEnv.desktop.apps.map((a) => a.name),
      ['xterm', 'browser'],
    );
    assert.deepEqual(config([]).desktop.apps, []);
  });

  it('refuses what it cannot run, saying what was wrong', () => {
    assert.throws(
      () => config(['--desktop-app', 'xterm']),
      (e: Error) => e instanceof ConfigError && /is not NAME=COMMAND/.test(e.message),
    );
    assert.throws(() => config(['--desktop-app', 'a=x', '--desktop-app', 'a=y']), /named twice/);
    assert.throws(() => config(['--desktop-app', 'a=x "unclosed']), /unclosed " quote/);
    assert.throws(() => config(['--desktop-display', 'nope']), /X display name such as :1/);
    assert.throws(() => config(['--desktop-display', ':1', '--desktop-size', '1920x1080']), /Pass one of them/);
    assert.throws(
      () => config(['--desktop-size', '1920']),
      /--desktop-size \(CUA_DESKTOP_SIZE\) must be WIDTHxHEIGHT in pixels, from 200x200 to 7680x4320/,
    );
  });

  it('defaults the desktop to the display size', () => {
    assert.deepEqual(config(['--display-size', '1280x800']).desktop.size, { width: 1280, height: 800 });
    assert.deepEqual(config(['--desktop-size', '2560x1440']).desktop.size, { width: 2560, height: 1440 });
  });

  it('splits shell words only: no variables, pipes or separators', () => {
    assert.deepEqual(splitCommand('echo $HOME | cat; rm'), ['echo', '$HOME', '|', 'cat;', 'rm']);
    assert.deepEqual(parseAppSpecs('a=x\nb=y'), [
      { name: 'a', argv: ['x'] },
      { name: 'b', argv: ['y'] },
    ]);
  });
});

describe('desktop rules', () => {
  it('scroll: one wheel click per 100 px, at least one, at most 50', () => {
    assert.deepEqual([0, 1, 49, 150, 300, -120, -1, 100_000].map(wheelClicks), [0, 1, 1, 2, 3, -1, -1, 50]);
  });

  it('scales screens down to fit the model display, keeping the aspect ratio, never up', () => {
    const model = { width: 1024, height: 768 };
    assert.deepEqual(fitWithin({ width: 1920, height: 1080 }, model), { width: 1024, height: 576 });
    assert.deepEqual(fitWithin({ width: 2560, height: 1440 }, model), { width: 1024, height: 576 });
    assert.deepEqual(fitWithin({ width: 1024, height: 768 }, model), model);
    assert.deepEqual(fitWithin({ width: 800, height: 600 }, model), { width: 800, height: 600 });
  });

  it('typing maps the missing characters, in pieces that fit the free keycodes', () => {
    const ascii = new Set([...[...'abc '].map((c) => c.codePointAt(0)!), 0xff0d]);
    assert.deepEqual(typingPlan('abc', ascii, 10), [{ text: 'abc', keysyms: [] }]);
    assert.deepEqual(typingPlan('a é中é', ascii, 10), [{ text: 'a é中é', keysyms: [0xe9, 0x1004e2d] }]);
    assert.deepEqual(typingPlan('中文😀', ascii, 2), [
      { text: '中文', keysyms: [0x1004e2d, 0x1006587] },
      { text: '😀', keysyms: [0x101f600] },
    ]);
    assert.deepEqual(typingPlan('a\nb', ascii, 1), [{ text: 'a\nb', keysyms: [] }]);
  });
});

describe('desktop settle on repaint reports', () => {
  const caret = { x: 16, y: 243, width: 1, height: 15 };
  const spinner = { x: 49, y: 9, width: 22, height: 22 };
  const page = { x: 0, y: 80, width: 1000, height: 600 };
  const waits = { reactionMs: 120, quietMs: 300, maxMs: 5000 };
  /** Lets the settle's polling see the clock moved. */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

  it('a caret that was blinking before the action is not a reaction: the step returns as unchanged', async () => {
    let t = 0;
    const activity = new ScreenActivity(() => t);
    for (const at of [0, 600, 1200]) {
      t = at;
      activity.record(caret);
    }
    t = 1500;
    const settled = activity.settle(1500, waits);
    t = 1550;
    activity.record(caret);
    await tick();
    t = 1700;
    assert.deepEqual(await settled, { changed: false, capped: false });
  });

  it('a spinner the action started is waited for, and so is the page drawn after it', async () => {
    let t = 1000;
    const activity = new ScreenActivity(() => t);
    const settled = activity.settle(1000, waits);
    for (let at = 1010; at <= 1600; at += 16) {
      t = at;
      activity.record(spinner);
      await tick();
    }
    t = 1650;
    activity.record(page);
    await tick();
    t = 1900; // 250 ms after the page: not quiet yet
    await tick();
    t = 1960;
    assert.deepEqual(await settled, { changed: true, capped: false });
  });

  it('a screen that never goes quiet ends the wait at maxMs, saying so', async () => {
    let t = 0;
    const activity = new ScreenActivity(() => t);
    const settled = activity.settle(0, { ...waits, maxMs: 1000 });
    for (let at = 10; at <= 1010; at += 50) {
      t = at;
      activity.record(page);
      await tick();
    }
    assert.deepEqual(await settled, { changed: true, capped: true });
  });
});

describe('window manager lockdown', () => {
  it("gives openbox a configuration of ours, with an empty menu file; leaves other window managers and an operator's --config-file alone", () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-lockdown-'));
    try {
      const command = lockedDown(['/usr/bin/openbox'], folder);
      assert.deepEqual(command, ['/usr/bin/openbox', '--config-file', path.join(folder, 'openbox-rc.xml'), '--sm-disable']);
      const rc = fs.readFileSync(path.join(folder, 'openbox-rc.xml'), 'utf8');
      assert.ok(rc.includes(`<menu><file>${path.join(folder, 'openbox-menu.xml')}</file></menu>`));
      assert.doesNotMatch(rc, /Execute|ShowMenu|Restart|<mouse>/);
      assert.doesNotMatch(fs.readFileSync(path.join(folder, 'openbox-menu.xml'), 'utf8'), /<item|<menu /);
      assert.equal(fs.statSync(path.join(folder, 'openbox-rc.xml')).mode & 0o777, 0o600);
      assert.deepEqual(lockedDown(['openbox', '--config-file', '/etc/mine.xml'], folder), ['openbox', '--config-file', '/etc/mine.xml']);
      assert.deepEqual(lockedDown(['fluxbox', '-rc', 'x'], folder), ['fluxbox', '-rc', 'x']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('ending a process group', () => {
  // A process whose parent never waits for it: it stays a zombie, as the orphans of a group do until init reaps them (never, where the server is PID 1 in a container).
  const ZOMBIE = `import os, time
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os._exit(0)
print(pid, flush=True)
time.sleep(60)`;

  it('is over once only zombies are left in the group, without waiting out the grace period', { timeout: 30_000 }, async (t) => {
    const parent = spawn('python3', ['-c', ZOMBIE], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      assert.equal(
        await until(
          () => isAlive(zombie),
          (alive) => !alive,
        ),
        false,
        'the group leader has exited',
      );
      assert.doesNotThrow(() => process.kill(-zombie, 0), 'its group still exists, as a zombie');
      // The clock stands still: endGroup returns only if it sees the group has ended (or loops until the test's timeout).
      t.mock.timers.enable({ apis: ['Date'] });
      await endGroup(zombie);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('the watchdog', () => {
  const WATCHDOG = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src/desktop/watchdog.js');

  it('when its pipe closes, ends the groups it was told of and removes the folders, but never a group whose id was given again', async () => {
    const ours = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const reused = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-watchdog-'));
    try {
      const watchdog = spawn(process.execPath, [WATCHDOG], { stdio: ['pipe', 'ignore', 'inherit'] });
      // `reused` stands for a process that got the id of a group that ended: it started at another time than told.
      const told = [{ group: ours.pid, started: startTime(ours.pid!) }, { group: reused.pid, started: '1' }, { folder }];
      watchdog.stdin.end(told.map((m) => `${JSON.stringify(m)}\n`).join(''));
      await once(watchdog, 'exit');
      assert.equal(isAlive(ours.pid!), false, 'the group it was told of ended');
      assert.equal(isAlive(reused.pid!), true, 'a group led by a later process is left alone');
      assert.equal(fs.existsSync(folder), false);
    } finally {
      ours.kill('SIGKILL');
      reused.kill('SIGKILL');
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the connection to an X display', { skip: onPath('Xvfb') ? false : 'needs Xvfb' }, () => {
  // A closing session stops its Xvfb while it closes the connection: the last round trip then never comes back.
  it('closes as soon as the X server has gone, without waiting out the round-trip deadline', { timeout: 30_000 }, async (t) => {
    const display = await startXvfb({ width: 320, height: 240 }, undefined, childEnvironment(process.env, []));
    const x = await XConnection.connect(display.name, display.cookie);
    await display.stop();
    // The deadline's timer never fires: close() resolves only through the socket's end (or hangs until the test's timeout).
    t.mock.timers.enable({ apis: ['setTimeout'] });
    await x.close();
  });
});
