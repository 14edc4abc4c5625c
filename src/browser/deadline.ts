/**
 * Every wait on the browser has a deadline on our side: a page that spins
 * the CPU or loops alert() never answers, and Playwright's own timeouts do
 * not cover every call (page.title(), evaluate, mouse and keyboard input).
 * How long one round trip (an input event, an evaluate, a frame) may take
 * before the page counts as not answering is --page-answer-timeout
 * (BrowserConfig.pageAnswerMs).
 */

/** A browser round trip that did not finish in time; the work it started may still be running. */
export class DeadlineError extends Error {
  constructor(
    /** What was waited for, e.g. "the click". */
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not finish within ${ms} ms: the page is not answering (a script may be spinning the CPU)`);
  }
}

/**
 * Resolves as `work` does, or rejects with a DeadlineError after `ms`.
 * `work` is not cancelled (it cannot be); its late failure is swallowed.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  work.catch(() => {});
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
