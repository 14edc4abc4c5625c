import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClaudeComputerUse } from './helpers/fake-claude-computer-use.js';
import { FakeResponses } from './helpers/fake-responses.js';
import { FIXTURES, PYTHON, UTF8, XTERM, fileText, openDesktop, loggedReady, probeApp, probeEvents, skip, tmp } from './helpers/desktop.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng } from './helpers/png.js';
import { until } from './helpers/processes.js';

// Each test with a server of its own, apart from the one group that shares one: they run side by side.
describe('desktop sessions', { skip, concurrency: true }, () => {
  describe('on a 1024x768 Xvfb the server starts', { concurrency: false }, () => {
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
      await loggedReady(probeLog);
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
      const source = await loggedReady(sourceLog);
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
        await loggedReady(log);
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
      const box = await loggedReady(log);
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
      const box = await loggedReady(log);
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
