import type { Page } from 'playwright';
import type { Screenshot } from '../../computer/computer.js';
import { log } from '../../log.js';
import { DeadlineError } from '../deadline.js';
import { settleDeferred, type ActivityMark, type Settled, type SettleScope } from './settle.js';

/**
 * The last action's settle check, left running until the page's next use
 * (see settleDeferred in settle.ts). Whatever uses the page next waits for
 * it (wait()); a screenshot overlaps it instead (screenshot()), which is
 * where a step saves the frame the check waits for.
 */
export class PendingSettle {
  private pending: { page: Page; events: number; settled: Promise<Settled>; overlap: boolean } | undefined;
  /**
   * How each page's last check ended. A screenshot that the check then
   * throws away costs more than the frame it would save (two captures at
   * once), so one overlaps the check only where the page's last check
   * found it unchanged: a page that changes itself after every action pays
   * for that once.
   */
  private readonly lastOutcome = new WeakMap<Page, Settled>();

  constructor(
    private readonly sessionId: string,
    /** Makes a page that stopped answering during the check usable again, reporting it as an event: nobody awaits the action any more. */
    private readonly revive: (page: Page) => Promise<unknown>,
    /** How many events the session ever added (EventLog.added): one during the check (a dialog, a download) means the screen may have changed. */
    private readonly eventsAdded: () => number,
  ) {}

  /** Settles an action: at once, or leaving its last check pending. */
  async settle(scope: SettleScope, mark: ActivityMark, actedOn: Page): Promise<void> {
    const deferred = await settleDeferred(scope, mark, actedOn);
    if (!deferred) return;
    const entry = {
      page: actedOn,
      events: this.eventsAdded(),
      settled: deferred.settled,
      overlap: this.lastOutcome.get(actedOn) !== 'waited',
    };
    const clear = () => {
      if (this.pending === entry) this.pending = undefined;
    };
    entry.settled = deferred.settled
      .then((outcome) => {
        this.lastOutcome.set(actedOn, outcome);
        return outcome;
      })
      .catch(async (error: unknown): Promise<Settled> => {
        // Cleared first: reviving uses the session's page, which must not wait for this.
        clear();
        if (error instanceof DeadlineError && !actedOn.isClosed()) await this.revive(actedOn).catch(() => {});
        else log.debug(`session ${this.sessionId}: settling the last action failed`, error);
        return 'waited';
      })
      .finally(clear);
    this.pending = entry;
  }

  /** Resolves once no check is pending. */
  async wait(): Promise<void> {
    await this.pending?.settled;
  }

  /**
   * A screenshot begun now, while the check runs, after the page's change
   * watch was armed: kept only if the check finds nothing started and
   * nothing changed (no DOM change, popup, scroll, request, event), so it
   * shows what a screenshot after the check would. Undefined when no check
   * is pending on `current`, the page's last check found a change, or the
   * image is not kept.
   */
  async screenshot(current: Page | undefined, capture: (page: Page) => Promise<Screenshot> | undefined): Promise<Screenshot | undefined> {
    const pending = this.pending;
    if (!pending || pending.page !== current) return undefined;
    if (!pending.overlap) {
      log.debug(`session ${this.sessionId}: the screenshot waits for the settle check (the page's last check found a change)`);
      return undefined;
    }
    const early = capture(pending.page);
    if (!early) return undefined;
    early.catch(() => {});
    const settled = await pending.settled;
    const shot = settled === 'unchanged' && this.eventsAdded() === pending.events ? await early.catch(() => undefined) : undefined;
    log.debug(
      `session ${this.sessionId}: ${shot ? 'the screenshot overlapped the settle check' : `the screenshot is taken after the settle (${settled})`}`,
    );
    return shot;
  }
}
