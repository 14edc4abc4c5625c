/**
 * Tokens a model run used, in one shape for every provider, and what they
 * cost at the operator's prices (--model-prices). The server knows no
 * prices of its own: without them there is no cost, never a guessed one.
 */

/** One reply's tokens, as the provider counted them. */
export interface TokenUsage {
  /** Every input token the model read, cached ones and cache writes included. */
  input_tokens: number;
  /** Of input_tokens, those read from the provider's prompt cache. */
  cached_input_tokens: number;
  /** Of input_tokens, those written to the prompt cache (Anthropic bills them apart). */
  cache_write_tokens: number;
  /** Every output token, reasoning included. */
  output_tokens: number;
  /** Of output_tokens, the model's hidden reasoning (thinking). */
  reasoning_tokens: number;
}

/** A run's usage so far: the sum of its replies, its model requests and the time spent waiting for them. */
export interface RunUsage extends TokenUsage {
  /** Model requests answered. */
  requests: number;
  /** Time spent waiting for the model, in ms. */
  model_ms: number;
  /** Estimated cost in USD at the operator's --model-prices; absent without prices. */
  cost_usd?: number;
}

/** USD per million tokens, by kind; the cache prices default to the input price (an upper bound), never to a guess. */
export interface ModelPrices {
  input: number;
  output: number;
  cached_input: number;
  cache_write: number;
}

export const NO_TOKENS: TokenUsage = {
  input_tokens: 0,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
};

export function emptyUsage(): RunUsage {
  return { ...NO_TOKENS, requests: 0, model_ms: 0 };
}

/** A count from a provider's usage object: a non-negative number, else 0 (servers omit or null what they do not count). */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Adds one reply to the run's usage, and reprices the total. */
export function addUsage(total: RunUsage, reply: TokenUsage | undefined, modelMs: number, prices: ModelPrices | undefined): void {
  total.requests++;
  total.model_ms += Math.round(modelMs);
  if (reply) for (const key of Object.keys(NO_TOKENS) as Array<keyof TokenUsage>) total[key] += reply[key];
  if (prices) total.cost_usd = costOf(total, prices);
}

/** The cost in USD, rounded to a millionth of a dollar. */
export function costOf(usage: TokenUsage, prices: ModelPrices): number {
  const fresh = Math.max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens);
  const micro =
    fresh * prices.input +
    usage.cached_input_tokens * prices.cached_input +
    usage.cache_write_tokens * prices.cache_write +
    usage.output_tokens * prices.output;
  return Math.round(micro) / 1e6;
}

const PRICE_KEYS = {
  input: 'input',
  output: 'output',
  cached: 'cached_input',
  cached_input: 'cached_input',
  cache_read: 'cached_input',
  cache_write: 'cache_write',
} as const;

/** `input=3,output=15,cached=0.3,cache_write=3.75` (USD per million tokens) → prices; throws a message saying what is wrong. */
export function parsePrices(text: string): ModelPrices {
  const given: Partial<ModelPrices> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)\s*=\s*(\d+(?:\.\d+)?)$/i.exec(pair);
    const key = match && PRICE_KEYS[match[1]!.toLowerCase() as keyof typeof PRICE_KEYS];
    if (!match || !key)
      throw new Error(`"${pair}" is not KIND=PRICE with KIND input, output, cached or cache_write and PRICE in USD per million tokens`);
    given[key] = Number(match[2]);
  }
  if (given.input === undefined || given.output === undefined)
    throw new Error('needs at least input=PRICE and output=PRICE (USD per million tokens)');
  return {
    input: given.input,
    output: given.output,
    cached_input: given.cached_input ?? given.input,
    cache_write: given.cache_write ?? given.input,
  };
}

/** One line for people: `Usage: 12,345 input tokens (10,000 cached, 1,000 written to the cache), 456 output (120 reasoning); 5 requests, model time 12.3 s; estimated cost $0.0123`. */
export function describeUsage(usage: RunUsage): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const input = [
    usage.cached_input_tokens ? `${n(usage.cached_input_tokens)} cached` : '',
    usage.cache_write_tokens ? `${n(usage.cache_write_tokens)} written to the cache` : '',
  ].filter(Boolean);
  const parts = [
    `${n(usage.input_tokens)} input tokens${input.length ? ` (${input.join(', ')})` : ''}`,
    `${n(usage.output_tokens)} output${usage.reasoning_tokens ? ` (${n(usage.reasoning_tokens)} reasoning)` : ''}`,
  ];
  const cost = usage.cost_usd === undefined ? '' : `; estimated cost $${usage.cost_usd.toFixed(4)} at --model-prices`;
  return `Usage: ${parts.join(', ')}; ${usage.requests} model request(s), model time ${(usage.model_ms / 1000).toFixed(1)} s${cost}`;
}
