import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, PYTHON, UTF8, XTERM, loggedReady, openDesktop, probeEvents, skip, tmp } from './helpers/desktop.js';
import { imageOf, startServer, textOf, type ServerHandle } from './helpers/mcp.js';
import { decodePng, pixel } from './helpers/png.js';
import { until } from './helpers/processes.js';

// One after the other: the screenshot comparisons below serve their pages from this process, and a Chromium beside
// them (the clipboard tests) or the PNG decoding of another test would delay those pages past the desktop's settle,
// which sees the screen and the applications' CPU but not the network.
describe('desktop sessions', { skip }, () => {
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
      const source = await loggedReady(sourceLog);
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
      const word = await loggedReady(copyLog);
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
      const field = await loggedReady(pasteLog);
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

  describe(
    "the screenshot of a call shows the application's reaction, as a screenshot taken seconds later does",
    { concurrency: false },
    () => {
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
        const button = await loggedReady(lateLog);
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
        const shellReacted = async () => {
          const exists = await until(
            () => fs.existsSync(reacted),
            (found) => found,
          );
          assert.ok(exists, `the shell never ran the typed command (no ${reacted}):\n${server.stderr().slice(-3000)}`);
        };
        assert.ok((await staleness(shot, shellReacted)) <= FEW_PIXELS, "the screenshot shows the command's output");
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
    },
  );
});
