import { FixtureServer, page } from '../test/helpers/fixture-server.js';

/** Full-page background colours: each state a benchmark click can lead to has its own, so one pixel tells which state a screenshot shows. */
export const COLOURS = {
  start: [0x30, 0x50, 0xa0],
  navigated: [0x20, 0xa0, 0x40],
  fetched: [0xe0, 0x80, 0x20],
  popup: [0xa0, 0x30, 0xc0],
} as const satisfies Record<string, readonly [number, number, number]>;

export type State = keyof typeof COLOURS;

/** Where the server waits before answering, so a harness that does not wait for what a click started shows the old state. */
const SLOW_MS = 150;

const hex = (state: State) => `#${COLOURS[state].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/** A big button in the middle of a page of one colour; the corners keep the page colour. */
function colourPage(state: State, button = '', script = ''): string {
  const style = `<style>body{background:${hex(state)};height:100vh}
#go{position:absolute;left:312px;top:284px;width:400px;height:200px;font-size:32px}</style>`;
  return page((button && `<button id="go">${button}</button>`) + (script && `<script>${script}</script>`), style);
}

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. ';

/** A page like the ones a model looks at: header, navigation, text columns, coloured cards, a table, a gradient image. */
export function realisticPage(): string {
  const cards = Array.from({ length: 12 }, (_, i) => {
    const hue = (i * 37) % 360;
    return `<div class="card" style="background:hsl(${hue},60%,85%);border-color:hsl(${hue},50%,45%)"><h3>Item ${i + 1}</h3><p>${LOREM.slice(0, 90 + i * 7)}</p><b>$${(i * 13.37 + 9).toFixed(2)}</b></div>`;
  }).join('');
  const rows = Array.from(
    { length: 8 },
    (_, i) =>
      `<tr><td>${i + 1}</td><td>Order ${1000 + i * 17}</td><td>${['open', 'paid', 'sent'][i % 3]}</td><td>${(i * 3.3).toFixed(1)} kg</td></tr>`,
  ).join('');
  const gradient = `<svg xmlns='http://www.w3.org/2000/svg' width='300' height='200'><defs><radialGradient id='g'><stop offset='0' stop-color='#ffd34d'/><stop offset='0.5' stop-color='#e0407b'/><stop offset='1' stop-color='#2b2d7a'/></radialGradient></defs><rect width='300' height='200' fill='url(#g)'/><circle cx='220' cy='60' r='40' fill='#fff' fill-opacity='0.4'/></svg>`;
  const style = `<style>
header{background:linear-gradient(90deg,#1d3557,#457b9d);color:#fff;padding:14px 24px;font-size:26px}
nav{background:#f1faee;padding:8px 24px;border-bottom:1px solid #ccc}nav a{margin-right:18px;color:#1d3557}
main{display:grid;grid-template-columns:2fr 1fr;gap:16px;padding:16px 24px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.card{border:2px solid;border-radius:8px;padding:8px;font-size:13px}.card h3{margin:0 0 4px}
table{border-collapse:collapse;width:100%;font-size:13px}td{border:1px solid #bbb;padding:3px 6px}tr:nth-child(odd){background:#eef}
img{width:100%;border-radius:6px}aside p{font-size:13px;color:#333}</style>`;
  return page(
    `<header>Benchmark Store — dashboard</header><nav>${['Home', 'Products', 'Orders', 'Customers', 'Reports', 'Settings'].map((n) => `<a href="#">${n}</a>`).join('')}</nav>
<main><section><h2>Products</h2><div class="cards">${cards}</div><h2>Recent orders</h2><table>${rows}</table><p>${LOREM.repeat(4)}</p></section>
<aside><img alt="chart" src="data:image/svg+xml,${encodeURIComponent(gradient)}"><h3>Notes</h3><p>${LOREM.repeat(3)}</p><input placeholder="Search" style="width:90%"></aside></main>`,
    style,
  );
}

/** The colours of the load page's corner mark: the n-th click anywhere on the page shows CLICK_MARKS[n % 4]. */
export const CLICK_MARKS = [
  [0xd0, 0x20, 0x20],
  [0x20, 0xb0, 0x20],
  [0x20, 0x40, 0xd0],
  [0xe0, 0xc0, 0x20],
] as const;

/** The realistic page with a mark in its top-left corner that changes colour at every click, as a page answers a click at once. */
function loadPage(): string {
  const colours = JSON.stringify(CLICK_MARKS.map((c) => `rgb(${c.join(',')})`));
  return realisticPage().replace(
    '</header>',
    `</header><div id="mark" style="position:fixed;left:0;top:0;width:40px;height:40px;background:${`rgb(${CLICK_MARKS[0].join(',')})`}"></div>` +
      `<script>{ const colours = ${colours}; let clicks = 0; addEventListener('click', () => { document.getElementById('mark').style.background = colours[++clicks % colours.length]; }); }</script>`,
  );
}

/** The button's centre on the colour pages, and a spot on the realistic page where a click changes nothing. */
export const BUTTON = { x: 512, y: 384 };
export const INERT = { x: 700, y: 12 };
export const TEXTAREA = { x: 400, y: 150 };

const delayed =
  (ms: number, fn: (res: import('node:http').ServerResponse) => void) => (_req: unknown, res: import('node:http').ServerResponse) =>
    void setTimeout(() => fn(res), ms);

export async function startPages(): Promise<FixtureServer> {
  const server = new FixtureServer({
    '/realistic': realisticPage(),
    '/load': loadPage(),
    // The same page with a small canvas: the harness cannot see a script draw on it, so a step never overlaps its settle check there.
    '/realistic-canvas': realisticPage().replace('<h3>Notes</h3>', '<canvas width="60" height="20"></canvas><h3>Notes</h3>'),
    // The same page counting clicks in its header a moment after each one: the early screenshot is taken, then thrown away.
    '/realistic-late': realisticPage().replace(
      '</header>',
      ` <small id="clicks"></small></header><script>let n = 0; addEventListener('click', () => setTimeout(() => { clicks.textContent = ++n; }, 4));</script>`,
    ),
    '/nav': colourPage('start', 'Next page', `go.onclick = () => { location.href = '/navigated'; }`),
    '/navigated': delayed(SLOW_MS, (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(colourPage('navigated'))),
    '/fetch': colourPage(
      'start',
      'Save',
      `go.onclick = () => fetch('/api/save', { method: 'POST' }).then(() => { document.body.style.background = '${hex('fetched')}'; go.remove(); });`,
    ),
    '/api/save': delayed(SLOW_MS, (res) => res.writeHead(204).end()),
    '/popup': colourPage('start', 'Open', `go.onclick = () => window.open('/popup-target');`),
    '/popup-target': delayed(SLOW_MS, (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(colourPage('popup'))),
    '/type': page(`<textarea style="position:absolute;left:100px;top:100px;width:600px;height:100px;font-size:18px"></textarea>`),
    '/drag': page(
      `<canvas id="c" width="1024" height="768"></canvas>`,
      `<script>addEventListener('DOMContentLoaded', () => { const c = document.getElementById('c').getContext('2d'); let down = false;
onmousedown = (e) => { down = true; c.beginPath(); c.moveTo(e.clientX, e.clientY); };
onmousemove = (e) => { if (down) { c.lineTo(e.clientX, e.clientY); c.lineWidth = 6; c.stroke(); } }; onmouseup = () => (down = false); });</script>`,
    ),
    '/scroll': page(
      Array.from({ length: 200 }, (_, i) => `<p style="background:hsl(${i * 7},50%,80%)">Paragraph ${i}: ${LOREM}</p>`).join(''),
    ),
  });
  return server.start();
}
