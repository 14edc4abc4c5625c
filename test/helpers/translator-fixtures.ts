import type { ParsedCall, ScreenInput, TranslatorContext, TurnOutcome } from '../../src/agent/translator.js';
import { parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import type { Environment } from '../../src/session/computer-session.js';

/**
 * What a translator is given, built in-process from the option table as an
 * operator would write it (`argv`): no server, no browser, no model.
 */
export function translatorContext(
  model: string,
  argv: string[] = [],
  extra: Partial<Omit<TranslatorContext, 'model' | 'options'>> = {},
): TranslatorContext {
  const options = resolveConfig(parseOptions(argv, {}).raw, {}).agent;
  return {
    model,
    options,
    instructions: undefined,
    environment: 'browser' as Environment,
    display: { width: 1024, height: 768 },
    ...extra,
  };
}

/** A screen as the loop hands it over; the bytes are a label, not an image (translators only pass them on). */
export function screenInput(
  label: string,
  url: string | undefined = 'https://shop.example/',
  size = { width: 1024, height: 768 },
): ScreenInput {
  const data = Buffer.from(label);
  return { shot: { data, mimeType: 'image/png', ...size }, dataUrl: `data:image/png;base64,${data.toString('base64')}`, url };
}

/** The turn after the calls ran as they were: no errors, the given screen. */
export function ranTurn(calls: ParsedCall[], screen: ScreenInput, acknowledged = false): TurnOutcome {
  return { outcomes: calls.map((call) => ({ call, ...(call.problem ? { error: call.problem } : {}) })), screen, acknowledged };
}
