import type { Decision, HeldRun, RunObserver, RunReport } from './types.js';

type EventName = 'step' | 'reasoning' | 'action' | 'request' | 'answered' | 'screenshot' | 'decided';

/**
 * Everyone following a run right now, as one observer: the MCP calls
 * waiting on it (they come and go while the run works in the background),
 * the terminal, the recorder. Events go to all of them; a safety question
 * goes to the one that joined last and can ask a person, and with nobody
 * there the run stays paused.
 */
export class Watchers implements RunObserver {
  private readonly observers: RunObserver[] = [];

  /** Adds an observer; the returned function removes it. */
  add(observer: RunObserver): () => void {
    this.observers.push(observer);
    return () => {
      const index = this.observers.indexOf(observer);
      if (index >= 0) this.observers.splice(index, 1);
    };
  }

  private each<K extends EventName>(name: K): (...args: Parameters<NonNullable<RunObserver[K]>>) => void {
    return (...args) => {
      for (const observer of [...this.observers]) (observer[name] as ((...a: typeof args) => void) | undefined)?.(...args);
    };
  }

  readonly step = this.each('step');
  readonly reasoning = this.each('reasoning');
  readonly action = this.each('action');
  readonly request = this.each('request');
  readonly answered = this.each('answered');
  readonly screenshot = this.each('screenshot');
  readonly decided = this.each('decided');

  async stopped(report: RunReport): Promise<void> {
    await Promise.all([...this.observers].map((observer) => observer.stopped?.(report)));
  }

  confirm(run: HeldRun): Promise<Decision | undefined> {
    const asker = this.observers.findLast((o) => o.confirm);
    return asker?.confirm?.(run) ?? Promise.resolve(undefined);
  }

  get showsErrors(): boolean {
    return this.observers.some((o) => o.showsErrors);
  }
}
