import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { retentionFor, screenshotsToDrop } from '../../src/providers/screenshot-retention.js';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';

// The options of issue 22 as an operator writes them, and the errors for what cannot be used.
const config = (argv: string[]) => resolveConfig(parseOptions(argv, {}).raw, {});

test('--model-prices: per million tokens; cache prices default to the input price; no prices, no cost', () => {
  assert.equal(config([]).agent.modelPrices, undefined);
  assert.deepEqual(config(['--model-prices', 'input=3, output=15, cached=0.3, cache_write=3.75']).agent.modelPrices, {
    input: 3,
    output: 15,
    cached_input: 0.3,
    cache_write: 3.75,
  });
  assert.deepEqual(config(['--model-prices', 'input=2,output=8']).agent.modelPrices, {
    input: 2,
    output: 8,
    cached_input: 2,
    cache_write: 2,
  });
  assert.throws(
    () => config(['--model-prices', 'output=15']),
    (e: Error) =>
      e instanceof ConfigError && /--model-prices \(CUA_MODEL_PRICES\): needs at least input=PRICE and output=PRICE/.test(e.message),
  );
  assert.throws(() => config(['--model-prices', 'input=3,output=15,images=2']), /"images=2" is not KIND=PRICE/);
  assert.throws(() => config(['--model-prices', 'input=cheap,output=15']), /"input=cheap" is not KIND=PRICE/);
});

test('--keep-screenshots: N or N+K, auto leaves each provider its default', () => {
  assert.equal(config([]).agent.keepScreenshots, undefined);
  assert.deepEqual(config(['--keep-screenshots', '5']).agent.keepScreenshots, { keep: 5 });
  assert.deepEqual(config(['--keep-screenshots', '2+6']).agent.keepScreenshots, { keep: 2, batch: 6 });
  assert.throws(() => config(['--keep-screenshots', '0']), /--keep-screenshots \(CUA_KEEP_SCREENSHOTS\): must be N or N\+K/);
  assert.throws(() => config(['--keep-screenshots', 'all']), /must be N or N\+K .*got "all", or auto/);
});

test('screenshots are dropped in whole batches beyond the newest N', () => {
  const retention = { keep: 3, batch: 10 };
  const dropped = Array.from({ length: 30 }, (_, total) => screenshotsToDrop(total, retention));
  assert.deepEqual(dropped.slice(0, 13), Array(13).fill(0), 'up to 12 screenshots, none dropped');
  assert.deepEqual(dropped.slice(13, 23), Array(10).fill(10), 'then 10 at once, for the next 10 turns');
  assert.equal(dropped[23], 20);
  assert.deepEqual(retentionFor({ keep: 5 }, retention), { keep: 5, batch: 10 });
});

test('--storage-state: a storage-state file, checked at start; not with --user-data-dir', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-state-'));
  try {
    const good = path.join(dir, 'state.json');
    fs.writeFileSync(good, JSON.stringify({ cookies: [], origins: [] }));
    assert.equal(config(['--storage-state', good]).storageState, good);
    const notJson = path.join(dir, 'notes.txt');
    fs.writeFileSync(notJson, 'cookies!');
    assert.throws(() => config(['--storage-state', notJson]), /--storage-state \(CUA_STORAGE_STATE\): cannot read .*notes\.txt as JSON/);
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, '{"cookies": {}}');
    assert.throws(() => config(['--storage-state', other]), /is not a storage state/);
    assert.throws(() => config(['--storage-state', path.join(dir, 'missing.json')]), /cannot read .*missing\.json/);
    assert.throws(() => config(['--storage-state', good, '--user-data-dir', dir]), /Pass one of them/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--approval and --confirm-domains: the policies an operator can name, and what is refused', () => {
  assert.deepEqual(config([]).agent.approval, { mode: 'safety-checks' });
  assert.deepEqual(config(['--approval', 'always']).agent.approval, { mode: 'always' });
  assert.deepEqual(config(['--approval', 'sandbox:ci-vm-42']).agent.approval, { mode: 'sandbox', sandbox: 'ci-vm-42' });
  assert.throws(() => config(['--approval', 'sandbox']), /--approval \(CUA_APPROVAL\) must be safety-checks, always, or sandbox:NAME/);
  assert.throws(() => config(['--approval', 'never']), /must be safety-checks, always, or sandbox:NAME/);
  const domains = config(['--confirm-domains', 'pay.example.com,*.bank.example']).agent.confirmDomains;
  assert.equal(domains.match('https://pay.example.com/checkout'), 'pay.example.com');
  assert.equal(domains.match('https://login.bank.example/'), '*.bank.example');
  assert.equal(domains.match('https://example.com/'), undefined);
  assert.equal(domains.match('about:blank'), undefined);
  assert.throws(
    () => config(['--confirm-domains', 'https://bank.example/login']),
    /--confirm-domains \(CUA_CONFIRM_DOMAINS\): .*give the host alone/,
  );
});
