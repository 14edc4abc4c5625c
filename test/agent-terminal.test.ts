import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { agentFixture, previewFake, BUTTON, click } from './helpers/agent-fixture.js';
import { recordedSteps } from './helpers/recorded-steps.js';
import { CLI } from './helpers/mcp.js';

// `cua-mcp run` in a terminal, with history=local (store:false, items resent with encrypted reasoning).
const fixture = await agentFixture();
const fake = await previewFake('sk-term', { history: 'local' });
const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-run-'));

after(async () => {
  await fake.stop();
  await fixture.stop();
  fs.rmSync(outputDir, { recursive: true, force: true });
});

/** Spawns the built CLI's `run` command; the test answers its prompts on stdin. */
function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [CLI, 'run', ...args, '--headless', '--history', 'local', '--output-dir', outputDir, '--start-url', fixture.url('/')],
    {
      env: { ...process.env, OPENAI_API_KEY: 'sk-term', OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exit,
    stdin: child.stdin,
    stdout: () => stdout,
    stderr: () => stderr,
    async answer(prompt: string, line: string): Promise<void> {
      while (!stdout.includes(prompt)) {
        const more = new Promise<void>((resolve) => waiters.push(resolve));
        const ended = await Promise.race([more.then(() => false), exit.then(() => true)]);
        if (ended) throw new Error(`cua-mcp run exited before asking ${JSON.stringify(prompt)}:\n${stdout}\n${stderr}`);
      }
      child.stdin.write(`${line}\n`);
    },
  };
}

function runDirectory(before: string[]): string {
  const runs = fs.readdirSync(path.join(outputDir, 'runs')).filter((d) => !before.includes(d));
  assert.equal(runs.length, 1);
  return path.join(outputDir, 'runs', runs[0]!);
}

const listRuns = () => (fs.existsSync(path.join(outputDir, 'runs')) ? fs.readdirSync(path.join(outputDir, 'runs')) : []);
const flagged = [{ id: 'sc_t', code: 'irrelevant_domain', message: 'This domain is not part of the task.' }];

test('asks for the task, asks y/n before the flagged action, runs it on y, and records every step', async () => {
  const before = listRuns();
  const clicks = fixture.clicks();
  fake.script([
    { output: [fake.reasoning('Send is the button on the left.'), fake.call([click(BUTTON)], flagged)] },
    { output: [fake.message('Sent.')] },
  ]);
  const cli = runCli([]);
  await cli.answer('Task: ', 'press Send');
  await cli.answer('Run this action? [y/N] ', 'y');
  assert.equal(await cli.exit, 0, cli.stderr());
  assert.deepEqual(fake.violations, []);
  assert.equal(fixture.clicks(), clicks + 1);
  const out = cli.stdout();
  assert.match(out, /^Task: press Send\n/m, 'the typed task completes the prompt line');
  assert.doesNotMatch(out, /Task: Task:/);
  assert.match(out, /thinking: Send is the button on the left/);
  assert.match(out, /Safety check before: click 200,140\n {2}irrelevant_domain: This domain is not part of the task/);
  assert.match(out, /> click 200,140/);
  assert.match(out, /completed after 2 step\(s\)\nSent\./);
  const dir = runDirectory(before);
  assert.ok(out.includes(`Recording to ${dir}`), out);
  assert.ok(out.includes(`Report: ${path.join(dir, 'report.html')}`), out);
  assert.ok(fs.existsSync(path.join(dir, 'step-000.png')), 'first screenshot saved');
  assert.ok(fs.existsSync(path.join(dir, 'step-001.png')), 'screenshot after the click saved');
  const steps = recordedSteps(dir);
  assert.deepEqual(
    steps.map((s) => s.step),
    [1, 2],
  );
  assert.deepEqual(steps[0]!.safety_decision!.decision, 'approve');
  assert.deepEqual(steps[0]!.safety_decision!.by, 'terminal');
  assert.deepEqual(steps[0]!.reasoning, ['Send is the button on the left.']);
  assert.equal(steps[1]!.message, 'Sent.');
  assert.match(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), /Approved by a person at the terminal/);
  // history=local: the second request resends the first turn's items, encrypted reasoning included.
  assert.equal(fake.received[1]!.body.store, false);
});

test('answering n drops the flagged action and never runs it', async () => {
  const before = listRuns();
  const clicks = fixture.clicks();
  fake.script([{ output: [fake.call([click(BUTTON)], flagged)] }]);
  const cli = runCli(['press', 'Send']);
  await cli.answer('Run this action? [y/N] ', 'n');
  assert.equal(await cli.exit, 3, cli.stderr());
  assert.equal(fixture.clicks(), clicks);
  assert.equal(fake.received.length, 1);
  assert.deepEqual(fake.violations, []);
  assert.match(cli.stdout(), /Task: press Send/);
  assert.match(cli.stdout(), /Denied: the action is dropped\.\n\ndenied after 1 step\(s\)/);
  const steps = fs.readFileSync(path.join(runDirectory(before), 'steps.jsonl'), 'utf8');
  assert.match(steps, /"safety_decision":\{"decision":"deny","by":"terminal"/);
  assert.match(steps, /"ran":false/, 'the denied click is recorded as not run');
});

test('--auto-acknowledge-safety-checks (throw-away sandboxes) runs flagged actions without asking, and says so', async () => {
  const before = listRuns();
  const clicks = fixture.clicks();
  fake.script([{ output: [fake.call([click(BUTTON)], flagged)] }, { output: [fake.message('Sent.')] }]);
  const cli = runCli(['press Send', '--auto-acknowledge-safety-checks']);
  assert.equal(await cli.exit, 0, cli.stderr());
  assert.deepEqual(fake.violations, []);
  assert.equal(fixture.clicks(), clicks + 1);
  assert.doesNotMatch(cli.stdout(), /Run this action\?/);
  assert.match(cli.stderr(), /auto-acknowledging irrelevant_domain/);
  assert.match(
    fs.readFileSync(path.join(runDirectory(before), 'steps.jsonl'), 'utf8'),
    /"safety_decision":\{"decision":"approve","by":"auto"/,
  );
});

test('an endpoint that refuses connections: each retry is shown on stderr, and the error is printed once', async () => {
  // A port nothing listens on any more: connections are refused at once.
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const endpoint = `http://127.0.0.1:${port}/v1`;

  const child = spawn(
    process.execPath,
    [CLI, 'run', 'press Send', '--headless', '--model-retries', '2', '--output-dir', outputDir, '--start-url', fixture.url('/')],
    {
      env: { ...process.env, OPENAI_API_KEY: 'sk-term', OPENAI_BASE_URL: endpoint, AZURE_OPENAI_ENDPOINT: '', CUA_LOG_LEVEL: '' },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 1, output);

  const retries = [
    ...output.matchAll(new RegExp(`warn: model request to ${endpoint}: connection failed - retrying, (\\d) attempts? remaining`, 'g')),
  ];
  assert.deepEqual(
    retries.map((m) => m[1]),
    ['2', '1'],
    output,
  );
  const failures = [...output.matchAll(/Could not reach the OpenAI endpoint/g)];
  assert.equal(failures.length, 1, `the error once:\n${output}`);
  assert.ok(output.indexOf(retries[1]![0]) < failures[0]!.index, 'the retries come before the error');
  assert.match(output, /failed after 0 step\(s\)/);
});

test('a failed run prints its error itself, whatever the log level: what failed, which endpoint, what to check', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const cli = runCli(['press Send', '--model-retries', '0', '--log-level', 'error'], { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
  assert.equal(await cli.exit, 1, cli.stderr());
  assert.doesNotMatch(cli.stdout(), /the error is above/);
  assert.match(
    cli.stdout(),
    new RegExp(
      `failed after 0 step\\(s\\): Could not reach the OpenAI endpoint http://127\\.0\\.0\\.1:${port}/v1.*Check the endpoint URL and the network`,
    ),
  );
});

test('stdin that is not a terminal and has ended: the safety check is denied, saying nobody could be asked', async () => {
  const before = listRuns();
  const clicks = fixture.clicks();
  fake.script([{ output: [fake.call([click(BUTTON)], flagged)] }]);
  // echo "press Send" | cua-mcp run
  const cli = runCli([]);
  cli.stdin.end('press Send\n');
  assert.equal(await cli.exit, 3, cli.stderr());
  assert.equal(fixture.clicks(), clicks, 'the flagged click did not run');
  const out = cli.stdout();
  assert.match(out, /^Task: press Send\n/m);
  assert.doesNotMatch(out, /Task: Task:|Run this action\?/);
  assert.match(out, /No terminal to ask \(stdin is not a terminal and has ended\): denied, the action is dropped\./);
  assert.match(out, /denied after 1 step\(s\)\nNobody could be asked: stdin is not a terminal and had ended/);
  assert.doesNotMatch(out, /person denied/i);
  const dir = runDirectory(before);
  assert.match(fs.readFileSync(path.join(dir, 'steps.jsonl'), 'utf8'), /"safety_decision":\{"decision":"deny","by":"no-terminal"/);
  assert.match(
    fs.readFileSync(path.join(dir, 'report.html'), 'utf8'),
    /Denied by nobody: stdin was not a terminal and had ended, so no one could be asked/,
  );
});

test('keyless Azure OpenAI without az login: one paragraph saying what to do, before any browser or recording', async () => {
  const before = listRuns();
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-az-'));
  try {
    // The Azure CLI of someone who never ran az login.
    fs.writeFileSync(path.join(bin, 'az'), `#!/bin/sh\necho "ERROR: Please run 'az login' to setup account." >&2\nexit 1\n`, {
      mode: 0o755,
    });
    const cli = runCli(['press Send'], {
      AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9',
      AZURE_OPENAI_API_KEY: '',
      OPENAI_API_KEY: '',
      AZURE_TOKEN_CREDENTIALS: '',
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    });
    assert.equal(await cli.exit, 2, cli.stderr());
    const stderr = cli.stderr();
    const paragraph = stderr.split('\n').find((line) => line.startsWith('Keyless sign-in to Azure OpenAI failed'));
    assert.ok(paragraph, stderr);
    assert.match(paragraph, /Sign in with az login .* or set AZURE_OPENAI_API_KEY/);
    assert.match(paragraph, /Azure CLI/);
    assert.doesNotMatch(stderr, /CredentialUnavailableError|ChainedTokenCredential/);
    assert.ok(paragraph.length < 600, `one short paragraph, not the chain: ${paragraph.length} characters`);
    assert.doesNotMatch(stderr + cli.stdout(), /browser: |Recording to/, 'no browser opened, no run recorded');
    assert.deepEqual(listRuns(), before);
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
});
