import type { SessionEvent } from './events.js';

type LimitEvent = Extract<SessionEvent, { kind: 'limit' }>;

/**
 * The events a session reports in its next result, oldest first: what
 * happened beside the screen since the last result was built.
 */
export class EventLog {
  private events: SessionEvent[] = [];
  private addedCount = 0;

  /** How many events were ever added: it changes exactly when something happened. */
  get added(): number {
    return this.addedCount;
  }

  add(event: SessionEvent): void {
    this.events.push(event);
    this.addedCount++;
  }

  /** How many events of `kind` wait to be reported. */
  count(kind: SessionEvent['kind']): number {
    return this.events.filter((e) => e.kind === kind).length;
  }

  /** Drops the waiting events `matches` picks (news that a later event makes moot). */
  forget(matches: (event: SessionEvent) => boolean): void {
    this.events = this.events.filter((e) => !matches(e));
  }

  /** Counts one more thing dropped past a limit, in one `limit` event per limit. */
  overLimit(what: LimitEvent['what'], describe: (dropped: number) => string): void {
    let event = this.events.find((e): e is LimitEvent => e.kind === 'limit' && e.what === what);
    if (!event) {
      event = { kind: 'limit', what, dropped: 0, detail: '' };
      this.add(event);
    }
    event.dropped++;
    event.detail = describe(event.dropped);
  }

  /** The events take() would return, left in place (for observers such as the recorder). */
  peek(): readonly SessionEvent[] {
    return this.events;
  }

  /** The waiting events, which are then reported: the log starts afresh. */
  take(): SessionEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}
