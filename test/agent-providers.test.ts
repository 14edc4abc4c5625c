import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentFixture, BUTTON, click, DISPLAY } from './helpers/agent-fixture.js';
import { FakeResponses, type FakeOptions } from './helpers/fake-responses.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// Azure OpenAI (key and keyless) and the no-model case: one server process per test, as each needs its own environment; they start side by side.
const fixture = await agentFixture();
const fakes: FakeResponses[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-providers-'));

async function fakeFor(options: Omit<FakeOptions, 'display' | 'path'>): Promise<FakeResponses> {
  const fake = await new FakeResponses({ ...options, display: DISPLAY, path: '/openai/v1/responses' }).start();
  fakes.push(fake);
  return fake;
}

const keyed = await fakeFor({
  generation: 'preview',
  model: 'my-cua-deployment',
  query: { 'api-version': 'preview' },
  auth: ['api-key', 'azure-key'],
  forbiddenHeader: 'authorization',
  imageType: 'jpeg',
});
const keyless = await fakeFor({
  generation: 'ga',
  model: 'gpt-5.4',
  auth: ['authorization', 'Bearer fake-entra-token'],
  forbiddenHeader: 'api-key',
});
const bin = path.join(tmp, 'bin');
const argsFile = path.join(tmp, 'az-args');
fs.mkdirSync(bin, { recursive: true });
// A fake Azure CLI: prints what `az account get-access-token --output json` prints.
fs.writeFileSync(
  path.join(bin, 'az'),
  `#!/bin/sh\necho "$@" >> '${argsFile}'\necho '{"accessToken":"fake-entra-token","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"sub","tenant":"tenant","tokenType":"Bearer"}'\n`,
  { mode: 0o755 },
);

let withKey: ServerHandle;
let withoutKey: ServerHandle;
let withoutModel: ServerHandle;

before(async () => {
  [withKey, withoutKey, withoutModel] = await Promise.all([
    startServer(['--model', 'my-cua-deployment', '--tool-generation', 'preview', '--image-format', 'jpeg'], {
      AZURE_OPENAI_ENDPOINT: `${keyed.origin}/`,
      AZURE_OPENAI_API_KEY: 'azure-key',
      AZURE_OPENAI_API_VERSION: 'preview',
      OPENAI_API_KEY: 'sk-must-not-be-used',
    }),
    startServer(['--model', 'gpt-5.4'], {
      AZURE_OPENAI_ENDPOINT: keyless.origin,
      AZURE_OPENAI_API_KEY: '',
      AZURE_OPENAI_API_VERSION: '',
      OPENAI_API_KEY: '',
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    }),
    startServer([], { AZURE_OPENAI_ENDPOINT: '', AZURE_OPENAI_API_KEY: '', OPENAI_API_KEY: '' }),
  ]);
});

after(async () => {
  await Promise.all([withKey, withoutKey, withoutModel].map((s) => s?.close()));
  await Promise.all(fakes.map((f) => f.stop()));
  await fixture.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** One click, then done: enough to see the request shape end to end. */
async function clickOnce(fake: FakeResponses, server: ServerHandle): Promise<void> {
  const before = fixture.clicks();
  fake.script([{ output: [fake.call([click(BUTTON)])] }, { output: [fake.message('clicked')] }]);
  const result = await server.ok('run_task', { task: 'press Send', start_url: fixture.url('/') });
  assert.deepEqual(fake.violations, []);
  assert.equal(result.structuredContent.status, 'completed');
  assert.equal(fixture.clicks(), before + 1);
}

test('Azure OpenAI with a key: /openai/v1/responses, api-version query, api-key header, deployment as model (JPEG screenshots)', () =>
  clickOnce(keyed, withKey));

test('Azure OpenAI keyless: a bearer token from DefaultAzureCredential (Azure CLI) for the Cognitive Services scope', async () => {
  await clickOnce(keyless, withoutKey);
  const azArgs = fs.readFileSync(argsFile, 'utf8');
  assert.match(azArgs, /account get-access-token/);
  assert.match(azArgs, /--resource https:\/\/cognitiveservices\.azure\.com/);
});

test('without a model, run_task and step say which variables to set, and the browser tools still work', async () => {
  const run = await withoutModel.call('run_task', { task: 'anything', start_url: fixture.url('/') });
  assert.ok(run.isError);
  const text = textOf(run);
  for (const name of [
    'AZURE_OPENAI_ENDPOINT',
    'AZURE_OPENAI_API_KEY',
    'AZURE_OPENAI_API_VERSION',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'CUA_MODEL',
  ])
    assert.ok(text.includes(name), `${name} in: ${text}`);
  const listed = await withoutModel.ok('list_sessions');
  assert.deepEqual(listed.structuredContent.sessions, [], 'no session is opened for a run that cannot start');
  const shot = await withoutModel.ok('navigate', { url: fixture.url('/') });
  const step = await withoutModel.call('step', { session_id: shot.structuredContent.session_id });
  assert.ok(step.isError);
  assert.match(textOf(step), /No computer-use model is configured/);
  const clicked = await withoutModel.ok('computer', { actions: [click(BUTTON)] });
  assert.equal(clicked.structuredContent.url, fixture.url('/'));
});
