import type { DecidedBy } from '../agent/types.js';
import type { AgentAction } from '../agent/actions.js';
import { describeUsage } from '../agent/usage.js';
import type { RunRecord, StepRecord } from './records.js';

/**
 * report.html: one self-contained page per run, opened straight from disk.
 * Rendered here as plain HTML (no framework, no data to fetch): it shows
 * with scripts off, the screenshots beside it load lazily, and its few
 * lines of script only add keyboard navigation and a full-size view of a
 * clicked screenshot. A CSP forbids any request
 * but the local images.
 */

const esc = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

const DECIDERS: Record<DecidedBy, string> = {
  elicitation: 'a person (elicitation form)',
  terminal: 'a person at the terminal',
  tool: 'acknowledge_safety_check',
  auto: 'automatically (--auto-acknowledge-safety-checks)',
  'no-terminal': 'nobody: stdin was not a terminal and had ended, so no one could be asked',
  'client-declined':
    'the MCP client declining the question (a person, or a client that cannot ask one and declines at once, as codex exec does)',
};

/** Position of a point as a share of the screenshot, so markers stay on target at any rendered size. */
function at(x: number, y: number, display: RunRecord['display']): string {
  const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(3)}%`;
  return `left:${pct(x, display.width)};top:${pct(y, display.height)}`;
}

const ARROWS = { up: '↑', down: '↓', left: '←', right: '→' } as const;

function scrollDirection(dx: number, dy: number): keyof typeof ARROWS {
  if (Math.abs(dy) >= Math.abs(dx)) return dy < 0 ? 'up' : 'down';
  return dx < 0 ? 'left' : 'right';
}

/** The marker of one action on the screenshot the model was looking at; keyboard and wait actions have none. */
function marker(action: AgentAction, number: number, display: RunRecord['display']): string {
  const label = esc(number);
  switch (action.type) {
    case 'click':
    case 'double_click':
    case 'triple_click':
    case 'move':
      return `<span class="mark ${action.type}" data-x="${action.x}" data-y="${action.y}" style="${at(action.x, action.y, display)}"><b>${label}</b></span>`;
    case 'scroll': {
      const direction = scrollDirection(action.scroll_x, action.scroll_y);
      return `<span class="mark scroll" data-direction="${direction}" data-x="${action.x}" data-y="${action.y}" style="${at(action.x, action.y, display)}"><b>${ARROWS[direction]}</b></span>`;
    }
    case 'drag': {
      const points = action.path.map((p) => `${p.x},${p.y}`).join(' ');
      const start = action.path[0]!;
      const end = action.path[action.path.length - 1]!;
      return (
        `<svg class="drag" viewBox="0 0 ${display.width} ${display.height}" preserveAspectRatio="none"><polyline points="${points}"/></svg>` +
        `<span class="mark drag" data-x="${start.x}" data-y="${start.y}" style="${at(start.x, start.y, display)}"><b>${label}</b></span>` +
        `<span class="mark drag-end" data-x="${end.x}" data-y="${end.y}" style="${at(end.x, end.y, display)}"></span>`
      );
    }
    default:
      return '';
  }
}

function screenshot(file: string | undefined, alt: string, display: RunRecord['display'], markers = ''): string {
  if (!file) return '<div class="noshot">no screenshot</div>';
  // A link to the image itself: a click shows it at full size (in the page's viewer with scripts, as a plain image without).
  return `<div class="shot"><a href="${esc(file)}" title="Click for full size"><img src="${esc(file)}" loading="lazy" decoding="async" width="${display.width}" height="${display.height}" alt="${esc(alt)}"></a>${markers}</div>`;
}

function summary(step: StepRecord): string {
  if (step.actions.length) return step.actions.map((a) => a.description).join('; ');
  if (step.message) return step.message;
  return step.problems[0] ?? step.error ?? 'no action';
}

function safety(step: StepRecord, waiting: boolean): string {
  if (!step.safety_checks.length) return '';
  const checks = step.safety_checks.map((c) => `<li><b>${esc(c.code)}</b>: ${esc(c.message)}</li>`).join('');
  const decision = step.safety_decision;
  const verdict = decision
    ? `<p class="verdict">${decision.decision === 'approve' ? 'Approved' : 'Denied'} by ${esc(DECIDERS[decision.by])} at ${esc(decision.time.slice(11, 19))}${decision.rule ? ` · rule: ${esc(decision.rule)}` : ''}</p>`
    : `<p class="verdict">${waiting ? 'Waiting for a decision: the flagged actions have not run.' : 'Never decided: the flagged actions never ran.'}</p>`;
  return `<div class="safety ${decision?.decision ?? 'waiting'}"><h3>Safety check</h3><ul>${checks}</ul>${verdict}</div>`;
}

function stepSection(step: StepRecord, run: RunRecord): string {
  const { display } = run;
  const markers = step.actions.map((a, i) => (a.action ? marker(a.action, i + 1, display) : '')).join('');
  const actions = step.actions.length
    ? `<ol class="actions">${step.actions.map((a) => `<li class="${a.error ? 'failed' : a.ran ? 'ran' : 'not-run'}">${esc(a.description)}${a.error ? ` <span class="err">failed: ${esc(a.error)}</span>` : a.ran ? '' : ' <span class="muted">(not run)</span>'}</li>`).join('')}</ol>`
    : '';
  const reasoning = step.reasoning.length
    ? `<div class="reasoning"><h3>Reasoning</h3>${step.reasoning.map((r) => `<p>${esc(r)}</p>`).join('')}</div>`
    : '';
  const message = step.message ? `<div class="message"><h3>Message</h3><p>${esc(step.message)}</p></div>` : '';
  const events = step.events.length ? `<ul class="events">${step.events.map((e) => `<li>${esc(describe(e))}</li>`).join('')}</ul>` : '';
  const problems = [...step.problems, ...(step.error ? [step.error] : [])].map((p) => `<p class="err">${esc(p)}</p>`).join('');
  return `<section class="step${step.safety_checks.length ? ' flagged' : ''}" id="s${step.step}" tabindex="-1">
<h2>Step ${step.step} <small>${esc(step.time.slice(11, 19))} · model ${seconds(step.model_ms)} · actions ${seconds(step.action_ms)}</small></h2>
<div class="body">${screenshot(step.seen, `the screen the model saw before step ${step.step}`, display, markers)}
<div class="details">${safety(step, run.status === 'needs_confirmation')}${actions}${reasoning}${message}${events}${problems}${step.url ? `<p class="muted">${esc(step.url)}</p>` : ''}${step.response_id ? `<p class="muted">response ${esc(step.response_id)}</p>` : ''}${step.usage ? `<p class="muted">tokens: ${step.usage.input_tokens} in (${step.usage.cached_input_tokens} cached), ${step.usage.output_tokens} out</p>` : ''}</div></div>
</section>`;
}

function describe(event: Record<string, unknown>): string {
  const { kind, ...rest } = event;
  return `${String(kind)}: ${Object.values(rest).map(String).join(' · ')}`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#6a737d;--line:#d0d7de;--card:#f6f8fa;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8b949e;--line:#30363d;--card:#161b22;--accent:#4493f8;--ok:#3fb950;--bad:#f85149;--warn:#d29922}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{padding:12px 20px;border-bottom:1px solid var(--line)}header h1{font-size:18px;margin:0 0 6px}
.facts{display:flex;flex-wrap:wrap;gap:6px 18px;color:var(--muted)}.facts b{color:var(--fg);font-weight:600}
.status{padding:1px 8px;border-radius:10px;background:var(--card);border:1px solid var(--line);font-weight:600}
.status.completed{color:var(--ok)}.status.failed,.status.denied{color:var(--bad)}.status.needs_confirmation,.status.max_steps,.status.cancelled{color:var(--warn)}
.layout{display:grid;grid-template-columns:260px 1fr}
nav{position:sticky;top:0;height:100vh;overflow:auto;border-right:1px solid var(--line);padding:8px 0}
nav a{display:block;padding:3px 12px;color:var(--fg);text-decoration:none;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
nav a[aria-current]{background:var(--card);border-left:3px solid var(--accent)}nav a.flagged::before{content:"⚠ ";color:var(--warn)}
main{padding:0 20px 40vh}
.step{border-bottom:1px solid var(--line);padding:14px 0;content-visibility:auto;contain-intrinsic-size:auto 520px;outline:none}
.step:target,.step.current{box-shadow:inset 3px 0 var(--accent);padding-left:10px}
.step h2{font-size:15px;margin:0 0 8px}.step h2 small{font-weight:400;color:var(--muted)}h3{font-size:13px;margin:8px 0 2px}
.body{display:grid;grid-template-columns:minmax(0,3fr) minmax(240px,2fr);gap:16px;align-items:start}
.shot{position:relative;line-height:0;border:1px solid var(--line)}.shot img{width:100%;height:auto;display:block}
.noshot{color:var(--muted);border:1px dashed var(--line);padding:40px;text-align:center}
.shot a{display:block;cursor:zoom-in}
.mark{--c:rgba(207,34,46,.95);position:absolute;transform:translate(-50%,-50%);width:26px;height:26px;border-radius:50%;border:3px solid var(--c);box-shadow:0 0 0 1.5px #fff,inset 0 0 0 1.5px #fff;pointer-events:none}
.mark b{position:absolute;left:calc(100% - 2px);bottom:calc(100% - 2px);min-width:18px;padding:0 4px;border-radius:9px;background:var(--c);color:#fff;border:1px solid #fff;font:bold 11px/16px system-ui;text-align:center;white-space:nowrap}
.mark.move{--c:rgba(9,105,218,.95)}.mark.scroll{--c:rgba(154,103,0,.95)}.mark.scroll b{font-size:13px}.mark.drag-end{width:14px;height:14px;border-width:2px}
#full{position:fixed;inset:0;z-index:10;overflow:auto;background:rgba(0,0,0,.85);cursor:zoom-out;display:none}#full.open{display:block}#full img{display:block;margin:20px auto;max-width:none}
svg.drag{position:absolute;inset:0;width:100%;height:100%;pointer-events:none}svg.drag polyline{fill:none;stroke:rgba(207,34,46,.85);stroke-width:4;vector-effect:non-scaling-stroke}
.actions{margin:0;padding-left:20px}.actions .not-run{color:var(--muted)}.err{color:var(--bad)}.muted{color:var(--muted);word-break:break-all}
.reasoning p,.message p{margin:2px 0;white-space:pre-wrap}.message{border-left:3px solid var(--accent);padding-left:8px}
.safety{border:2px solid var(--warn);border-radius:6px;padding:4px 10px;margin-bottom:8px;background:var(--card)}
.safety.approve{border-color:var(--ok)}.safety.deny{border-color:var(--bad)}.safety ul{margin:2px 0;padding-left:18px}.verdict{font-weight:600;margin:4px 0}
.events{padding-left:18px;color:var(--muted)}kbd{border:1px solid var(--line);border-radius:3px;padding:0 4px;font-size:12px}
@media (max-width:900px){.layout{grid-template-columns:1fr}nav{display:none}.body{grid-template-columns:1fr}}`;

/** j/k (or arrows, n/p) move between steps; Home/End jump to the ends. */
const SCRIPT = `
const steps=[...document.querySelectorAll('section.step')];const links=new Map([...document.querySelectorAll('nav a')].map(a=>[a.hash.slice(1),a]));
let index=Math.max(0,steps.findIndex(s=>'#'+s.id===location.hash));
function show(i,scroll){index=Math.max(0,Math.min(steps.length-1,i));const s=steps[index];if(!s)return;
for(const x of document.querySelectorAll('.current'))x.classList.remove('current');for(const a of links.values())a.removeAttribute('aria-current');
s.classList.add('current');const a=links.get(s.id);if(a){a.setAttribute('aria-current','step');a.scrollIntoView({block:'nearest'});}
if(scroll){s.scrollIntoView({block:'start'});s.focus({preventScroll:true});history.replaceState(null,'','#'+s.id);}}
const keys={j:1,n:1,ArrowRight:1,ArrowDown:1,k:-1,p:-1,ArrowLeft:-1,ArrowUp:-1};
document.addEventListener('keydown',e=>{if(e.altKey||e.ctrlKey||e.metaKey)return;
if(e.key in keys){e.preventDefault();show(index+keys[e.key],true);}else if(e.key==='Home'){e.preventDefault();show(0,true);}else if(e.key==='End'){e.preventDefault();show(steps.length-1,true);}});
for(const [id,a] of links)a.addEventListener('click',()=>show(steps.findIndex(s=>s.id===id),false));
show(index,false);
const full=document.getElementById('full'),fullImg=full.querySelector('img');
function closeFull(){full.classList.remove('open');fullImg.removeAttribute('src');}
for(const a of document.querySelectorAll('.shot a'))a.addEventListener('click',e=>{e.preventDefault();fullImg.src=a.getAttribute('href');fullImg.alt=a.querySelector('img').alt;full.classList.add('open');full.focus();});
full.addEventListener('click',closeFull);document.addEventListener('keydown',e=>{if(e.key==='Escape')closeFull();},true);`;

export function renderReport(run: RunRecord, steps: StepRecord[]): string {
  const decisions = steps.filter((s) => s.safety_decision).length;
  const duration = Date.parse(run.updated) - Date.parse(run.started);
  const last = [...steps].reverse().find((s) => s.screenshot)?.screenshot ?? run.first_screenshot;
  const nav = [
    ...steps.map(
      (s) =>
        `<a href="#s${s.step}"${s.safety_checks.length ? ' class="flagged"' : ''} title="${esc(summary(s))}">${s.step}. ${esc(summary(s))}</a>`,
    ),
    `<a href="#end">Last screen</a>`,
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(run.status)}: ${esc(run.task.slice(0, 80))}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(run.task)}</h1><div class="facts">
<span class="status ${esc(run.status)}">${esc(run.status)}</span>
<span>model <b>${esc(run.model)}</b> (${esc(run.provider)})</span><span>session <b>${esc(run.session_id)}</b></span>
<span>started <b>${esc(run.started.replace('T', ' ').slice(0, 19))}</b> UTC</span><span><b>${run.steps}</b> steps in <b>${seconds(duration)}</b></span>
<span>model <b>${seconds(run.model_ms)}</b> · actions <b>${seconds(run.action_ms)}</b></span><span><b>${decisions}</b> safety decision(s)</span>
${run.usage ? `<span class="usage">${esc(describeUsage(run.usage))}</span>` : ''}<span>run <b>${esc(run.run_id)}</b></span><span><kbd>j</kbd>/<kbd>k</kbd> next/previous step</span></div>
${run.message ? `<p class="message">${esc(run.message)}</p>` : ''}${run.error ? `<p class="err">${esc(run.error)}</p>` : ''}</header>
<div class="layout"><nav aria-label="Steps">${nav}</nav><main>
${steps.map((s) => stepSection(s, run)).join('\n')}
<section class="step" id="end" tabindex="-1"><h2>Last screen</h2>${screenshot(last, 'the last screen', run.display)}</section>
</main></div><div id="full" tabindex="-1" role="dialog" aria-label="Screenshot at full size (click or Esc to close)"><img alt=""></div><script>${SCRIPT}</script></body></html>
`;
}
