import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { anthropicSdk } from '../../src/providers/anthropic/sdk.js';
import { createProvider, ModelNotConfiguredError } from '../../src/providers/index.js';
import { openaiSdk } from '../../src/providers/openai/sdk.js';

// The registry picks a provider from the options and the environment, and each provider explains
// its SDK's failures in one shape: the endpoint tried, its words, and what to check.
const options = (argv: string[] = []) => resolveConfig(parseOptions(argv, {}).raw, {}).agent;

test('auto takes the first configured provider in the documented order; --provider names one; nothing set says what to set', () => {
  const both = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' };
  assert.equal(createProvider(options(), both).kind, 'openai');
  assert.equal(
    createProvider(options(), { ...both, AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com', AZURE_OPENAI_API_KEY: 'k' }).kind,
    'azure',
  );
  assert.equal(createProvider(options(['--provider', 'anthropic']), both).model, 'claude-sonnet-4-6');
  assert.equal(createProvider(options(['--openai-compatible-base-url', 'http://127.0.0.1:8000/v1']), {}).kind, 'openai-compatible');
  assert.throws(
    () => createProvider(options(['--provider', 'gemini']), both),
    (e: Error) =>
      e instanceof ModelNotConfiguredError &&
      /--provider gemini is selected but its variables are missing\.\nGemini: set GEMINI_API_KEY/.test(e.message),
  );
  assert.throws(
    () => createProvider(options(), {}),
    (e: Error) => e instanceof ModelNotConfiguredError && /^No computer-use model is configured/.test(e.message),
  );
});

test("OpenAI: a status names the endpoint, the endpoint's words and what to check; unreachable says so; an abort passes through", async () => {
  // The SDK is loaded by a provider's first request, as before any of its errors can reach explain.
  await openaiSdk();
  const provider = createProvider(options(['--model', 'gpt-5.4']), {
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: 'https://user:secret@proxy.example/v1',
  });
  const notFound = provider.explain(
    APIError.generate(
      404,
      { error: { message: 'The model `gpt-5.4` does not exist.', type: 'invalid_request_error' } },
      undefined,
      new Headers(),
    ),
  );
  assert.equal(
    notFound.message,
    'The OpenAI endpoint https://***@proxy.example/v1, model "gpt-5.4" answered 404: The model `gpt-5.4` does not exist.\n' +
      'Model "gpt-5.4" was not found: set CUA_MODEL (--model) to a computer-use model your account can use, e.g. computer-use-preview or gpt-5.4.',
  );
  const refused = provider.explain(
    new APIConnectionError({ message: 'Connection error.', cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
  );
  assert.match(
    refused.message,
    /^Could not reach the OpenAI endpoint .*: Connection error\. \(connect ECONNREFUSED 127\.0\.0\.1:9\)\. Check the endpoint URL and the network\.$/,
  );
  const abort = new APIUserAbortError();
  assert.equal(provider.explain(abort), abort);
});

test('Azure OpenAI: 403 names the role to grant; the deployment is named in every message', () => {
  const provider = createProvider(options(['--model', 'cua']), {
    AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/',
    AZURE_OPENAI_API_KEY: 'k',
  });
  const forbidden = provider.explain(
    APIError.generate(403, { error: { code: 'PermissionDenied', message: 'Principal does not have access.' } }, undefined, new Headers()),
  );
  assert.match(
    forbidden.message,
    /^The Azure OpenAI endpoint https:\/\/res\.openai\.azure\.com\/openai\/v1\/, deployment "cua", key from AZURE_OPENAI_API_KEY answered 403: Principal does not have access\.\n/,
  );
  assert.match(forbidden.message, /"Cognitive Services OpenAI User" role/);
});

test("Anthropic: the whole error body is read for its message; the SDK's connection error is unreachable", async () => {
  await anthropicSdk();
  const provider = createProvider(options(['--provider', 'anthropic']), { ANTHROPIC_API_KEY: 'sk-ant-test' });
  const rejected = provider.explain(
    Anthropic.APIError.generate(
      401,
      { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
      undefined,
      new Headers(),
    ),
  );
  assert.equal(
    rejected.message,
    'The Anthropic endpoint https://api.anthropic.com, model "claude-sonnet-4-6" answered 401: invalid x-api-key\nCheck ANTHROPIC_API_KEY: the key was rejected.',
  );
  assert.match(
    provider.explain(new Anthropic.APIConnectionError({ message: 'Connection error.' })).message,
    /^Could not reach the Anthropic endpoint/,
  );
  const abort = new Anthropic.APIUserAbortError();
  assert.equal(provider.explain(abort), abort);
});

test("Gemini: the body's JSON in the message is read; fetch's failure is unreachable", () => {
  const provider = createProvider(options(), { GEMINI_API_KEY: 'g-test' });
  const body = { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } };
  const invalid = provider.explain(new ApiError({ message: JSON.stringify(body), status: 400 }));
  assert.equal(
    invalid.message,
    'The Gemini endpoint https://generativelanguage.googleapis.com, model "gemini-2.5-computer-use-preview-10-2025" answered 400: API key not valid. Please pass a valid API key.\n' +
      'Check GEMINI_API_KEY: the Gemini API rejects a key it does not know with 400 or 401.',
  );
  assert.match(
    provider.explain(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') })).message,
    /^Could not reach the Gemini endpoint .*: fetch failed \(getaddrinfo ENOTFOUND\)\./,
  );
  assert.match(provider.explain(new Error('socket hang up')).message, /^Model request to the Gemini endpoint .* failed: socket hang up$/);
});
