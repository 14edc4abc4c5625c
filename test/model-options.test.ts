import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseOptions, resolveConfig } from '../src/config.js';

// The options of issue 22 as an operator writes them, and the errors for what cannot be used.
const config = (argv: string[]) => resolveConfig(parseOptions(argv, {}).raw, {});

test('--model-prices: per million tokens; cache prices default to the input price; no prices, no cost', () => {
  assert.equal(config([]).agent.modelPrices, undefined);
  assert.deepEqual(config(['--model-prices', 'input=3, output=15, cached=0.3, cache_write=3.75']).agent.modelPrices, { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 });
  assert.deepEqual(config(['--model-prices', 'input=2,output=8']).agent.modelPrices, { input: 2, output: 8, cached_input: 2, cache_write: 2 });
  assert.throws(() => config(['--model-prices', 'output=15']), (e: Error) => e instanceof ConfigError && /--model-prices \(CUA_MODEL_PRICES\): needs at least input=PRICE and output=PRICE/.test(e.message));
  assert.throws(() => config(['--model-prices', 'input=3,output=15,images=2']), /"images=2" is not KIND=PRICE/);
  assert.throws(() => config(['--model-prices', 'input=cheap,output=15']), /"input=cheap" is not KIND=PRICE/);
});
