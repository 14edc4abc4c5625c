/**
 * How many old screenshots a resent history keeps. Dropping the oldest one
 * every turn would change the start of every request, and no prompt cache
 * could ever be reused; dropping them in batches keeps the prefix
 * byte-identical on all the turns between two drops.
 */
export interface ScreenshotRetention {
  /** Screenshots always kept: the newest ones. */
  keep: number;
  /** Older ones are dropped this many at a time, once there are `keep + batch` of them. */
  batch: number;
}

/** How many of `total` screenshots (oldest first) to leave out: what is beyond `keep`, in whole batches. */
export function screenshotsToDrop(total: number, { keep, batch }: ScreenshotRetention): number {
  return total <= keep ? 0 : Math.floor((total - keep) / batch) * batch;
}

/** A counter that says yes to the first `count` screenshots it is asked about (walk the history oldest first). */
export function dropOldest(count: number): () => boolean {
  let left = count;
  return () => left-- > 0;
}

/** What replaces a screenshot left out. */
export const LEFT_OUT = '(an older screenshot, left out)';

/** A translator's retention: the operator's --keep-screenshots over the provider's default (a batch not given is the default's). */
export function retentionFor(
  given: { keep: number; batch?: number } | undefined,
  providerDefault: ScreenshotRetention,
): ScreenshotRetention {
  return given ? { keep: given.keep, batch: given.batch ?? providerDefault.batch } : providerDefault;
}

/** `3+10` (keep 3, drop 10 at a time) or `3` (the provider's batch) → a retention; throws what is wrong. */
export function parseRetention(text: string): { keep: number; batch?: number } {
  const match = /^\s*(\d+)\s*(?:\+\s*(\d+)\s*)?$/.exec(text);
  const keep = Number(match?.[1]);
  const batch = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || keep < 1 || keep > 100 || (batch !== undefined && (batch < 1 || batch > 100))) {
    throw new Error(
      `must be N or N+K (keep the newest N screenshots, 1-100; drop older ones K at a time, 1-100), got ${JSON.stringify(text)}`,
    );
  }
  return batch === undefined ? { keep } : { keep, batch };
}
