import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright';
import { chromiumArgs } from '../src/browser/launcher.js';
import type { BenchContext } from './context.js';
import { CHROMIUM, OurServer } from './drivers.js';
import { FakeModel, stepTimes } from './fake-model.js';
import type { Row } from './report.js';
import { summarize, type Stat } from './stats.js';
import { RunRecorder } from '../src/recording/recorder.js';
import { renderReport } from '../src/recording/report-html.js';

const STEPS_PER_RUN = 10;

/** One server against its own zero-latency model. */
interface Contender {
  label: string;
  fake: FakeModel;
  server: OurServer;
  statuses: string[];
}

async function contender(label: string, args: string[]): Promise<Contender> {
  const fake = await new FakeModel({ steps: STEPS_PER_RUN }).start();
  const server = await OurServer.start(args, fake.env);
  return { label, fake, server, statuses: [] };
}

/**
 * Item 7: `run_task` through the MCP client against the fake model: steps
 * per second and the harness's share of a step, with recording on (the
 * default) and off (--no-record), the two servers taking turns run by run.
 */
export async function benchLoop(ctx: BenchContext): Promise<Row[]> {
  const item = '7. model loop, zero model latency';
  const recorded = await contender('run_task', ['--output-dir', ctx.tmp]);
  const unrecorded = await contender('run_task --no-record', ['--no-record', '--output-dir', ctx.tmp]);
  const both = [recorded, unrecorded];
  try {
    const { tools } = await recorded.server.mcp.client.listTools();
    if (!tools.some((t) => t.name === 'run_task')) {
      return [{ item, contender: 'cua-mcp (ours)', unit: '', note: 'skipped: run_task not available' }];
    }
    const runs = Math.max(3, Math.round(ctx.rounds / 4));
    for (let run = 0; run <= runs; run++) {
      for (const c of both) {
        if (run === 1) c.fake.turns.length = 0; // the first run is the warm-up
        const result = await c.server.mcp.call('run_task', {
          task: 'Click around the page',
          start_url: ctx.pages.url('/realistic'),
          max_steps: STEPS_PER_RUN + 5,
        });
        if (run > 0) c.statuses.push(String((result.structuredContent as { status?: string } | undefined)?.status));
      }
    }
    const { steps, harness } = stepTimes(recorded.fake.turns);
    const step = summarize(steps);
    const share = summarize(harness.map((h, i) => (100 * h) / steps[i]!));
    const model = summarize(steps.map((s, i) => s - harness[i]!));
    const bare = summarize(stepTimes(unrecorded.fake.turns).steps);
    const alone = await recorderAlone(ctx.tmp);
    const ours = ctx.shared.get('ours click');
    const completed = (c: Contender) => `${c.statuses.filter((s) => s === 'completed').length}/${runs} completed`;
    return [
      {
        item,
        contender: 'cua-mcp (ours) run_task',
        stat: step,
        unit: 'ms/step',
        note: `recording on (the default); ${(1000 / step.median).toFixed(1)} steps/s; ${runs} runs × ${STEPS_PER_RUN} clicks, ${completed(recorded)}${ours ? `; item 1's computer click ${ours.median.toFixed(1)} ms` : ''}`,
      },
      {
        item,
        contender: 'cua-mcp (ours) run_task --no-record',
        stat: bare,
        unit: 'ms/step',
        note: `recording on minus off: ${(step.median - bare.median).toFixed(1)} ms (${(step.median / bare.median).toFixed(2)}x), within the browser's step-to-step spread (the row below measures the recorder alone); runs alternate between the two servers; ${completed(unrecorded)}`,
      },
      {
        item: '7. recorder alone, 200 steps',
        contender: 'hooks, on the event loop',
        stat: alone.hooks,
        unit: 'µs/step',
        note: `what a step waits for; writing the ${(alone.shotBytes / 1024).toFixed(0)} KB screenshot, the steps.jsonl line, run.json and report.html, queued beside the loop: ${alone.writes.toFixed(2)} ms/step; report.html of 200 steps rendered in ${alone.render.median.toFixed(1)} ms, opened in Chromium (load event) in ${alone.open.median.toFixed(0)} ms with ${alone.images} of 201 screenshots loaded (the rest load as they scroll in)`,
      },
      {
        item: '7. harness share of a step',
        contender: 'cua-mcp (ours) run_task',
        stat: share,
        unit: '%',
        note: `model's answer → next request, over the step; the fake model's own turn (request in, answer out) ${model.median.toFixed(1)} ms`,
      },
    ];
  } finally {
    for (const c of both) {
      await c.server.close();
      await c.fake.stop();
    }
  }
}

/**
 * The recorder by itself, in this process: 200 turns of a click with a
 * real screenshot from the runs above, the way the loop calls it. `hooks`
 * is the time each step spends in the recorder's calls (the loop waits for
 * these); the writes run in the background and are timed as a whole.
 */
async function recorderAlone(
  tmp: string,
): Promise<{ hooks: Stat; writes: number; render: Stat; open: Stat; images: number; shotBytes: number }> {
  const runs = path.join(tmp, 'runs');
  const shotFile = fs
    .readdirSync(runs)
    .map((run) => path.join(runs, run, 'step-001.png'))
    .find((file) => fs.existsSync(file));
  if (!shotFile) throw new Error('no recorded screenshot to replay');
  const shot = { data: fs.readFileSync(shotFile), mimeType: 'image/png' as const, width: 1024, height: 768 };
  const session = { id: 'bench', display: { width: 1024, height: 768 }, peekEvents: () => [] };
  const recorder = new RunRecorder(path.join(tmp, 'alone'), { task: 'bench', model: 'fake', provider: 'openai', session });
  const hooks: number[] = [];
  const started = performance.now();
  for (let step = 1; step <= 200; step++) {
    const t0 = performance.now();
    recorder.request();
    const action = { type: 'click' as const, button: 'left' as const, x: step, y: step };
    recorder.answered({
      responseId: `resp_${step}`,
      reasoning: ['Clicking the next item.'],
      message: '',
      calls: [{ callId: `c${step}`, actions: [action], descriptions: [`click ${step},${step}`], checks: [] }],
      problems: [],
    });
    recorder.action(`click ${step},${step}`, action);
    recorder.screenshot(step, shot, 'http://127.0.0.1/realistic');
    hooks.push((performance.now() - t0) * 1000);
    // The loop's own step (the browser, the model) gives the queue time to drain, as in a real run.
    if (step % 10 === 0) await recorder.flush();
  }
  await recorder.stopped({
    status: 'completed',
    steps: 200,
    actions: [],
    reasoning: [],
    message: 'done',
    pending_safety_checks: [],
    pending_actions: [],
  });
  const writes = (performance.now() - started - hooks.reduce((a, b) => a + b, 0) / 1000) / 200;
  const steps = fs
    .readFileSync(path.join(recorder.dir, 'steps.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const render: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    renderReport(recorder.record, steps);
    render.push(performance.now() - t0);
  }
  // Opening the 200-step report.html from disk in Chromium, until its load event (lazy images off screen do not hold it up).
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
  const open: number[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      await page.goto(pathToFileURL(recorder.reportPath).href, { waitUntil: 'load' });
      if (i > 0) open.push(performance.now() - t0);
    }
    const images = await page.evaluate(() => Array.from(document.images).filter((img) => img.complete && img.naturalWidth > 0).length);
    return { hooks: summarize(hooks), writes, render: summarize(render), open: summarize(open), images, shotBytes: shot.data.length };
  } finally {
    await browser.close();
  }
}
