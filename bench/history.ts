import { PNG } from 'pngjs';
import type { BetaMessage } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { AnthropicTranslator } from '../src/providers/anthropic/translator.js';
import type { ScreenInput } from '../src/agent/translator.js';
import { parseOptions } from '../src/config.js';
import { resolveConfig } from '../src/mcp/server-config.js';
import { PromptCacheModel } from '../test/helpers/prompt-cache.js';
import type { BenchContext } from './context.js';
import type { Row } from './report.js';
import { summarize } from './stats.js';

const TURNS = 50;
const DISPLAY = { width: 1024, height: 768 };

/** A screenshot that differs from every other turn's: a page of noise blocks, seeded by the turn. */
function screen(turn: number): ScreenInput {
  const png = new PNG(DISPLAY);
  let seed = turn * 2654435761;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  png.data.fill(255);
  for (let block = 0; block < 60; block++) {
    const [x0, y0, w, h] = [random() * 980, random() * 730, 10 + random() * 200, 8 + random() * 30].map(Math.floor) as [
      number,
      number,
      number,
      number,
    ];
    const shade = Math.floor(random() * 200);
    for (let y = y0; y < Math.min(DISPLAY.height, y0 + h); y++)
      for (let x = x0; x < Math.min(DISPLAY.width, x0 + w); x++)
        png.data.fill(shade, (y * DISPLAY.width + x) * 4, (y * DISPLAY.width + x) * 4 + 3);
  }
  const data = PNG.sync.write(png);
  return {
    shot: { data, mimeType: 'image/png', ...DISPLAY },
    url: 'https://example.com/',
    dataUrl: `data:image/png;base64,${data.toString('base64')}`,
  };
}

/**
 * A 50-turn Anthropic conversation through the real translator, measured
 * by the model of Anthropic's prompt cache the strict fake uses: how often a
 * request starts with the prefix the previous one cached, the share of input
 * tokens read from the cache, and the bytes sent each turn. Three ways of
 * keeping screenshots, all with the same breakpoints: ours (the newest 3,
 * older ones dropped 10 at a time), resending every screenshot, and
 * dropping the oldest one a turn.
 */
export async function benchHistory(_ctx: BenchContext): Promise<Row[]> {
  const screens = Array.from({ length: TURNS }, (_, turn) => screen(turn));
  const strategies: Array<[string, string]> = [
    ['ours: newest 3, older dropped 10 at a time', '3+10'],
    ['resend every screenshot', '100+1'],
    ['drop the oldest one a turn', '3+1'],
  ];
  const rows: Row[] = [];
  for (const [name, keep] of strategies) {
    const agent = resolveConfig(parseOptions(['--keep-screenshots', keep], {}).raw, {}).agent;
    const translator = new AnthropicTranslator(() => Promise.reject(new Error('the bench sends nothing')), {
      model: 'claude-sonnet-4-6',
      options: agent,
      instructions: undefined,
      environment: 'browser',
      display: DISPLAY,
    });
    const cache = new PromptCacheModel();
    const kilobytes: number[] = [];
    let hits = 0;
    let read = 0;
    let input = 0;
    /** Input billed in input-token equivalents: cache reads at 0.1x, cache writes at 1.25x (Anthropic's multipliers for the 5-minute cache). */
    let billed = 0;
    translator.start('Type 49 letters into the field.', screens[0]!);
    for (let turn = 1; turn <= TURNS; turn++) {
      const body = translator.request() as unknown as Record<string, unknown>;
      kilobytes.push(Buffer.byteLength(JSON.stringify(body)) / 1024);
      const outcome = cache.apply(body);
      if (outcome.prefixHit) hits++;
      read += outcome.usage.cache_read_input_tokens;
      input += outcome.usage.cache_read_input_tokens + outcome.usage.cache_creation_input_tokens + outcome.usage.input_tokens;
      billed += 0.1 * outcome.usage.cache_read_input_tokens + 1.25 * outcome.usage.cache_creation_input_tokens + outcome.usage.input_tokens;
      const done = turn === TURNS;
      const content = done
        ? [{ type: 'text', text: 'Done.' }]
        : [{ type: 'tool_use', id: `toolu_${turn}`, name: 'computer', input: { action: 'type', text: 'a' } }];
      const reply = translator.read({
        id: `msg_${turn}`,
        type: 'message',
        role: 'assistant',
        content,
        stop_reason: done ? 'end_turn' : 'tool_use',
        usage: { input_tokens: 0, output_tokens: 0 },
      } as unknown as BetaMessage);
      if (!done) translator.answer({ outcomes: reply.calls.map((call) => ({ call })), screen: screens[turn]!, acknowledged: false });
    }
    const total = kilobytes.reduce((a, b) => a + b, 0);
    rows.push({
      item: `history: Anthropic, ${TURNS} turns`,
      contender: name,
      stat: summarize(kilobytes),
      unit: 'KB sent/turn',
      note: `cached prefix repeated on ${hits}/${TURNS - 1} turns (${Math.round((100 * hits) / (TURNS - 1))}%); ${Math.round((100 * read) / input)}% of ${Math.round(input / 1000)}k input tokens from the cache, billed as ${Math.round(billed / 1000)}k; ${Math.round(total / 1024)} MB sent in all`,
    });
  }
  return rows;
}
