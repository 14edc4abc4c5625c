/**
 * The MCP Apps view of a run (ui://cua-mcp/run-view): the latest
 * screenshot, the steps, and Approve/Deny when the run waits for a safety
 * decision. It speaks the few `ui/*` JSON-RPC messages over postMessage
 * that it needs (ui/initialize, ui/notifications/initialized,
 * tool-input, tool-result, size-changed, resource-teardown) and calls
 * tools/call and resources/read through the host. Everything from the run
 * is written with textContent, never parsed as HTML.
 */

/** The MCP Apps view of run_task, step and acknowledge_safety_check. */
export const RUN_VIEW_URI = 'ui://cua-mcp/run-view';

/** `_meta` of the run tools: hosts that render MCP Apps show their results in the run view (the flat key is the older spelling some hosts still read). */
export const RUN_VIEW_META = { ui: { resourceUri: RUN_VIEW_URI }, 'ui/resourceUri': RUN_VIEW_URI };

export const RUN_VIEW_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Computer-use run</title>
<style>
:root{color-scheme:light dark;--fg:var(--color-text-primary,#1b1f24);--bg:var(--color-background-primary,transparent);--muted:var(--color-text-secondary,#6a737d);--line:var(--color-border-primary,#d0d7de);--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700}
body{margin:0;padding:10px;font:14px/1.45 var(--font-sans,system-ui,sans-serif);color:var(--fg);background:var(--bg)}
header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
#status{font-weight:600;padding:1px 8px;border:1px solid var(--line);border-radius:10px}
#status.completed{color:var(--ok)}#status.failed,#status.denied{color:var(--bad)}#status.needs_confirmation{color:var(--warn)}
.muted{color:var(--muted)}#pause{border:2px solid var(--warn);border-radius:8px;padding:8px 12px;margin:8px 0}
#pause h2{font-size:15px;margin:0 0 4px}#pause ul{margin:4px 0;padding-left:18px}
button{font:inherit;font-weight:600;padding:6px 18px;border-radius:6px;border:1px solid var(--line);cursor:pointer;margin-right:8px}
#approve{background:var(--ok);color:#fff;border-color:var(--ok)}#deny{background:transparent;color:var(--bad);border-color:var(--bad)}
button:disabled{opacity:.5;cursor:default}.err{color:var(--bad)}
#shot{max-width:100%;border:1px solid var(--line);display:block;margin:8px 0}
#steps{margin:4px 0;padding-left:22px;max-height:240px;overflow:auto}#steps li.flagged::marker{color:var(--warn)}
#message{white-space:pre-wrap;border-left:3px solid var(--line);padding-left:8px}
#pending-actions{white-space:pre-wrap;overflow-wrap:anywhere}
</style></head>
<body>
<header><span id="status">waiting for the run</span><span id="meta" class="muted"></span></header>
<section id="pause" hidden>
<h2>Safety check: the flagged action has not run</h2>
<p>The model wants to: <b id="pending-actions"></b></p>
<ul id="checks"></ul>
<div><button id="approve" type="button">Approve</button><button id="deny" type="button">Deny</button></div>
<p id="decision-note" class="muted" hidden></p>
</section>
<p id="message" hidden></p>
<img id="shot" alt="the latest screenshot of the run" hidden>
<h3 id="steps-title" hidden>Steps</h3>
<ol id="steps"></ol>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const pending = new Map();
  let nextId = 1;
  let host = {};
  let current;
  const send = (message) => window.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ id, method, params });
  });

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const msg = event.data;
    if (!msg || msg.jsonrpc !== '2.0') return;
    if (msg.method === undefined) {
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(msg.error.message || 'request failed'));
      else waiter.resolve(msg.result);
      return;
    }
    switch (msg.method) {
      case 'ui/notifications/tool-result': render(msg.params); break;
      case 'ui/notifications/tool-input': showInput(msg.params && msg.params.arguments); break;
      case 'ui/notifications/tool-cancelled': setStatus('cancelled', 'the call was cancelled'); break;
      case 'ui/notifications/host-context-changed': theme(msg.params); break;
      default:
        if (msg.id !== undefined) {
          if (msg.method === 'ping' || msg.method === 'ui/resource-teardown') send({ id: msg.id, result: {} });
          else send({ id: msg.id, error: { code: -32601, message: 'Method not found: ' + msg.method } });
        }
    }
  });

  function theme(context) {
    const vars = context && context.styles && context.styles.variables;
    if (vars) for (const [name, value] of Object.entries(vars)) if (value) document.documentElement.style.setProperty(name, value);
  }

  function setStatus(status, meta) {
    $('status').textContent = status;
    $('status').className = status;
    if (meta !== undefined) $('meta').textContent = meta;
  }

  function showInput(args) {
    if (args && args.task) $('meta').textContent = args.task;
  }

  function list(element, items, flagged) {
    element.replaceChildren(...items.map((text, i) => {
      const li = document.createElement('li');
      li.textContent = text;
      if (flagged && flagged[i]) li.className = 'flagged';
      return li;
    }));
  }

  async function loadSteps(runId) {
    if (!host.serverResources || !runId) return false;
    try {
      const read = await request('resources/read', { uri: 'cua-mcp://runs/' + runId });
      const file = (read.contents || []).find((c) => String(c.uri).endsWith('/steps.jsonl'));
      if (!file || typeof file.text !== 'string') return false;
      const steps = file.text.split('\\n').filter(Boolean).map((line) => JSON.parse(line));
      if (current && current.run_id !== runId) return true;
      list($('steps'), steps.map((s) => s.step + '. ' + (s.actions.map((a) => a.description).join('; ') || s.message || (s.problems[0] || 'no action'))
        + (s.safety_decision ? ' [' + s.safety_decision.decision + 'd by ' + s.safety_decision.by + ']' : '')), steps.map((s) => s.safety_checks.length > 0));
      return true;
    } catch {
      return false;
    }
  }

  function render(result) {
    const sc = (result && result.structuredContent) || {};
    current = sc;
    const text = ((result && result.content) || []).filter((c) => c.type === 'text').map((c) => c.text).join('\\n');
    setStatus(sc.status || (result && result.isError ? 'error' : 'done'), (sc.steps !== undefined ? sc.steps + ' step(s) · ' : '') + (sc.url || ''));
    const image = ((result && result.content) || []).find((c) => c.type === 'image');
    if (image) {
      $('shot').src = 'data:' + image.mimeType + ';base64,' + image.data;
      $('shot').hidden = false;
    }
    const message = sc.message || sc.error || (sc.status ? '' : text);
    $('message').textContent = message;
    $('message').hidden = !message;
    $('steps-title').hidden = false;
    list($('steps'), (sc.actions || []).map((a, i) => (i + 1) + '. ' + a));
    void loadSteps(sc.run_id);
    const paused = sc.status === 'needs_confirmation';
    $('pause').hidden = !paused;
    if (paused) {
      $('pending-actions').textContent = (sc.pending_actions || []).join('; ') || '(no action)';
      list($('checks'), (sc.pending_safety_checks || []).map((c) => c.code + ': ' + c.message));
      const canCall = Boolean(host.serverTools);
      $('approve').disabled = $('deny').disabled = !canCall;
      note(canCall ? '' : 'This host cannot call tools from a view: answer in the chat (acknowledge_safety_check).');
    }
  }

  function note(text, error) {
    $('decision-note').textContent = text;
    $('decision-note').className = error ? 'err' : 'muted';
    $('decision-note').hidden = !text;
  }

  async function decide(decision) {
    if (!current || !current.session_id) return;
    $('approve').disabled = $('deny').disabled = true;
    note(decision === 'approve' ? 'Approved: running the held action...' : 'Denied: dropping the held action...');
    try {
      const result = await request('tools/call', { name: 'acknowledge_safety_check', arguments: { session_id: current.session_id, decision } });
      render(result);
      if (result && result.isError) {
        $('pause').hidden = false;
        note(((result.content || []).find((c) => c.type === 'text') || {}).text || 'acknowledge_safety_check failed', true);
      }
    } catch (error) {
      $('approve').disabled = $('deny').disabled = false;
      note('The host did not run acknowledge_safety_check: ' + error.message, true);
    }
  }
  $('approve').addEventListener('click', () => decide('approve'));
  $('deny').addEventListener('click', () => decide('deny'));

  request('ui/initialize', {
    protocolVersion: '2026-01-26',
    appInfo: { name: 'cua-mcp-run-view', version: '1.0.0' },
    appCapabilities: { availableDisplayModes: ['inline'] },
  }).then((result) => {
    host = (result && result.hostCapabilities) || {};
    theme(result && result.hostContext);
    send({ method: 'ui/notifications/initialized', params: {} });
    // Sizes are reported once the host knows the view (nothing before the handshake).
    new ResizeObserver(() => {
      const box = document.documentElement.getBoundingClientRect();
      send({ method: 'ui/notifications/size-changed', params: { width: Math.ceil(box.width), height: Math.ceil(box.height) } });
    }).observe(document.documentElement);
  }, (error) => setStatus('error', 'the host refused to initialize the view: ' + error.message));
})();
</script>
</body></html>
`;
