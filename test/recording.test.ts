import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright';
import { chromiumArgs, findExecutable } from '../src/browser/launcher.js';
import { parseOptions } from '../src/config.js';
import { resolveConfig } from '../src/mcp/server-config.js';
import { agentFixture, previewFake, BUTTON, click, DISPLAY } from './helpers/agent-fixture.js';
import { recordedSteps } from './helpers/recorded-steps.js';
import { FixtureServer, page as fixturePage } from './helpers/fixture-server.js';
import { startHttpServer } from './helpers/http.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// Every run is recorded: the folder, report.html in a real browser, the MCP resources, retention.
const fixture = await agentFixture();
const fake = await previewFake('sk-rec');
const env = { OPENAI_API_KEY: 'sk-rec', OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '' };
const executablePath = findExecutable(resolveConfig(parseOptions([]).raw)).path;
const check = { id: 'sc_r', code: 'sensitive_domain', message: 'The page looks like a bank.' };

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cua-rec-'));
const runDirs = (outputDir: string) =>
  fs.existsSync(path.join(outputDir, 'runs')) ? fs.readdirSync(path.join(outputDir, 'runs')).sort() : [];

// The tests that need no options of their own record through one server, each run into a folder of its own.
const recorderDir = tempDir();
let browser: Browser;
let recorder: ServerHandle;
before(async () => {
  [browser, recorder] = await Promise.all([
    chromium.launch({ executablePath, args: chromiumArgs() }),
    startServer(['--output-dir', recorderDir], env),
  ]);
});
after(async () => {
  await recorder?.close();
  await browser?.close();
  await fake.stop();
  await fixture.stop();
  fs.rmSync(recorderDir, { recursive: true, force: true });
});

describe('a recorded run', () => {
  let runId: string;
  let report: string;
  let approvedText: string;

  before(async () => {
    // Turn 1 is flagged and approved; 2 scrolls, 3 drags, 4 answers.
    fake.script([
      { output: [fake.reasoning('Send is the button on the left.'), fake.call([click(BUTTON)], [check])] },
      { output: [fake.call([{ type: 'scroll', x: 500, y: 400, scroll_x: 0, scroll_y: 300 }])] },
      {
        output: [
          fake.call([
            {
              type: 'drag',
              path: [
                { x: 100, y: 600 },
                { x: 300, y: 650 },
                { x: 500, y: 700 },
              ],
            },
          ]),
        ],
      },
      { output: [fake.message('Sent <b>it</b>.')] },
    ]);
    const paused = await recorder.ok('run_task', { task: 'Press <Send>', start_url: fixture.url('/') });
    assert.equal(paused.structuredContent.status, 'needs_confirmation');
    runId = String(paused.structuredContent.run_id);
    report = String(paused.structuredContent.report);
    assert.match(textOf(paused), new RegExp(`Run ${runId} recorded: ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(fs.existsSync(report), 'the report exists while the run waits for a decision');
    assert.match(fs.readFileSync(report, 'utf8'), /Waiting for a decision/);
    const approved = await recorder.ok('acknowledge_safety_check', {
      session_id: paused.structuredContent.session_id,
      decision: 'approve',
    });
    approvedText = textOf(approved);
    assert.equal(approved.structuredContent.status, 'completed');
    assert.equal(approved.structuredContent.run_id, runId, 'the approval continues the same recording');
    assert.deepEqual(fake.violations, []);
  });

  it('keeps a screenshot and a steps.jsonl line for every model turn', () => {
    const dir = path.join(recorderDir, 'runs', runId);
    assert.equal(report, path.join(dir, 'report.html'));
    assert.match(approvedText, /recorded: .*report\.html/);
    for (const file of ['step-000.png', 'step-001.png', 'step-002.png', 'step-003.png'])
      assert.ok(fs.existsSync(path.join(dir, file)), `${file} saved`);
    const steps = recordedSteps(dir);
    assert.deepEqual(
      steps.map((s) => s.step),
      [1, 2, 3, 4],
    );
    assert.deepEqual(steps[0]!.actions, [
      { action: { type: 'click', button: 'left', x: 200, y: 140 }, description: 'click 200,140', ran: true },
    ]);
    assert.deepEqual(steps[0]!.reasoning, ['Send is the button on the left.']);
    assert.deepEqual(steps[0]!.safety_checks, [check]);
    assert.equal(steps[0]!.safety_decision!.decision, 'approve');
    assert.equal(steps[0]!.safety_decision!.by, 'tool');
    assert.equal(steps[0]!.seen, 'step-000.png');
    assert.equal(steps[0]!.screenshot, 'step-001.png');
    assert.match(String(steps[0]!.response_id), /^resp_/);
    for (const s of steps) {
      assert.equal(typeof s.model_ms, 'number');
      assert.equal(typeof s.action_ms, 'number');
      assert.ok(!Number.isNaN(Date.parse(s.time)));
    }
    assert.equal((steps[1]!.actions[0]!.action as { scroll_y?: number }).scroll_y, 300);
    assert.equal(steps[3]!.message, 'Sent <b>it</b>.');
    assert.deepEqual(steps[3]!.actions, []);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(run.status, 'completed');
    assert.equal(run.steps, 4);
    assert.equal(run.task, 'Press <Send>');
  });

  it('report.html opens from file:// with one loaded screenshot per step, markers on target, the decision, and no network', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);
    assert.equal(await page.locator('h1').textContent(), 'Press <Send>', 'hostile text is shown, not parsed');
    assert.equal(await page.locator('.message b').count(), 0);
    const steps = page.locator('section.step[id^="s"]');
    assert.equal(await steps.count(), 4);
    for (let i = 0; i < 4; i++) {
      const img = steps.nth(i).locator('.shot img');
      await img.scrollIntoViewIfNeeded();
      await img.evaluate((el: HTMLImageElement) =>
        el.complete ? undefined : new Promise((resolve) => el.addEventListener('load', resolve, { once: true })),
      );
      assert.ok((await img.evaluate((el: HTMLImageElement) => el.naturalWidth)) === DISPLAY.width, `step ${i + 1}'s screenshot loaded`);
    }
    // The click marker sits where the click landed on the screenshot the model saw, at whatever size it is drawn.
    const first = steps.nth(0);
    const box = (await first.locator('.shot img').boundingBox())!;
    const mark = (await first.locator('.mark.click').boundingBox())!;
    const scale = box.width / DISPLAY.width;
    assert.ok(Math.abs(mark.x + mark.width / 2 - (box.x + BUTTON.x * scale)) < 1.5, 'click marker x');
    assert.ok(Math.abs(mark.y + mark.height / 2 - (box.y + BUTTON.y * scale)) < 1.5, 'click marker y');
    assert.equal(await steps.nth(1).locator('.mark.scroll').getAttribute('data-direction'), 'down');
    const dragStart = (await steps.nth(2).locator('.mark.drag').boundingBox())!;
    const dragBox = (await steps.nth(2).locator('.shot img').boundingBox())!;
    assert.ok(Math.abs(dragStart.x + dragStart.width / 2 - (dragBox.x + 100 * scale)) < 1.5, 'drag start marker x');
    assert.match((await first.locator('.safety.approve').textContent())!, /sensitive_domain.*Approved by acknowledge_safety_check/s);
    assert.match((await first.locator('.reasoning').textContent())!, /Send is the button on the left/);
    // Keyboard: j goes to the next step, k back.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    assert.equal(await page.evaluate(() => location.hash), '#s2');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.equal(await page.evaluate(() => location.hash), '#s2');
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
      'no network request',
    );
    await page.close();
  });

  it('report.html for people: a click on a screenshot shows it at full size; click markers are rings that leave the target visible', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pathToFileURL(report).href);
    const first = page.locator('section.step#s1');
    const mark = first.locator('.mark.click');
    // A ring: nothing painted inside it, so what was clicked shows through.
    assert.equal(await mark.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgba(0, 0, 0, 0)');
    assert.equal(await mark.evaluate((el) => getComputedStyle(el).borderRadius), '50%');
    assert.equal(await mark.locator('b').textContent(), '1', 'the number sits beside the ring');
    const drawn = (await first.locator('.shot img').boundingBox())!;
    assert.ok(drawn.width < DISPLAY.width, 'drawn smaller than the screenshot');
    await first.locator('.shot img').click({ position: { x: 20, y: drawn.height - 20 } });
    const full = page.locator('#full img');
    await full.waitFor({ state: 'visible' });
    await full.evaluate((el: HTMLImageElement) =>
      el.complete ? undefined : new Promise((resolve) => el.addEventListener('load', resolve, { once: true })),
    );
    assert.equal(await full.getAttribute('src'), await first.locator('.shot img').getAttribute('src'));
    assert.equal((await full.boundingBox())!.width, DISPLAY.width, 'shown at its own size');
    await page.keyboard.press('Escape');
    await full.waitFor({ state: 'hidden' });
    await page.close();
  });

  it('is an MCP resource: resources/list names it, resources/read returns the report and steps.jsonl', async () => {
    const { resources } = await recorder.client.listResources();
    const listed = resources.find((r) => r.uri === `cua-mcp://runs/${runId}`);
    assert.ok(listed, JSON.stringify(resources));
    assert.equal(listed.title, 'Press <Send>');
    assert.match(String(listed.description), /completed after 4 step/);
    const { resourceTemplates } = await recorder.client.listResourceTemplates();
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'cua-mcp://runs/{run_id}'));
    const read = await recorder.client.readResource({ uri: `cua-mcp://runs/${runId}` });
    const text = (suffix: string) => read.contents.find((c) => c.uri.endsWith(suffix)) as { mimeType?: string; text?: string } | undefined;
    const html = text('/report.html');
    const jsonl = text('/steps.jsonl');
    assert.equal(html?.mimeType, 'text/html');
    assert.match(String(html?.text), /Approved by acknowledge_safety_check/);
    assert.equal(String(jsonl?.text).trim().split('\n').length, 4);
    await assert.rejects(recorder.client.readResource({ uri: 'cua-mcp://runs/20200101-000000-000-000000' }), /No recorded run/);
    await assert.rejects(recorder.client.readResource({ uri: 'cua-mcp://runs/..%2F..%2Fetc' }), /No recorded run/);
  });
});

describe('what happens beside the screen', () => {
  it('dialogs and popups are kept with the step that caused them; navigation calls are recorded', async () => {
    const site = await new FixtureServer({
      '/': fixturePage(
        `<button style="position:absolute;left:0;top:0;width:300px;height:100px" onclick="confirm('Delete <all>?'); window.open('/popup')">go</button>`,
      ),
      '/popup': fixturePage('popup'),
    }).start();
    try {
      fake.script([
        { output: [fake.call([click({ x: 100, y: 50 })])] },
        { output: [fake.functionCall('goto', { url: site.url('/') })] },
        { output: [fake.message('done')] },
      ]);
      const result = await recorder.ok('run_task', { task: 'press go', start_url: site.url('/') });
      assert.deepEqual(fake.violations, []);
      const steps = recordedSteps(path.dirname(String(result.structuredContent.report)));
      assert.deepEqual(
        steps[0]!.events.map((e) => e.kind),
        ['dialog', 'popup'],
      );
      assert.equal(steps[0]!.events[0]!.message, 'Delete <all>?');
      assert.deepEqual(steps[1]!.actions, [
        { navigation: { name: 'goto', url: site.url('/') }, description: `goto ${site.url('/')}`, ran: true },
      ]);
      assert.deepEqual(steps[2]!.events, []);
      assert.match(fs.readFileSync(String(result.structuredContent.report), 'utf8'), /dialog: confirm · Delete &lt;all&gt;\?/);
      // The tool result still reports them: the recorder only looks.
      assert.deepEqual(
        (result.structuredContent.events as Array<{ kind: string }>).map((e) => e.kind),
        ['dialog', 'popup'],
      );
    } finally {
      await site.stop();
    }
  });
});

describe('recording options', () => {
  it('--no-record records nothing and the result names no report', async () => {
    const outputDir = tempDir();
    const server = await startServer(['--output-dir', outputDir, '--no-record'], env);
    try {
      fake.script([{ output: [fake.message('nothing to do')] }]);
      const result = await server.ok('run_task', { task: 'look', start_url: fixture.url('/') });
      assert.equal(result.structuredContent.status, 'completed');
      assert.equal(result.structuredContent.run_id, undefined);
      assert.doesNotMatch(textOf(result), /recorded/);
      assert.deepEqual(runDirs(outputDir), []);
    } finally {
      await server.close();
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it('a paused run whose session starts a new run is marked replaced', async () => {
    fake.script([{ output: [fake.call([click(BUTTON)], [check])] }]);
    const paused = await recorder.ok('run_task', { task: 'first', start_url: fixture.url('/') });
    fake.script([{ output: [fake.message('done')] }]);
    await recorder.ok('run_task', { task: 'second', session_id: paused.structuredContent.session_id });
    const run = JSON.parse(fs.readFileSync(path.join(path.dirname(String(paused.structuredContent.report)), 'run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(run.status, 'replaced');
    assert.match(fs.readFileSync(String(paused.structuredContent.report), 'utf8'), /Never decided: the flagged actions never ran/);
  });

  it('over HTTP each principal (token) lists and reads only its own runs', async () => {
    const outputDir = tempDir();
    const tokens = path.join(outputDir, 'tokens');
    fs.writeFileSync(tokens, 'alice alice-token-0123456789\nbob bob-token-0123456789\n', { mode: 0o600 });
    const server = await startHttpServer(['--output-dir', outputDir, '--auth-tokens', tokens], env);
    const alice = await server.connect({ Authorization: 'Bearer alice-token-0123456789' });
    const bob = await server.connect({ Authorization: 'Bearer bob-token-0123456789' });
    try {
      fake.script([{ output: [fake.message('done')] }]);
      const runId = String((await alice.ok('run_task', { task: 'alice only', start_url: fixture.url('/') })).structuredContent.run_id);
      const uri = `cua-mcp://runs/${runId}`;
      assert.ok((await alice.client.listResources()).resources.some((r) => r.uri === uri));
      assert.ok(!(await bob.client.listResources()).resources.some((r) => r.uri === uri), 'another principal does not see the run');
      await assert.rejects(bob.client.readResource({ uri }), /No recorded run/);
      assert.match(String((await alice.client.readResource({ uri })).contents[0]?.uri), /report\.html$/);
    } finally {
      await alice.close();
      await bob.close();
      await server.stop();
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });

  it('retention deletes the oldest runs and never one still going', async () => {
    const outputDir = tempDir();
    // A run another live process is working on (this test's own pid), older than everything else.
    const going = '20000101-000000-000-abcdef';
    fs.mkdirSync(path.join(outputDir, 'runs', going), { recursive: true });
    fs.writeFileSync(
      path.join(outputDir, 'runs', going, 'run.json'),
      JSON.stringify({ run_id: going, task: 't', status: 'running', pid: process.pid, started: '2000-01-01T00:00:00Z', steps: 0 }),
    );
    const server = await startServer(['--output-dir', outputDir, '--keep-runs', '2'], env);
    try {
      // A paused run: still going, waiting for a person.
      fake.script([{ output: [fake.call([click(BUTTON)], [check])] }]);
      const paused = await server.ok('run_task', { task: 'paused', start_url: fixture.url('/') });
      assert.equal(paused.structuredContent.status, 'needs_confirmation');
      const done: string[] = [];
      for (const task of ['b', 'c', 'd', 'e']) {
        fake.script([{ output: [fake.message(`done ${task}`)] }]);
        done.push(String((await server.ok('run_task', { task, start_url: fixture.url('/') })).structuredContent.run_id));
      }
      // The newest two stay, and so do the two still going, however old.
      assert.deepEqual(runDirs(outputDir), [going, String(paused.structuredContent.run_id), done[2]!, done[3]!].sort());
    } finally {
      await server.close();
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });
});

describe('recordings are private', () => {
  const mode = (file: string) => fs.statSync(file).mode & 0o777;
  // One server for the folder checks: its output folder does not exist until its first run; each planted runs/ is put in place before a run.
  const parent = tempDir();
  const outputDir = path.join(parent, 'fresh');
  let server: ServerHandle;
  before(async () => {
    server = await startServer(['--output-dir', outputDir], env);
  });
  after(async () => {
    await server?.close();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('a fresh output folder, runs/ and each run folder are 0700, its files 0600', async () => {
    fake.script([{ output: [fake.message('done')] }]);
    const result = await server.ok('run_task', { task: 'type a password', start_url: fixture.url('/') });
    const dir = path.dirname(String(result.structuredContent.report));
    for (const folder of [outputDir, path.join(outputDir, 'runs'), dir]) assert.equal(mode(folder).toString(8), '700', folder);
    const files = fs.readdirSync(dir);
    assert.ok(files.includes('steps.jsonl') && files.includes('run.json') && files.includes('report.html'), files.join(' '));
    for (const file of files) assert.equal(mode(path.join(dir, file)).toString(8), '600', file);
  });

  /** A run with `runs` planted by `plant`: it completes unrecorded, says why, and nothing is written into the planted folder. */
  async function plantedRuns(plant: (runs: string, elsewhere: string) => void, why: RegExp): Promise<void> {
    const runs = path.join(outputDir, 'runs');
    const elsewhere = tempDir();
    fs.rmSync(runs, { recursive: true, force: true });
    fs.mkdirSync(outputDir, { recursive: true, mode: 0o700 });
    plant(runs, elsewhere);
    try {
      fake.script([{ output: [fake.message('done')] }]);
      const result = await server.ok('run_task', { task: 'look', start_url: fixture.url('/') });
      assert.equal(result.structuredContent.status, 'completed');
      assert.equal(result.structuredContent.run_id, undefined);
      assert.match(textOf(result), new RegExp(`Not recorded: recording is off for this run: .*${why.source}`));
      assert.match(server.stderr(), new RegExp(`warn: recording is off for this run: .*${why.source}`));
      assert.deepEqual(fs.readdirSync(elsewhere), []);
      assert.deepEqual(fs.readdirSync(runs), []);
    } finally {
      fs.rmSync(runs, { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  }

  it('a symlink planted as runs/ is refused: recording is off for the run, with a warning', () =>
    plantedRuns((runs, elsewhere) => fs.symlinkSync(elsewhere, runs), /is not a directory \(a symlink\?\)/));

  it('a runs/ folder another user owns is refused', { skip: process.getuid?.() !== 0 && 'needs root to give a folder away' }, () =>
    plantedRuns((runs) => {
      fs.mkdirSync(runs, { mode: 0o777 });
      fs.chmodSync(runs, 0o777);
      fs.chownSync(runs, 65534, 65534);
    }, /belongs to another user \(uid 65534\).*--output-dir/),
  );
});

describe('credentials in an endpoint URL', () => {
  it('are shown redacted in the result, run.json, report.html and stderr', async () => {
    const outputDir = tempDir();
    const password = `pw-${Date.now()}`;
    const server = await startServer(['--output-dir', outputDir], {
      ...env,
      OPENAI_BASE_URL: `http://user:${password}@127.0.0.1:${new URL(fake.origin).port}/v1`,
      // One retry: its warning names the endpoint too; the default four would wait out their backoff for nothing.
      CUA_MODEL_RETRIES: '1',
    });
    try {
      const result = await server.call('run_task', { task: 'look', start_url: fixture.url('/') });
      const report = String(result.structuredContent?.report);
      const seen = {
        result: JSON.stringify(result),
        'run.json': fs.readFileSync(path.join(path.dirname(report), 'run.json'), 'utf8'),
        'report.html': fs.readFileSync(report, 'utf8'),
        stderr: server.stderr(),
      };
      assert.match(seen.result, /http:\/\/\*\*\*@127\.0\.0\.1/, 'the endpoint is still named');
      for (const [where, text] of Object.entries(seen)) assert.ok(!text.includes(password), `the password shows in ${where}`);
    } finally {
      await server.close();
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });
});
