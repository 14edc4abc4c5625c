import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, PYTHON, UTF8, loggedReady, openDesktop, probeEvents, skip, tmp } from './helpers/desktop.js';
import { startServer } from './helpers/mcp.js';
import { until } from './helpers/processes.js';

// Two tests with servers of their own: they run side by side.
describe('desktop sessions', { skip, concurrency: true }, () => {
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
});
