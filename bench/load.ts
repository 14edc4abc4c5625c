import fs from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { chromium, type Browser, type Page } from 'playwright';
import { chromiumArgs } from '../src/browser/launcher.js';
import { connectHttp, startHttpServer, type HttpServerProcess } from '../test/helpers/http.js';
import { BrowserHost, FarmBalancer } from '../test/helpers/browser-farm.js';
import { startReplicaSet, type ReplicaSet } from '../test/helpers/replicas.js';
import type { ServerHandle } from '../test/helpers/mcp.js';
import type { BenchContext } from './context.js';
import { CHROMIUM, imageOf } from './drivers.js';
import { clickAt, FakeModel, stepTimes, type Turn } from './fake-model.js';
import { childrenOf, treeCpu, treeMemory, type TreeMemory } from './memory.js';
import { clicksShown } from './pixels.js';
import type { Row } from './report.js';
import { summarize } from './stats.js';

/** Sizes of the load runs; every figure is measured beside bare Playwright (or `computer`) in the same process run. */
const numbers = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
const CLIENTS = numbers('LOAD_CLIENTS', '8,32');
export const STEPS = Number(process.env.LOAD_STEPS ?? 20);
export const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 3);
const RUN_CLIENTS = numbers('LOAD_RUN_CLIENTS', '1,8');
const REPLICA_CLIENTS = numbers('LOAD_REPLICA_CLIENTS', '16');
/** Which parts of the load item run (all but replicas-farm by default): clients (ours beside bare), run-task, replicas; replicas-farm adds replicas on a browser farm to the replicas part. */
const PARTS = (process.env.LOAD_PARTS ?? 'clients,run-task,replicas').split(',');
const DENSITY_SESSIONS = Number(process.env.DENSITY_SESSIONS ?? 60);
const DENSITY_STEPS = Number(process.env.DENSITY_STEPS ?? 10);
const MODEL_TURN_MS = 2_000;
/** One call's limit: a run that is not done by then is an error of the bench, not a wait. */
const CALL_MS = 300_000;

/** One click + screenshot as a client saw it; `shot` is checked after the phase, so decoding costs nobody's step. */
interface Step {
  ms: number;
  /** Clicks on the page so far, this one included: the screenshot must show that many. */
  clicks: number;
  shot?: Buffer;
  error?: string;
}

/** CPU time spent during a phase, in ms: the browser's processes, what drives them (our server's Node, or bare Playwright in this process), and our MCP clients (this process). */
interface Cpu {
  browser: number;
  driver: number;
  clients: number;
}

/** N clients' steps, all started at once. */
interface Phase {
  wallMs: number;
  steps: Step[];
  cpu: Cpu;
}

/** A contender of the load comparison: N clients (or contexts) that each do `STEPS` click + screenshot steps. */
export interface LoadDriver {
  name: string;
  /** Untimed: each client's page freshly loaded (no clicks yet). */
  prepare(): Promise<void>;
  /** Client `client`'s `clicks`-th click and the screenshot after it. */
  step(client: number, clicks: number): Promise<Buffer>;
  /** CPU used so far, ms: the browser's processes, and the driver's if it is not this process. */
  cpu(): { browser: number; driver?: number };
}

/** CPU used by this process so far, ms. */
function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export async function runPhase(driver: LoadDriver, clients: number, steps: number): Promise<Phase> {
  await driver.prepare();
  const all: Step[] = [];
  const cpuBefore = { ...driver.cpu(), own: ownCpu() };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let clicks = 1; clicks <= steps; clicks++) {
        const t0 = performance.now();
        try {
          const shot = await driver.step(client, clicks);
          all.push({ ms: performance.now() - t0, clicks, shot });
        } catch (error) {
          all.push({ ms: performance.now() - t0, clicks, error: (error as Error).message.split('\n')[0] });
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpuAfter = { ...driver.cpu(), own: ownCpu() };
  const own = cpuAfter.own - cpuBefore.own;
  const cpu =
    cpuAfter.driver === undefined
      ? { browser: cpuAfter.browser - cpuBefore.browser, driver: own, clients: 0 }
      : { browser: cpuAfter.browser - cpuBefore.browser, driver: cpuAfter.driver - cpuBefore.driver!, clients: own };
  return { wallMs, steps: all, cpu };
}

/** Runs `work` for every item, a few at a time: setup (opening sessions, loading pages) is not what is measured, and a burst of page loads on a busy machine only measures the burst. */
async function fewAtATime<T, R>(items: T[], work: (item: T) => Promise<R>, width = 4): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

/** Nearest-rank percentile. */
function percentile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** What a contender's phases add up to: per-round figures, pooled latencies, errors, and clicks whose effect the screenshot did not show. */
interface Outcome {
  throughput: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  pooled: number[];
  steps: number;
  errors: string[];
  lost: number;
  /** CPU ms per step, per round. */
  cpu: Cpu[];
}

export function emptyOutcome(): Outcome {
  return { throughput: [], p50: [], p95: [], p99: [], pooled: [], steps: 0, errors: [], lost: 0, cpu: [] };
}

/** Adds a phase; screenshots are decoded here, after the timing, and dropped. */
export function addPhase(outcome: Outcome, phase: Phase): void {
  const ok = phase.steps.filter((s) => !s.error);
  const times = ok.map((s) => s.ms);
  outcome.throughput.push((ok.length * 1000) / phase.wallMs);
  outcome.p50.push(percentile(times, 0.5));
  outcome.p95.push(percentile(times, 0.95));
  outcome.p99.push(percentile(times, 0.99));
  outcome.pooled.push(...times);
  outcome.steps += phase.steps.length;
  outcome.errors.push(...phase.steps.flatMap((s) => (s.error ? [s.error] : [])));
  const per = (ms: number) => ms / phase.steps.length;
  outcome.cpu.push({ browser: per(phase.cpu.browser), driver: per(phase.cpu.driver), clients: per(phase.cpu.clients) });
  for (const s of ok) if (clicksShown(s.shot!) !== s.clicks % 4) outcome.lost++;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const x = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;

function checks(o: Outcome): string {
  const errors = o.errors.length ? `${o.errors.length} errors (first: ${o.errors[0]})` : '0 errors';
  return `${errors}, ${o.lost} clicks lost of ${o.steps}`;
}

/** The rows comparing ours and bare (or another baseline) at one load: throughput and each percentile, median over rounds, pooled figures and ratios in the notes. */
export function loadRows(
  item: string,
  ours: Outcome,
  bare: Outcome,
  oursName: string,
  bareName: string,
  memory: string,
  baseline = 'bare',
): Row[] {
  const rows: Row[] = [];
  const med = (values: number[]) => summarize(values).median;
  const perRound = (a: number[], b: number[]) => a.map((v, i) => (v / b[i]!).toFixed(2)).join(', ');
  rows.push(
    {
      item: `${item}: throughput`,
      contender: oursName,
      stat: summarize(ours.throughput),
      unit: 'steps/s',
      note: `${x(med(ours.throughput), med(bare.throughput))} ${baseline} (rounds: ${perRound(ours.throughput, bare.throughput)}); ${checks(ours)}; ${memory}`,
    },
    { item: `${item}: throughput`, contender: bareName, stat: summarize(bare.throughput), unit: 'steps/s', note: checks(bare) },
  );
  const cpu = (o: Outcome, part: keyof Cpu) => med(o.cpu.map((c) => c[part]));
  const total = (o: Outcome) => med(o.cpu.map((c) => c.browser + c.driver + c.clients));
  rows.push(
    {
      item: `${item}: CPU per step`,
      contender: oursName,
      stat: summarize(ours.cpu.map((c) => c.browser + c.driver + c.clients)),
      unit: 'ms',
      note: `${x(total(ours), total(bare))} ${baseline}; browser ${cpu(ours, 'browser').toFixed(0)} ms, our server's Node ${cpu(ours, 'driver').toFixed(0)} ms, the MCP clients ${cpu(ours, 'clients').toFixed(0)} ms`,
    },
    {
      item: `${item}: CPU per step`,
      contender: bareName,
      stat: summarize(bare.cpu.map((c) => c.browser + c.driver + c.clients)),
      unit: 'ms',
      note:
        baseline === 'bare'
          ? `browser ${cpu(bare, 'browser').toFixed(0)} ms, Playwright in the bench process ${cpu(bare, 'driver').toFixed(0)} ms`
          : `browser ${cpu(bare, 'browser').toFixed(0)} ms, our server's Node ${cpu(bare, 'driver').toFixed(0)} ms, the MCP clients ${cpu(bare, 'clients').toFixed(0)} ms`,
    },
  );
  for (const [label, q, key] of [
    ['p50', 0.5, 'p50'],
    ['p95', 0.95, 'p95'],
    ['p99', 0.99, 'p99'],
  ] as const) {
    const pooled = (o: Outcome) => percentile(o.pooled, q);
    rows.push(
      {
        item: `${item}: step ${label}`,
        contender: oursName,
        stat: summarize(ours[key]),
        unit: 'ms',
        note: `${x(med(ours[key]), med(bare[key]))} ${baseline} (rounds: ${perRound(ours[key], bare[key])}); all rounds pooled: ${ms(pooled(ours))}, ${x(pooled(ours), pooled(bare))} ${baseline}`,
      },
      {
        item: `${item}: step ${label}`,
        contender: bareName,
        stat: summarize(bare[key]),
        unit: 'ms',
        note: `all rounds pooled: ${ms(pooled(bare))}`,
      },
    );
  }
  return rows;
}

/** Where OurClients connect, and the server processes (each with its browser) whose CPU they use. */
export interface ServerUnderLoad {
  connect(): Promise<ServerHandle>;
  pids(): number[];
}

const alone = (server: HttpServerProcess): ServerUnderLoad => ({ connect: () => server.connect(), pids: () => [server.child.pid!] });

/** Our server over Streamable HTTP: N real SDK clients, each with its own MCP session and browser session, one `computer` click per step. */
export class OurClients implements LoadDriver {
  clients: { handle: ServerHandle; session: string }[] = [];
  constructor(
    private readonly server: ServerUnderLoad,
    private readonly url: string,
    readonly name = 'cua-mcp (ours), HTTP',
  ) {}

  async connect(count: number): Promise<void> {
    this.clients = await fewAtATime(Array.from({ length: count }), async () => {
      const handle = await this.server.connect();
      const opened = await handle.ok('new_session', { start_url: this.url });
      return { handle, session: opened.structuredContent.session_id as string };
    });
  }

  async prepare(): Promise<void> {
    await fewAtATime(this.clients, (c) => c.handle.ok('navigate', { session_id: c.session, url: this.url }));
  }

  async step(client: number, clicks: number): Promise<Buffer> {
    const c = this.clients[client]!;
    const result = (await c.handle.client.callTool(
      { name: 'computer', arguments: { session_id: c.session, actions: [{ type: 'click', button: 'left', ...clickAt(clicks) }] } },
      undefined,
      { timeout: CALL_MS },
    )) as CallToolResult;
    if (result.isError) throw new Error(JSON.stringify(result.content).slice(0, 300));
    return imageOf(result);
  }

  cpu(): { browser: number; driver: number } {
    const trees = this.server.pids().map((pid) => treeCpu(pid));
    return { browser: trees.reduce((sum, t) => sum + t.descendantsMs, 0), driver: trees.reduce((sum, t) => sum + t.rootMs, 0) };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.handle.close()));
    this.clients = [];
  }
}

/** Bare Playwright in this process on the same Chromium with the same flags: N contexts, mouse.click + page.screenshot. */
class BareContexts implements LoadDriver {
  readonly name = 'bare Playwright, N contexts';
  private pages: Page[] = [];
  private constructor(
    readonly browser: Browser,
    readonly pid: number | undefined,
    private readonly url: string,
  ) {}

  static async start(url: string): Promise<BareContexts> {
    const before = new Set(childrenOf(process.pid));
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
    return new BareContexts(
      browser,
      childrenOf(process.pid).find((pid) => !before.has(pid)),
      url,
    );
  }

  async open(count: number): Promise<void> {
    for (const context of this.browser.contexts()) await context.close();
    this.pages = await fewAtATime(Array.from({ length: count }), async () =>
      (await this.browser.newContext({ viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1 })).newPage(),
    );
  }

  async prepare(): Promise<void> {
    await fewAtATime(this.pages, (page) => page.goto(this.url));
  }

  async step(client: number, clicks: number): Promise<Buffer> {
    const page = this.pages[client]!;
    const at = clickAt(clicks);
    await page.mouse.click(at.x, at.y);
    return page.screenshot();
  }

  cpu(): { browser: number } {
    if (!this.pid) return { browser: NaN };
    const { rootMs, descendantsMs } = treeCpu(this.pid);
    return { browser: rootMs + descendantsMs };
  }
}

function memoryNote(m: TreeMemory, sessions: number, bare: TreeMemory | undefined): string {
  const theirs = bare ? `; bare Playwright's Chromium ${(bare.pssMiB / sessions).toFixed(0)} MiB per context` : '';
  return `memory ${(m.pssMiB / sessions).toFixed(0)} MiB PSS per session (server tree ${m.pssMiB.toFixed(0)} MiB over ${m.processes} processes / ${sessions})${theirs}`;
}

/** The server with the bench's knobs: no session cap, recordings in the scratch folder, and a CPU profile when BENCH_PROFILE names a folder. */
export async function startServer(ctx: BenchContext, env: Record<string, string>, label: string): Promise<HttpServerProcess> {
  const profile = process.env.BENCH_PROFILE;
  const nodeArgs = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`]
    : [];
  if (profile) fs.mkdirSync(profile, { recursive: true });
  return startHttpServer(
    ['--executable-path', CHROMIUM, '--max-sessions', '0', '--output-dir', ctx.tmp],
    { CUA_LOG_LEVEL: 'info', ...env },
    nodeArgs,
  );
}

/** The load item: the parts LOAD_PARTS names (all by default). */
export async function benchLoad(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  if (PARTS.includes('clients')) rows.push(...(await oursBesideBare(ctx)));
  if (PARTS.includes('run-task')) rows.push(...(await runTaskBesideComputer(ctx)));
  if (PARTS.includes('replicas')) rows.push(...(await replicasBesideOne(ctx)));
  if (PARTS.includes('replicas-farm')) rows.push(...(await replicasBesideOne(ctx, true)));
  return rows;
}

/**
 * Item 9: N clients at once over Streamable HTTP, each its own MCP session
 * and browser session, click + screenshot; beside bare Playwright driving N
 * contexts in this process. Rounds alternate which goes first.
 */
async function oursBesideBare(ctx: BenchContext): Promise<Row[]> {
  const url = ctx.pages.url('/load');
  const rows: Row[] = [];
  const server = await startServer(ctx, {}, 'load');
  const bare = await BareContexts.start(url);
  try {
    for (const n of CLIENTS) {
      const item = `9. load, ${n} clients × ${STEPS} clicks`;
      process.stderr.write(`bench: load with ${n} clients...\n`);
      const ours = new OurClients(alone(server), url);
      await ours.connect(n);
      await bare.open(n);
      const results = { ours: emptyOutcome(), bare: emptyOutcome() };
      let memory = '';
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const order = round % 2 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const);
          for (const who of order) addPhase(results[who], await runPhase(who === 'ours' ? ours : bare, n, STEPS));
          if (round === 0) memory = memoryNote(treeMemory(server.child.pid!), n, bare.pid ? treeMemory(bare.pid) : undefined);
        }
      } finally {
        await ours.close();
      }
      rows.push(...loadRows(item, results.ours, results.bare, ours.name, bare.name, memory));
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server stderr ---\n${server.stderr().slice(-3000)}`, { cause: error });
  } finally {
    await bare.browser.close();
    await server.stop();
  }
  return rows;
}

/**
 * Item 12: N clients through HAProxy to two replicas (each its own Node and
 * Chromium, sessions spread by least load, every call routed by its handle)
 * beside the same clients on one replica alone; rounds rotate which goes
 * first. On one machine both replicas share its cores: this measures what
 * the routing and a second process cost or gain here, not a second
 * machine's capacity. HAProxy's own CPU is not counted.
 *
 * With `farm` (LOAD_PARTS=replicas-farm), a third contender in the same
 * rounds: two more replicas whose --browser-endpoint is a second HAProxy
 * (TCP, deploy/haproxy/browsers.cfg) in front of two `playwright run-server`
 * hosts, a browser per session. Its CPU counts the replicas' Node and the
 * hosts' trees (run-server and the browsers it launched).
 */
async function replicasBesideOne(ctx: BenchContext, farm = false): Promise<Row[]> {
  const url = ctx.pages.url('/load');
  const rows: Row[] = [];
  const replicaArgs = ['--executable-path', CHROMIUM, '--max-sessions', '0'];
  const one = await startServer(ctx, {}, 'replica-alone');
  const set = await startReplicaSet(['r1', 'r2'], () => replicaArgs, { CUA_LOG_LEVEL: 'info' });
  const hosts: BrowserHost[] = farm ? [await BrowserHost.start(), await BrowserHost.start()] : [];
  const balancer = farm ? await FarmBalancer.start(hosts as [BrowserHost, BrowserHost]) : undefined;
  const farmed = balancer
    ? await startReplicaSet(['f1', 'f2'], () => [...replicaArgs, '--browser-endpoint', balancer.endpoint], { CUA_LOG_LEVEL: 'info' })
    : undefined;
  const sets = farmed ? [set, farmed] : [set];
  const logs = () => sets.flatMap((s) => [...s.replicas.values()].map((r) => r.stderr().slice(-1500))).join('\n');
  const through = (s: ReplicaSet): ServerUnderLoad => ({
    connect: () => connectHttp(s.url, logs),
    pids: () => [...s.replicas.values()].map((r) => r.child.pid!),
  });
  try {
    for (const n of REPLICA_CLIENTS) {
      process.stderr.write(
        `bench: ${n} clients on two replicas behind HAProxy${farmed ? ', on two replicas on a browser farm' : ''}, and on one alone...\n`,
      );
      const single = new OurClients(alone(one), url, 'one replica alone');
      const pair = new OurClients(through(set), url, 'two replicas behind HAProxy');
      // The farm's browsers are the hosts' descendants, not the replicas': count both.
      const onFarm =
        farmed &&
        new OurClients(
          { ...through(farmed), pids: () => [...through(farmed).pids(), ...hosts.map((h) => h.process.pid!)] },
          url,
          'two replicas on a browser farm (HAProxy ×2, run-server ×2)',
        );
      const contenders = onFarm ? [pair, single, onFarm] : [pair, single];
      for (const c of contenders) await c.connect(n);
      const outcomes = new Map(contenders.map((c) => [c, emptyOutcome()]));
      const spread = `sessions per replica: ${perReplica(pair.clients.map((c) => c.session))}`;
      const farmSpread =
        onFarm &&
        `sessions per replica: ${perReplica(onFarm.clients.map((c) => c.session))}; per browser host: ${hosts.map((h) => h.browsers().length).join(' / ')}`;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
          for (const c of order) addPhase(outcomes.get(c)!, await runPhase(c, n, STEPS));
        }
      } finally {
        await Promise.all(contenders.map((c) => c.close()));
      }
      const item = `12. replicas, ${n} clients × ${STEPS} clicks`;
      rows.push(...loadRows(item, outcomes.get(pair)!, outcomes.get(single)!, pair.name, single.name, spread, 'one replica'));
      if (onFarm)
        rows.push(
          ...loadRows(
            `${item}, browser farm`,
            outcomes.get(onFarm)!,
            outcomes.get(pair)!,
            onFarm.name,
            pair.name,
            farmSpread as string,
            'local browsers',
          ),
        );
    }
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n--- replicas' stderr ---\n${logs()}\n--- HAProxy ---\n${sets.map((s) => s.haproxyLog().slice(-3000)).join('\n')}`,
      { cause: error },
    );
  } finally {
    for (const s of sets) await s.stop();
    await balancer?.stop();
    for (const host of hosts) await host.kill();
    await one.stop();
  }
  return rows;
}

/** "r1 8, r2 8": how many of the handles each replica minted. */
function perReplica(handles: string[]): string {
  const counts = new Map<string, number>();
  for (const name of handles.map((h) => h.split('.')[0]!)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .sort()
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
}

/** Whether each run_task screenshot shows the clicks so far (the n-th request carries the screen after n clicks); counts the ones that do not. */
function lostInRuns(turns: readonly Turn[]): number {
  return turns.filter((t) => t.screenshot && clicksShown(t.screenshot) !== t.step % 4).length;
}

/** Runs run_task in every client's session at once (from `url`, when given, loaded afresh); resolves with the statuses that were not `completed`. */
async function runTasks(clients: OurClients['clients'], url: string | undefined, steps: number): Promise<string[]> {
  const statuses = await Promise.all(
    clients.map(async (c) => {
      try {
        const result = (await c.handle.client.callTool(
          {
            name: 'run_task',
            arguments: {
              task: 'Click around the page',
              session_id: c.session,
              ...(url ? { start_url: url } : {}),
              max_steps: steps + 2,
              wait_seconds: CALL_MS / 1000 - 10,
            },
          },
          undefined,
          { timeout: CALL_MS },
        )) as CallToolResult;
        const status = (result.structuredContent as { status?: string } | undefined)?.status;
        return result.isError
          ? `error: ${JSON.stringify(result.content).slice(0, 200)}`
          : status === 'completed'
            ? undefined
            : `status ${status}`;
      } catch (error) {
        return `error: ${(error as Error).message.split('\n')[0]}`;
      }
    }),
  );
  return statuses.filter((s): s is string => s !== undefined);
}

/**
 * Item 10: the same clicks through `run_task` against a fake model that
 * answers at once, beside the same clients calling `computer`, rounds
 * alternating, recording on (the default). A run_task step is one model
 * answer to the next; a computer step is one call, as the client sees it.
 */
async function runTaskBesideComputer(ctx: BenchContext): Promise<Row[]> {
  const url = ctx.pages.url('/load');
  const fake = await new FakeModel({ steps: STEPS, keepScreenshots: true }).start();
  const server = await startServer(ctx, fake.env, 'run-task');
  const rows: Row[] = [];
  try {
    for (const n of RUN_CLIENTS) {
      process.stderr.write(`bench: run_task beside computer with ${n} clients...\n`);
      const clients = new OurClients(alone(server), url);
      await clients.connect(n);
      const computer = emptyOutcome();
      const runSteps: number[] = [];
      const harness: number[] = [];
      const failures: string[] = [];
      let lost = 0;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const computerFirst = round % 2 === 0;
          if (computerFirst) addPhase(computer, await runPhase(clients, n, STEPS));
          fake.turns.length = 0;
          failures.push(...(await runTasks(clients.clients, url, STEPS)));
          const times = stepTimes(fake.turns);
          runSteps.push(...times.steps);
          harness.push(...times.harness);
          lost += lostInRuns(fake.turns);
          if (!computerFirst) addPhase(computer, await runPhase(clients, n, STEPS));
        }
      } finally {
        await clients.close();
      }
      const item = `10. run_task beside computer, ${n} client${n > 1 ? 's' : ''} × ${STEPS} clicks`;
      const step = summarize(runSteps);
      const direct = summarize(computer.pooled);
      rows.push(
        {
          item,
          contender: 'cua-mcp (ours) run_task, recording on',
          stat: step,
          unit: 'ms/step',
          note: `${(step.median - direct.median).toFixed(1)} ms more than a computer step (target ≤ 25); model answer → next request ${summarize(harness).median.toFixed(1)} ms; p95 ${ms(percentile(runSteps, 0.95))}; ${failures.length ? `${failures.length} runs not completed (${failures[0]})` : `${n * ROUNDS} runs completed`}, ${lost} clicks lost of ${runSteps.length}`,
        },
        {
          item,
          contender: 'cua-mcp (ours) computer',
          stat: direct,
          unit: 'ms/step',
          note: `p95 ${ms(percentile(computer.pooled, 0.95))}; ${checks(computer)}`,
        },
      );
    }
  } finally {
    await server.stop();
    await fake.stop();
  }
  return rows;
}

/**
 * Item 11: DENSITY_SESSIONS clients at once, each running run_task in its
 * own session against a fake model that takes 2 s per turn, as a real one
 * does. The action time is the harness's part of a step (model answer →
 * next request); memory is sampled while the runs work.
 */
export async function benchDensity(ctx: BenchContext): Promise<Row[]> {
  const n = DENSITY_SESSIONS;
  const url = ctx.pages.url('/load');
  const fake = await new FakeModel({ steps: DENSITY_STEPS, turnMs: MODEL_TURN_MS, keepScreenshots: true }).start();
  const server = await startServer(ctx, fake.env, 'density');
  const clients = new OurClients(alone(server), url);
  const samples: TreeMemory[] = [];
  try {
    await clients.connect(n);
    const sampler = setInterval(() => samples.push(treeMemory(server.child.pid!)), 2_000);
    const started = performance.now();
    // The sessions show the page unclicked: loading it again in all of them at once would only measure that burst.
    const failures = await runTasks(clients.clients, undefined, DENSITY_STEPS).finally(() => clearInterval(sampler));
    const wall = performance.now() - started;
    const { harness } = stepTimes(fake.turns);
    const lost = lostInRuns(fake.turns);
    const peak = samples.reduce((a, b) => (b.pssMiB > a.pssMiB ? b : a), treeMemory(server.child.pid!));
    const item = `11. density, ${n} sessions running run_task, ${MODEL_TURN_MS / 1000} s model turn`;
    return [
      {
        item: `${item}: action time`,
        contender: 'cua-mcp (ours)',
        stat: summarize(harness),
        unit: 'ms',
        note: `model answer → next request (click, settle, screenshot, request); p95 ${ms(percentile(harness, 0.95))}, p99 ${ms(percentile(harness, 0.99))}; ${failures.length ? `${failures.length} runs not completed (${failures[0]})` : `${n} runs completed, 0 errors`}; ${lost} clicks lost of ${harness.length}; ${((harness.length * 1000) / wall).toFixed(1)} steps/s`,
      },
      {
        item: `${item}: memory per session`,
        contender: 'cua-mcp (ours)',
        stat: summarize(samples.map((m) => m.pssMiB / n)),
        unit: 'MiB PSS',
        note: `server tree (Node and every Chromium process) / ${n}, sampled every 2 s while the runs worked; peak ${peak.pssMiB.toFixed(0)} MiB over ${peak.processes} processes (target ≤ 60 MiB per session)`,
      },
    ];
  } finally {
    await clients.close().catch(() => {});
    await server.stop();
    await fake.stop();
  }
}
