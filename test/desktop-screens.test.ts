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

// One after the other, in a file of their own: the screenshot comparisons below serve their pages from this process,
// and a Chromium beside them (the clipboard tests, now in desktop-clipboard.test.ts) or the PNG decoding of another
// test would delay those pages past the desktop's settle, which sees the screen and the applications' CPU but not the network.
describe('desktop sessions', { skip }, () => {
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
