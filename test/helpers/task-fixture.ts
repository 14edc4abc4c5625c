import { FixtureServer, page } from './fixture-server.js';

/** What the fixture page reports to its server: the test reads the result outside the browser and the project. */
export interface PageState {
  clicks: number;
  value: string;
  scrollY: number;
  /** Pointer and key events in order: `mousedown left 1 200,140`, `keydown Control`, `click left 3 ...` ... */
  events: string[];
}

/** Centres of the page's button and text field, in the 1024x768 display. */
export const SEND = { x: 200, y: 140 };
export const NAME = { x: 250, y: 270 };

/**
 * The page every provider's scripted model works on: a Send button, a text
 * field and a tall body to scroll. Every change is POSTed to /report.
 */
export async function taskFixture(): Promise<FixtureServer & { state: () => PageState }> {
  let state: PageState = { clicks: 0, value: '', scrollY: 0, events: [] };
  let latest = { load: 0, seq: 0 };
  const fixture = new FixtureServer({
    '/': page(`
      <button id="b" style="position:absolute;left:100px;top:100px;width:200px;height:80px">Send</button>
      <input id="f" style="position:absolute;left:100px;top:250px;width:300px;height:40px">
      <div style="height:4000px"></div>
      <script>
        const state = { clicks: 0, value: '', scrollY: 0, events: [], load: Math.random(), seq: 0 };
        const report = () => { state.seq++; fetch('/report', { method: 'POST', body: JSON.stringify(state) }); };
        const mods = (e) => ['ctrl', 'shift', 'alt', 'meta'].filter((m) => e[m + 'Key']).join('+');
        const names = ['left', 'middle', 'right'];
        for (const type of ['mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'auxclick']) {
          addEventListener(type, (e) => {
            state.events.push([type, names[e.button], e.detail, e.clientX + ',' + e.clientY, mods(e)].filter((p) => p !== '').join(' '));
            if (type === 'contextmenu') e.preventDefault();
            report();
          }, true);
        }
        addEventListener('keydown', (e) => { if (!e.repeat) { state.events.push('keydown ' + e.key); report(); } }, true);
        addEventListener('keyup', (e) => { state.events.push('keyup ' + e.key); report(); }, true);
        document.getElementById('b').addEventListener('click', () => { state.clicks++; report(); });
        document.getElementById('f').addEventListener('input', (e) => { state.value = e.target.value; report(); });
        addEventListener('scroll', () => { state.scrollY = Math.round(scrollY); report(); });
        report(); // a fresh page starts from nothing
      </script>`),
    '/report': (_req, res, body) => {
      // Reports may overtake each other: keep the newest of the newest page load.
      const report = JSON.parse(body) as PageState & { load: number; seq: number };
      if (report.load !== latest.load || report.seq > latest.seq) {
        latest = report;
        state = report;
      }
      res.writeHead(204).end();
    },
  });
  await fixture.start();
  return Object.assign(fixture, {
    state: () => state,
  });
}
