import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { onPath } from '../src/desktop/process-group.js';
import { FakeClaudeComputerUse } from './helpers/fake-claude-computer-use.js';
import { FakeResponses } from './helpers/fake-responses.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';
import { commandLine, descendants, isAlive, processesWithEnv, until } from './helpers/processes.js';
import { connectX, startedBy, windowManagerCaughtUp, xvfbAuthFile } from './helpers/x-client.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');
const PYTHON = '/usr/bin/python3';
const needed = ['Xvfb', 'xterm', 'openbox'].filter((command) => !onPath(command));
// .ci/run installs these (Debian: xvfb xterm openbox python3-tk).
const hasTk = spawnSync(PYTHON, ['-c', 'import tkinter']).status === 0;
const skip = needed.length || !hasTk ? `needs ${[...needed, ...(hasTk ? [] : ['python3-tk'])].join(', ')}` : false;

const XTERM = 'xterm=xterm -u8 -fa Monospace -fs 12 -geometry 100x20+0+380 -e /bin/bash --norc --noprofile';
/** The server's environment: UTF-8, so the terminal and its shell take é, 中文 and emoji. */
const UTF8 = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-desktop-'));
const probeApp = (log: string) => `probe=${PYTHON} ${path.join(FIXTURES, 'tk-probe.py')} ${log}`;

type ProbeEvent = { kind: string; button?: number; x?: number; y?: number; state?: number; keysym?: string; char?: string };

function probeEvents(file: string): ProbeEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ProbeEvent);
}

async function fileText(file: string, check: (text: string) => boolean = () => true): Promise<string> {
  return until(
    () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''),
    (text) => text !== '' && check(text),
    10_000,
  );
}

async function openDesktop(server: ServerHandle): Promise<string> {
  const opened = await server.ok('new_session', { environment: 'desktop' });
  return String(opened.structuredContent.session_id);
}

/** The display of the Xvfb the server started, as list_sessions names it. */
async function xvfbDisplay(server: ServerHandle): Promise<string> {
  const list = textOf(await server.ok('list_sessions', {}));
  const display = /Xvfb (:\d+)/.exec(list)?.[1];
  assert.ok(display, `list_sessions names the display: ${list}`);
  return display;
}

describe('desktop sessions', { skip }, () => {
  describe('on a 1024x768 Xvfb the server starts', () => {
    let server: ServerHandle;
    let session: string;
    const probeLog = path.join(tmp, 'probe.jsonl');
    const act = (actions: unknown[]) => server.ok('computer', { session_id: session, actions });

    before(async () => {
      server = await startServer(['--desktop-app', XTERM, '--desktop-app', probeApp(probeLog)], UTF8);
      session = await openDesktop(server);
    });
    after(() => server.close());

    it('opens a whole-screen session whose screenshots show the screen', async () => {
      const shot = await server.ok('screenshot', { session_id: session });
      assert.deepEqual(shot.structuredContent.display, { width: 1024, height: 768 });
      assert.equal(shot.structuredContent.url, '');
      const png = decodePng(imageOf(shot).data);
      assert.deepEqual([png.width, png.height], [1024, 768]);
      const list = await server.ok('list_sessions', {});
      const sessions = list.structuredContent.sessions as { session_id: string; environment: string }[];
      assert.equal(sessions.find((s) => s.session_id === session)?.environment, 'desktop');
    });

    it('types text and a chord into a terminal, checked in the files its shell writes', async () => {
      await server.ok('launch_app', { session_id: session, app: 'xterm' });
      const typed = path.join(tmp, 'typed.txt');
      const chord = path.join(tmp, 'chord.txt');
      const done = path.join(tmp, 'done.txt');
      await act([
        { type: 'click', x: 400, y: 500 },
        { type: 'type', text: `printf '%s' 'héllo 中文 😀 ñ' > ${typed}\n` },
      ]);
      assert.equal(await fileText(typed), 'héllo 中文 😀 ñ');
      // ctrl+d ends cat's input: the echo after it runs only if the chord arrived as one.
      await act([
        { type: 'type', text: `cat > ${chord}\nchord ok\n` },
        { type: 'keypress', keys: ['ctrl', 'd'] },
      ]);
      await act([{ type: 'type', text: `echo yes > ${done}\n` }]);
      assert.equal(await fileText(done), 'yes\n');
      assert.equal(fs.readFileSync(chord, 'utf8'), 'chord ok\n');
    });

    it('presses every mouse button, with held modifiers, where the model points', async () => {
      await server.ok('launch_app', { session_id: session, app: 'probe' });
      await until(
        () => probeEvents(probeLog),
        (events) => events.some((e) => e.kind === 'ready'),
      );
      await act([
        { type: 'click', x: 500, y: 300, button: 'left' },
        { type: 'click', x: 510, y: 300, button: 'wheel' },
        { type: 'click', x: 520, y: 300, button: 'right', keys: ['shift'] },
        { type: 'click', x: 530, y: 300, button: 'back' },
        { type: 'click', x: 540, y: 300, button: 'forward', keys: ['ctrl'] },
        { type: 'double_click', x: 550, y: 300 },
      ]);
      // Tk logs the second press of the double click as the double click only: seven events, the double the last.
      const presses = await until(
        () => probeEvents(probeLog).filter((e) => e.kind === 'press' || e.kind === 'double'),
        (e) =>
          [2, 3, 8, 9].every((button) => e.some((x) => x.kind === 'press' && x.button === button)) && e.some((x) => x.kind === 'double'),
      );
      const byButton = (button: number) => presses.find((e) => e.kind === 'press' && e.button === button);
      assert.deepEqual([byButton(2)?.x, byButton(2)?.y], [510, 300]);
      assert.equal((byButton(3)?.state ?? 0) & 1, 1, 'shift held during the right click');
      assert.equal(byButton(8)?.x, 530);
      assert.equal((byButton(9)?.state ?? 0) & 4, 4, 'ctrl held during the forward click');
      assert.ok(presses.some((e) => e.kind === 'double' && e.x === 550));
    });

    it('drags along every point of the path, not only its ends', async () => {
      const box = probeEvents(probeLog).find((e) => e.kind === 'ready')!;
      const seen = probeEvents(probeLog).length;
      const events = () => probeEvents(probeLog).slice(seen);
      // Grab the box, go right, down, then back left: it ends straight below where it was, having passed two corners.
      const grab = { x: box.x! + 30, y: box.y! + 30 };
      await act([
        {
          type: 'drag',
          path: [grab, { x: grab.x + 300, y: grab.y }, { x: grab.x + 300, y: grab.y + 200 }, { x: grab.x, y: grab.y + 200 }],
        },
      ]);
      const logged = await until(events, (e) => e.some((x) => x.kind === 'dropped'));
      const drags = logged.filter((e) => e.kind === 'drag');
      assert.ok(
        drags.some((e) => e.x === grab.x + 300 && e.y === grab.y),
        `the drag passed the top-right corner: ${JSON.stringify(drags)}`,
      );
      assert.ok(
        drags.some((e) => e.x === grab.x + 300 && e.y === grab.y + 200),
        'and the bottom-right corner',
      );
      const dropped = logged.find((e) => e.kind === 'dropped')!;
      assert.deepEqual([dropped.x, dropped.y], [box.x, box.y! + 200]);
    });

    it('scrolls by wheel clicks: 100 px a click', async () => {
      const seen = probeEvents(probeLog).length;
      await act([
        { type: 'scroll', x: 600, y: 400, scroll_x: 0, scroll_y: 300 },
        { type: 'scroll', x: 600, y: 400, scroll_x: 0, scroll_y: -120 },
      ]);
      const wheel = await until(
        () =>
          probeEvents(probeLog)
            .slice(seen)
            .filter((e) => e.kind === 'press'),
        (e) => e.length >= 4,
      );
      assert.deepEqual(
        wheel.map((e) => e.button),
        [5, 5, 5, 4],
      );
      assert.ok(wheel.every((e) => e.x === 600 && e.y === 400));
    });

    it('keys typed while the application is busy all arrive, in order, as typed (the keyboard lacks é and 中)', async () => {
      const seen = probeEvents(probeLog).length;
      // F5 keeps the probe busy for 1.5 s: nothing is drawn, so the calls return while the keys wait in its queue.
      await act([
        { type: 'keypress', keys: ['F5'] },
        { type: 'type', text: 'aé中b' },
      ]);
      await act([{ type: 'type', text: 'çz' }]);
      const keys = await until(
        () =>
          probeEvents(probeLog)
            .slice(seen)
            .filter((e) => e.kind === 'key' && e.keysym !== 'F5'),
        (e) => e.length >= 6,
      );
      assert.equal(keys.map((e) => e.char).join(''), 'aé中bçz');
    });

    it('refuses applications that were not allowed, naming the allowed ones', async () => {
      const refused = await server.call('launch_app', { session_id: session, app: 'sh' });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), /No application named "sh" is allowed; the allowed ones are: xterm, probe/);
    });

    it('refuses browser-only tools and a start_url', async () => {
      const navigate = await server.call('navigate', { session_id: session, url: 'https://example.com' });
      assert.equal(navigate.isError, true);
      assert.match(textOf(navigate), /needs a browser session/);
      const withUrl = await server.call('new_session', { environment: 'desktop', start_url: 'https://example.com' });
      assert.match(textOf(withUrl), /start_url is for browser sessions/);
    });
  });

  it('a model run works across two applications: copies a word in one window and pastes it into a terminal', async () => {
    const display = { width: 1024, height: 768 };
    const fake = await new FakeResponses({
      generation: 'preview',
      environment: 'linux',
      display,
      model: 'computer-use-preview',
      path: '/v1/responses',
      auth: ['authorization', 'Bearer sk-test'],
    }).start();
    const sourceLog = path.join(tmp, 'source.jsonl');
    const pasted = path.join(tmp, 'pasted.txt');
    const word = `Token${Date.now() % 100_000}xyz`;
    const server = await startServer(
      ['--desktop-app', `source=${PYTHON} ${path.join(FIXTURES, 'tk-source.py')} ${sourceLog} ${word}`, '--desktop-app', XTERM],
      { ...UTF8, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '' },
    );
    try {
      const session = await openDesktop(server);
      await server.ok('launch_app', { session_id: session, app: 'source' });
      const source = (
        await until(
          () => probeEvents(sourceLog),
          (events) => events.length > 0,
        )
      )[0]!;
      await server.ok('launch_app', { session_id: session, app: 'xterm' });
      const terminal = { x: 400, y: 560 };
      fake.script([
        // Select the word in the first application: it becomes the X PRIMARY selection.
        { output: [fake.reasoning('Select the word.'), fake.call([{ type: 'double_click', x: source.x, y: source.y }])] },
        { output: [fake.call([{ type: 'click', button: 'left', ...terminal }])] },
        { output: [fake.call([{ type: 'type', text: `cat > ${pasted}\n` }])] },
        // The middle button pastes the selection into the terminal.
        { output: [fake.call([{ type: 'click', button: 'wheel', ...terminal }])] },
        { output: [fake.call([{ type: 'keypress', keys: ['Return'] }])] },
        { output: [fake.call([{ type: 'keypress', keys: ['ctrl', 'd'] }])] },
        { output: [fake.message('Pasted the word into the terminal.')] },
      ]);
      const run = await server.ok('run_task', {
        session_id: session,
        task: 'Copy the word from the source window into a file from the terminal.',
      });
      assert.equal(run.structuredContent.status, 'completed', textOf(run));
      assert.deepEqual(fake.violations, []);
      assert.equal(await fileText(pasted), `${word}\n`);
    } finally {
      await server.close();
      await fake.stop();
    }
  });

  it('runs Chromium inside the desktop, and text copied there (CLIPBOARD) pastes into another application', async () => {
    const sourceLog = path.join(tmp, 'clipboard.jsonl');
    const profile = fs.mkdtempSync(path.join(tmp, 'chromium-'));
    // The title says the field has the focus: a window title alone can come before the field (a copy then copies nothing). No ";": it separates --desktop-app entries.
    const page = `data:text/html,<title>loading</title><input id=f data-title=ClipPage value=Clip${Date.now() % 100_000}word style=font-size:32px><script>onload=()=>(f.focus(),document.title=f.dataset.title)</script>`;
    // As REFERENCE.md §5 says for root and a closed network: no sandbox, no background traffic.
    const chromium = `browser=chromium --no-sandbox --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=${profile} --window-position=0,300 --window-size=800,400 '--app=${page}'`;
    const server = await startServer(
      ['--desktop-app', chromium, '--desktop-app', `source=${PYTHON} ${path.join(FIXTURES, 'tk-source.py')} ${sourceLog} pasted:`],
      UTF8,
    );
    try {
      const session = await openDesktop(server);
      await server.ok('launch_app', { session_id: session, app: 'source' });
      const source = (
        await until(
          () => probeEvents(sourceLog),
          (events) => events.length > 0,
        )
      )[0]!;
      await server.ok('launch_app', { session_id: session, app: 'browser' });
      // The page's window is the active one once Chromium has shown it.
      let title = '';
      for (let i = 0; i < 300 && title !== 'ClipPage'; i++) {
        title = String((await server.ok('screenshot', { session_id: session })).structuredContent.title);
        if (title !== 'ClipPage') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(title, 'ClipPage');
      const act = (actions: unknown[]) => server.ok('computer', { session_id: session, actions });
      // The field has the focus: select all, copy; then paste at the end of the other application's field.
      await act([
        { type: 'keypress', keys: ['ctrl', 'a'] },
        { type: 'keypress', keys: ['ctrl', 'c'] },
      ]);
      await act([
        { type: 'click', x: source.x! + 300, y: source.y },
        { type: 'keypress', keys: ['End'] },
        { type: 'keypress', keys: ['ctrl', 'v'] },
        { type: 'keypress', keys: ['Return'] },
      ]);
      const logged = await until(
        () => probeEvents(sourceLog),
        (events) => events.some((e) => e.kind === 'text'),
      );
      assert.match(String((logged.find((e) => e.kind === 'text') as { text?: string }).text), /^pasted:Clip\d+word$/);
    } finally {
      await server.close();
    }
  });

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

  it('each desktop session has a clipboard of its own: what one copies, another cannot paste', async () => {
    const secret = `Secret${Date.now() % 100_000}word`;
    const [copyLog, pasteLog] = [path.join(tmp, 'copy.jsonl'), path.join(tmp, 'paste.jsonl')];
    const source = path.join(FIXTURES, 'tk-source.py');
    const server = await startServer(
      ['--desktop-app', `copy=${PYTHON} ${source} ${copyLog} ${secret}`, '--desktop-app', `paste=${PYTHON} ${source} ${pasteLog} pasted:`],
      UTF8,
    );
    try {
      const [a, b] = [await openDesktop(server), await openDesktop(server)];
      const act = (session: string, actions: unknown[]) => server.ok('computer', { session_id: session, actions });
      const typedText = async (log: string) =>
        (
          await until(
            () => probeEvents(log).filter((e) => e.kind === 'text'),
            (e) => e.length > 0,
          )
        ).map((e) => (e as { text?: string }).text);
      // Session A selects its word (PRIMARY), copies it (CLIPBOARD) and pastes it back: the copy worked.
      await server.ok('launch_app', { session_id: a, app: 'copy' });
      const word = (
        await until(
          () => probeEvents(copyLog),
          (events) => events.length > 0,
        )
      )[0]!;
      await act(a, [
        { type: 'double_click', x: word.x, y: word.y },
        { type: 'keypress', keys: ['ctrl', 'c'] },
        { type: 'keypress', keys: ['End'] },
        { type: 'keypress', keys: ['ctrl', 'v'] },
        { type: 'keypress', keys: ['Return'] },
      ]);
      assert.deepEqual(await typedText(copyLog), [secret + secret]);
      // Session B pastes CLIPBOARD (ctrl+v) and PRIMARY (middle click) into its own field: neither holds A's word.
      await server.ok('launch_app', { session_id: b, app: 'paste' });
      const field = (
        await until(
          () => probeEvents(pasteLog),
          (events) => events.length > 0,
        )
      )[0]!;
      await act(b, [
        { type: 'click', x: field.x! + 300, y: field.y },
        { type: 'keypress', keys: ['End'] },
        { type: 'keypress', keys: ['ctrl', 'v'] },
        { type: 'click', x: field.x! + 300, y: field.y, button: 'wheel' },
        { type: 'keypress', keys: ['Return'] },
      ]);
      assert.deepEqual(await typedText(pasteLog), ['pasted:']);
    } finally {
      await server.close();
    }
  });

  it('says how to allow an application when none is', async () => {
    const server = await startServer([]);
    try {
      const session = await openDesktop(server);
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
    } finally {
      await server.close();
    }
  });

  for (const [width, height] of [
    [1920, 1080],
    [2560, 1440],
  ] as const) {
    it(`scales a ${width}x${height} screen to the 1024x768 model display, and clicks land where the model meant`, async () => {
      const log = path.join(tmp, `scaled-${width}.jsonl`);
      const server = await startServer(['--desktop-size', `${width}x${height}`, '--desktop-app', probeApp(log)]);
      try {
        const session = await openDesktop(server);
        await server.ok('launch_app', { session_id: session, app: 'probe' });
        await until(
          () => probeEvents(log),
          (events) => events.some((e) => e.kind === 'ready'),
        );
        // Targets at known screen positions, pointed at in screenshot pixels.
        const targets = [
          { x: 1500, y: 800 },
          { x: width - 100, y: height - 60 },
          { x: 700, y: 300 },
        ];
        const scale = 1024 / width;
        const shot = await server.ok('computer', {
          session_id: session,
          actions: targets.map((t) => ({ type: 'click', x: Math.round(t.x * scale), y: Math.round(t.y * scale) })),
        });
        assert.deepEqual(shot.structuredContent.display, { width: 1024, height: 576 });
        assert.deepEqual(shot.structuredContent.viewport, { width, height });
        const png = decodePng(imageOf(shot).data);
        assert.deepEqual([png.width, png.height], [1024, 576]);
        const presses = await until(
          () => probeEvents(log).filter((e) => e.kind === 'press'),
          (e) => e.length >= 3,
        );
        for (const [i, target] of targets.entries()) {
          // One screenshot pixel covers width/1024 screen pixels: the click lands inside that area.
          assert.ok(
            Math.abs(presses[i]!.x! - target.x) <= 1 / scale && Math.abs(presses[i]!.y! - target.y) <= 1 / scale,
            `click ${i} at ${presses[i]!.x},${presses[i]!.y}, target ${target.x},${target.y}`,
          );
        }
      } finally {
        await server.close();
      }
    });
  }

  it('refuses a second session on an existing display', async () => {
    const first = await startServer([]);
    try {
      await openDesktop(first);
      const display = await xvfbDisplay(first);
      // An existing display is reached with the cookie the environment names, as any X client reaches it.
      const second = await startServer(['--desktop-display', display], { XAUTHORITY: xvfbAuthFile(first.pid()!) ?? '' });
      try {
        await second.ok('new_session', { environment: 'desktop' });
        const again = await second.call('new_session', { environment: 'desktop' });
        assert.equal(again.isError, true);
        assert.match(textOf(again), new RegExp(`X display ${display} already has a desktop session`));
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  it('the window manager starts nothing: clicks on the desktop, the menu items under them and its key bindings run no program', async () => {
    // No application allowed: nothing at all may start on the display.
    const server = await startServer([]);
    try {
      const session = await openDesktop(server);
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
    } finally {
      await server.close();
    }
  });

  it("the display takes only clients that hold the session's cookie", async () => {
    const server = await startServer([]);
    try {
      await openDesktop(server);
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
    } finally {
      await server.close();
    }
  });

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

  describe("the screenshot of a call shows the application's reaction, as a screenshot taken seconds later does", () => {
    let server: ServerHandle;
    let session: string;
    let pages: http.Server;
    let origin: string;
    const lateLog = path.join(tmp, 'late.jsonl');
    /** The paths whose page said it has drawn its content (it asks for /painted/PATH two frames after). */
    const painted: string[] = [];
    const pageDrew = (page: string) =>
      until(
        () => painted,
        (paths) => paths.includes(page),
      );
    const profile = fs.mkdtempSync(path.join(tmp, 'chromium-fresh-'));
    const act = (actions: unknown[]) => server.ok('computer', { session_id: session, actions });

    /**
     * How many pixels differ between the call's screenshot and one taken once the application says its late
     * reaction is done (`reacted`), after a settle (an empty type) for any paint still on its way. A caret blinking is a few dozen.
     */
    async function staleness(
      shot: { content: unknown[] } & Parameters<typeof imageOf>[0],
      reacted: () => Promise<unknown>,
    ): Promise<number> {
      await reacted();
      const later = decodePng(imageOf(await act([{ type: 'type', text: '' }])).data);
      const now = decodePng(imageOf(shot).data);
      let differing = 0;
      for (let i = 0; i < now.data.length; i += 4)
        if (now.data[i] !== later.data[i] || now.data[i + 1] !== later.data[i + 1] || now.data[i + 2] !== later.data[i + 2]) differing++;
      return differing;
    }
    const FEW_PIXELS = 400;

    before(async () => {
      pages = http.createServer((request, response) => {
        if (request.url?.startsWith('/painted/')) {
          painted.push(request.url.slice('/painted'.length));
          return void response.end();
        }
        response.setHeader('content-type', 'text/html');
        const drew = `requestAnimationFrame(() => requestAnimationFrame(() => fetch('/painted' + location.pathname)))`;
        // The second page draws its content 100 ms after it loaded, as pages that render with a script do.
        const late =
          request.url === '/second'
            ? `<script>setTimeout(() => { document.body.style.background = '#2a8'; h.textContent = 'Rendered'; ${drew} }, 100)</script>`
            : `<script>onload = () => ${drew}</script>`;
        response.end(
          `<title>${request.url}</title><body style="background:#c33;margin:0"><h1 id=h style="font-size:90px">Page ${request.url}</h1>${late}</body>`,
        );
      });
      await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
      // --test-type: no warning bar about --no-sandbox over every screenshot.
      const chromium = `browser=chromium --no-sandbox --test-type --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=${profile} --window-position=0,0 --window-size=1024,700 ${origin}/first`;
      server = await startServer(
        [
          '--desktop-app',
          XTERM,
          '--desktop-app',
          `late=${PYTHON} ${path.join(FIXTURES, 'tk-late-button.py')} ${lateLog} 150`,
          '--desktop-app',
          chromium,
        ],
        UTF8,
      );
      session = await openDesktop(server);
    });
    after(async () => {
      await server.close();
      pages.close();
    });

    it('a new desktop is not a black screen', async () => {
      const png = decodePng(imageOf(await server.ok('screenshot', { session_id: session })).data);
      assert.notDeepEqual(pixel(png, 500, 400), [0, 0, 0]);
    });

    it('a click on a button that shows the press, then repaints the window 150 ms later', async () => {
      const launched = await server.ok('launch_app', { session_id: session, app: 'late' });
      assert.equal(
        launched.structuredContent.ready,
        true,
        `${textOf(launched)}\n${JSON.stringify(launched.structuredContent.events)}\n${server.stderr().slice(-1500)}`,
      );
      const button = (
        await until(
          () => probeEvents(lateLog),
          (events) => events.length > 0,
        )
      )[0]!;
      const shot = await act([{ type: 'click', x: button.x, y: button.y }]);
      const repainted = () =>
        until(
          () => probeEvents(lateLog),
          (events) => events.some((e) => e.kind === 'repainted'),
        );
      assert.ok((await staleness(shot, repainted)) <= FEW_PIXELS, `the screenshot shows the repaint\n${server.stderr().slice(-1500)}`);
      await server.ok('close_session', { session_id: session });
      session = await openDesktop(server);
    });

    it('typing a command into a terminal: its output, which comes 100 ms after the Return', async () => {
      await server.ok('launch_app', { session_id: session, app: 'xterm' });
      const reacted = path.join(tmp, 'reacted');
      // Then the terminal is asked for its attributes (ESC [ c): its answer comes once it has drawn the output before the
      // question. The shell marks that in a file, and waits without a prompt: the output is the last thing drawn.
      const shot = await act([
        { type: 'click', x: 400, y: 500 },
        { type: 'type', text: `sleep 0.1; echo REACTED; printf '\\033[c'; read -rsd c; touch ${reacted}; read -rs\n` },
      ]);
      assert.ok(
        (await staleness(shot, () =>
          until(
            () => fs.existsSync(reacted),
            (exists) => exists,
          ),
        )) <= FEW_PIXELS,
        "the screenshot shows the command's output",
      );
      await server.ok('close_session', { session_id: session });
      session = await openDesktop(server);
    });

    it('a freshly launched browser, showing its page', async () => {
      const launched = await server.ok('launch_app', { session_id: session, app: 'browser' });
      assert.equal(launched.structuredContent.ready, true, textOf(launched));
      assert.ok((await staleness(launched, () => pageDrew('/first'))) <= FEW_PIXELS, 'the screenshot shows the page');
    });

    it('a page loaded through the address bar, in one call', async () => {
      const shot = await act([
        { type: 'keypress', keys: ['ctrl', 'l'] },
        { type: 'type', text: `${origin}/second\n` },
      ]);
      assert.ok(
        (await staleness(shot, () => pageDrew('/second'))) <= FEW_PIXELS,
        `the screenshot shows the new page\n${server.stderr().slice(-1500)}`,
      );
    });

    it('a cancelled type stops between lines, and the session is free again at once', async () => {
      await server.ok('close_session', { session_id: session });
      session = await openDesktop(server);
      await server.ok('launch_app', { session_id: session, app: 'xterm' });
      const lines = path.join(tmp, 'lines.txt');
      await act([
        { type: 'click', x: 400, y: 500 },
        { type: 'type', text: `cat > ${lines}\n` },
      ]);
      const controller = new AbortController();
      // 20 type actions of 10 lines: each waits for the terminal to echo each line before the next, and to go quiet
      // after it (QUIET_MS), at least 300 ms a line: the whole would take a minute, far longer than the abort takes to come.
      const LINES = 200;
      const typing = server.client.callTool(
        {
          name: 'computer',
          arguments: {
            session_id: session,
            actions: Array.from({ length: LINES / 10 }, (_, a) => ({
              type: 'type',
              text: Array.from({ length: 10 }, (_, i) => `line ${a * 10 + i}\n`).join(''),
            })),
          },
        },
        undefined,
        { signal: controller.signal },
      );
      await until(
        () => (fs.existsSync(lines) ? fs.readFileSync(lines, 'utf8') : ''),
        (text) => text.includes('line 1\n'),
      );
      controller.abort();
      await assert.rejects(typing);
      // The next call on the session runs once the cancelled one has stopped: the typing ended there.
      await server.ok('screenshot', { session_id: session });
      const typed = fs.readFileSync(lines, 'utf8').split('\n').filter(Boolean).length;
      assert.ok(typed < LINES, `typing stopped when the call was cancelled (${typed} of ${LINES} lines typed)`);
    });
  });

  it('refuses a direct computer call while a run drives the session, naming the run', async () => {
    const display = { width: 1024, height: 768 };
    const fake = await new FakeResponses({
      generation: 'preview',
      environment: 'linux',
      display,
      model: 'computer-use-preview',
      path: '/v1/responses',
      auth: ['authorization', 'Bearer sk-test'],
    }).start();
    const server = await startServer([], {
      ...UTF8,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${fake.origin}/v1`,
      AZURE_OPENAI_ENDPOINT: '',
    });
    try {
      const session = await openDesktop(server);
      // The model answers only after the run is cancelled: the run drives the session all along.
      const thinking = fake.hold({ output: [fake.message('done')] });
      fake.script([thinking]);
      const started = await server.ok('run_task', { session_id: session, task: 'Look at the desktop and say done.', wait_seconds: 0 });
      assert.equal(started.structuredContent.status, 'running');
      await thinking.arrived;
      const refused = await server.call('computer', { session_id: session, actions: [{ type: 'click', x: 10, y: 10 }] });
      assert.equal(refused.isError, true);
      assert.match(
        textOf(refused),
        new RegExp(
          `A run is driving session ${session} \\(task "Look at the desktop and say done\\."\\); computer actions are refused until it stops`,
        ),
      );
      await server.ok('cancel_run', { session_id: session });
      thinking.release();
      await server.ok('computer', { session_id: session, actions: [{ type: 'click', x: 10, y: 10 }] });
    } finally {
      await server.close();
      await fake.stop();
    }
  });

  it("runs Claude's actions beyond the protocol on the desktop: button down and up, triple click, a held key", async () => {
    const claude = await new FakeClaudeComputerUse({
      display: { width: 1024, height: 768 },
      model: 'claude-sonnet-4-6',
      tool: 'computer_20251124',
      beta: 'computer-use-2025-11-24',
      apiKey: 'sk-ant-desk',
    }).start();
    const log = path.join(tmp, 'claude-probe.jsonl');
    const server = await startServer(['--desktop-app', probeApp(log)], {
      ...UTF8,
      ANTHROPIC_API_KEY: 'sk-ant-desk',
      ANTHROPIC_BASE_URL: claude.origin,
      OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: '',
    });
    try {
      const session = await openDesktop(server);
      await server.ok('launch_app', { session_id: session, app: 'probe' });
      const box = (
        await until(
          () => probeEvents(log),
          (events) => events.some((e) => e.kind === 'ready'),
        )
      ).find((e) => e.kind === 'ready')!;
      const grab = [box.x! + 30, box.y! + 30];
      claude.script([
        {
          content: [
            claude.toolUse({ action: 'mouse_move', coordinate: grab }),
            claude.toolUse({ action: 'left_mouse_down' }),
            claude.toolUse({ action: 'mouse_move', coordinate: [grab[0]! + 200, grab[1]!] }),
            claude.toolUse({ action: 'left_mouse_up' }),
          ],
        },
        {
          content: [
            claude.toolUse({ action: 'triple_click', coordinate: [700, 500] }),
            claude.toolUse({ action: 'hold_key', text: 'shift', duration: 0.2 }),
          ],
        },
        { content: [claude.text('done')] },
      ]);
      const result = await server.ok('run_task', { session_id: session, task: 'move the box, triple-click, hold shift' });
      assert.deepEqual(claude.violations, []);
      assert.equal(result.structuredContent.status, 'completed', textOf(result));
      const events = await until(
        () => probeEvents(log),
        (e) => e.some((x) => x.kind === 'key'),
      );
      const dropped = events.find((e) => e.kind === 'dropped');
      assert.deepEqual(
        [dropped?.x, dropped?.y],
        [box.x! + 200, box.y],
        'the box moved with the button held between mouse_down and mouse_up',
      );
      // Tk reports the second and third press of a quick series as a double click.
      const clicks = events.filter((e) => e.x === 700 && e.y === 500 && ((e.kind === 'press' && e.button === 1) || e.kind === 'double'));
      assert.equal(clicks.length, 3, `a triple click is three presses: ${JSON.stringify(clicks)}`);
      assert.ok(
        events.some((e) => e.kind === 'key' && e.keysym?.startsWith('Shift')),
        'shift was held',
      );
    } finally {
      await server.close();
      await claude.stop();
    }
  });
  it('sends Claude a 1920x1080 desktop at 1366x768 and lands its clicks where it pointed', async () => {
    const claude = await new FakeClaudeComputerUse({
      display: { width: 1366, height: 768 },
      model: 'claude-sonnet-4-6',
      tool: 'computer_20251124',
      beta: 'computer-use-2025-11-24',
      apiKey: 'sk-ant-wide',
    }).start();
    const log = path.join(tmp, 'claude-wide-probe.jsonl');
    const server = await startServer(['--display-size', '1920x1080', '--desktop-app', probeApp(log)], {
      ...UTF8,
      ANTHROPIC_API_KEY: 'sk-ant-wide',
      ANTHROPIC_BASE_URL: claude.origin,
      OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: '',
    });
    try {
      const session = await openDesktop(server);
      await server.ok('launch_app', { session_id: session, app: 'probe' });
      const box = (
        await until(
          () => probeEvents(log),
          (events) => events.some((e) => e.kind === 'ready'),
        )
      ).find((e) => e.kind === 'ready')!;
      // The box's corner area, in Claude's pixels; the server maps it back to the screen's.
      const target = { x: box.x! + 30, y: box.y! + 30 };
      const pointed = [Math.round((target.x * 1366) / 1920), Math.round((target.y * 768) / 1080)] as const;
      claude.script([
        { content: [claude.toolUse({ action: 'left_click', coordinate: [...pointed] })] },
        { content: [claude.text('clicked')] },
      ]);
      const result = await server.ok('run_task', { session_id: session, task: 'click the box' });
      assert.deepEqual(claude.violations, [], 'every screenshot reached Claude at 1366x768');
      assert.equal(result.structuredContent.status, 'completed', textOf(result));
      const press = (
        await until(
          () => probeEvents(log),
          (e) => e.some((x) => x.kind === 'press'),
        )
      ).find((e) => e.kind === 'press')!;
      assert.deepEqual([press.x, press.y], [Math.round((pointed[0] * 1920) / 1366), Math.round((pointed[1] * 1080) / 768)]);
      assert.ok(Math.abs(press.x! - target.x) <= 1 && Math.abs(press.y! - target.y) <= 1, 'within a pixel of the point Claude meant');
    } finally {
      await server.close();
      await claude.stop();
    }
  });
});
