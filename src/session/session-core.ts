import type { SessionEvent } from './events.js';
import { EventLog } from './event-log.js';

/**
 * What every session has, whatever it drives: its handle and owner, the
 * queue that runs its calls one at a time, the busy state and idle clock
 * the session manager reads, and the events of its next result. A backend's
 * session extends it with the screen it drives.
 */
export abstract class SessionCore {
  readonly createdAt = Date.now();
  /** When a call last started or ended: the idle clock (see SessionManager). */
  lastUsedAt = Date.now();
  protected readonly events = new EventLog();
  protected closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;

  constructor(
    readonly id: string,
    /** The principal (owner) the session belongs to, see principal.ts. */
    readonly owner: string,
  ) {}

  /** True while a call is running on it: the idle sweeper leaves it alone. */
  get busy(): boolean {
    return this.running > 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs calls on this session one at a time; a failed call does not stop the next. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.lastUsedAt = Date.now();
    this.running++;
    const run = this.queue.then(fn, fn).catch((error: unknown) => {
      throw this.explainFailure(error);
    });
    this.queue = run.catch(() => {});
    return run.finally(() => {
      this.running--;
      this.lastUsedAt = Date.now();
    });
  }

  /** What a failed call's error should say: a backend adds what it knows (a browser that died under the call). */
  protected explainFailure(error: unknown): unknown {
    return error;
  }

  /** Adds an event the session layer saw (not the backend) to the next result. */
  report(event: SessionEvent): void {
    this.events.add(event);
  }

  /** The events takeEvents would return, left in place (for observers such as the recorder). */
  peekEvents(): readonly SessionEvent[] {
    return this.events.peek();
  }

  /** Events since the last call, oldest first. */
  takeEvents(): SessionEvent[] {
    return this.events.take();
  }
}
