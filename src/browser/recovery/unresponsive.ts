import type { Page } from 'playwright';
import { DeadlineError, withDeadline } from '../deadline.js';
import { pageDevtools } from '../devtools.js';

/** How long a page gets to answer a ping, or a stop request. */
const PING_MS = 2_000;

/**
 * Stops the script of a page that stopped answering (a loop spinning the
 * CPU). Chromium interrupts a running script for `Runtime.terminateExecution`,
 * but only on a DevTools session attached while the page still answered:
 * attaching later waits for the busy page. So each page gets its session
 * when it opens. Other engines have none; their stuck tabs are closed.
 */
export class ScriptStopper {
  watch(page: Page): void {
    void pageDevtools(page);
  }

  /** Interrupts the script running in `page`; true when the page answers again. */
  async stop(page: Page): Promise<boolean> {
    const session = await withDeadline(pageDevtools(page), PING_MS, 'attaching').catch(() => undefined);
    if (session) await withDeadline(session.send('Runtime.terminateExecution'), PING_MS, 'stopping the script').catch(() => {});
    return answers(page);
  }
}

/** True when the page answers a trivial script within PING_MS. */
function answers(page: Page): Promise<boolean> {
  return ping(page, PING_MS, 'a ping').then(
    () => true,
    () => false,
  );
}

/** Resolves when the page answers a trivial script within `ms` (an error, e.g. from a navigation, is an answer too); else rejects with a DeadlineError about `what`. */
export async function ping(page: Page, ms: number, what: string): Promise<void> {
  await withDeadline(
    page.evaluate(() => true),
    ms,
    what,
  ).catch((error: unknown) => {
    if (error instanceof DeadlineError) throw error;
  });
}
