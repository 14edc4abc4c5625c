import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { imageSize } from './fake-endpoint.js';

/**
 * A model of Anthropic's prompt cache, as its prompt-caching guide
 * describes it: the prompt is tools, then system, then the messages' blocks,
 * in that order; a block with `cache_control: {type: "ephemeral"}` (at most
 * 4 per request) caches the prefix up to and including it; a later request
 * reads the longest cached prefix it repeats exactly, found by looking back
 * from each of its breakpoints up to 20 blocks; prefixes under the model's
 * minimum (1024 tokens for Sonnet) are not cached. Where the marker sits is
 * not part of the prefix: moving breakpoints does not break the cache.
 * Tokens are estimated as the API documents for images (width x height /
 * 750) and about four characters a token for the rest.
 */
export const MAX_BREAKPOINTS = 4;
const LOOKBACK = 20;
const MIN_CACHEABLE_TOKENS = 1024;

type Json = Record<string, unknown>;

export interface CacheOutcome {
  /** The usage the API reports: input_tokens excludes what was read from or written to the cache. */
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
  /** The request starts with the whole prefix the previous request cached, byte for byte. */
  prefixHit: boolean;
  /** Blocks carrying cache_control. */
  breakpoints: number;
  /** What the API would refuse about the markers. */
  problems: string[];
}

function tokens(value: unknown): number {
  if (typeof value === 'string') return Math.ceil(value.length / 4);
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + tokens(v), 0);
  if (!value || typeof value !== 'object') return 0;
  const block = value as Json;
  const source = block.source as Json | undefined;
  if (block.type === 'image' && typeof source?.data === 'string') {
    const size = imageSize(Buffer.from(source.data, 'base64'));
    return size ? Math.ceil((size.width * size.height) / 750) : 0;
  }
  return Object.entries(block).reduce((sum, [key, v]) => sum + (key === 'cache_control' ? 0 : tokens(v)), 0);
}

/** A block without its marker: what the cache compares. */
function withoutMarker(block: Json): string {
  const { cache_control: _marker, ...rest } = block;
  return JSON.stringify(rest);
}

/** The request's blocks in prompt order: tools, system, each message's content blocks (with the message's role). */
function blocks(body: Json): Array<{ key: string; tokens: number; marker: unknown }> {
  const out: Array<{ key: string; tokens: number; marker: unknown }> = [];
  const add = (block: Json, prefix = '') =>
    out.push({ key: prefix + withoutMarker(block), tokens: tokens(block), marker: block.cache_control });
  for (const tool of (body.tools as Json[] | undefined) ?? []) add(tool, 'tool:');
  const system = body.system;
  if (typeof system === 'string') add({ type: 'text', text: system }, 'system:');
  else for (const block of (system as Json[] | undefined) ?? []) add(block, 'system:');
  for (const message of (body.messages as Json[] | undefined) ?? []) {
    const content = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : ((message.content as Json[]) ?? []);
    for (const block of content) add(block, `${String(message.role)}:`);
  }
  return out;
}

export class PromptCacheModel {
  private readonly cached = new Set<string>();
  /** The hash of the previous request's prefix through its last breakpoint, and that prefix's length in blocks. */
  private previous: { hash: string; length: number } | undefined;

  apply(body: Json): CacheOutcome {
    const list = blocks(body);
    const problems: string[] = [];
    const marked = list.flatMap((block, index) => (block.marker === undefined || block.marker === null ? [] : [index]));
    if (marked.length > MAX_BREAKPOINTS)
      problems.push(`${marked.length} blocks carry cache_control; the API takes at most ${MAX_BREAKPOINTS}`);
    for (const index of marked) {
      const marker = list[index]!.marker as Json;
      if (
        !isDeepStrictEqual(marker, { type: 'ephemeral' }) &&
        !isDeepStrictEqual(marker, { type: 'ephemeral', ttl: '5m' }) &&
        !isDeepStrictEqual(marker, { type: 'ephemeral', ttl: '1h' })
      ) {
        problems.push(`cache_control ${JSON.stringify(marker)} is not {type: "ephemeral"}`);
      }
    }
    // hashes[i]: the prefix of the first i blocks; sums[i]: its tokens.
    const hashes = [''];
    const sums = [0];
    for (const block of list) {
      hashes.push(createHash('sha256').update(hashes.at(-1)!).update(block.key).digest('hex'));
      sums.push(sums.at(-1)! + block.tokens);
    }
    let read = 0;
    for (const index of marked) {
      const end = index + 1;
      for (let length = end; length >= Math.max(1, end - LOOKBACK); length--) {
        if (this.cached.has(hashes[length]!)) {
          read = Math.max(read, length);
          break;
        }
      }
    }
    const last = marked.length ? marked.at(-1)! + 1 : 0;
    for (const index of marked) if (index + 1 > read && sums[index + 1]! >= MIN_CACHEABLE_TOKENS) this.cached.add(hashes[index + 1]!);
    const written = last > read && sums[last]! >= MIN_CACHEABLE_TOKENS ? sums[last]! - sums[read]! : 0;
    const prefixHit = this.previous !== undefined && hashes[this.previous.length] === this.previous.hash;
    this.previous = last ? { hash: hashes[last]!, length: last } : undefined;
    return {
      usage: {
        input_tokens: sums.at(-1)! - sums[read]! - written,
        cache_creation_input_tokens: written,
        cache_read_input_tokens: sums[read]!,
      },
      prefixHit,
      breakpoints: marked.length,
      problems,
    };
  }
}
