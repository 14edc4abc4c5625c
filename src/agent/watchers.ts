import type { HeldRun, RunObserver } from './types.js';

/**
 * Everyone following a run right now, as one observer: the MCP calls
 * waiting on it (they come and go while the run works in the background),
 * the terminal, a recorder. Events go to all of them; a safety question
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

  step(done: number, budget: number, description: string): void {
    for (const o of [...this.observers]) o.step?.(done, budget, description);
  }

  reasoning(summary: string): void {
    for (const o of [...this.observers]) o.reasoning?.(summary);
  }

  action(description: string): void {
    for (const o of [...this.observers]) o.action?.(description);
  }

  request(body: Parameters<NonNullable<RunObserver['request']>>[0]): void {
    for (const o of [...this.observers]) o.request?.(body);
  }

  response(response: unknown): void {
    for (const o of [...this.observers]) o.response?.(response);
  }

  screenshot(step: number, shot: Parameters<NonNullable<RunObserver['screenshot']>>[1]): void {
    for (const o of [...this.observers]) o.screenshot?.(step, shot);
  }

  confirm(run: HeldRun): Promise<'approve' | 'deny' | undefined> {
    const asker = this.observers.findLast((o) => o.confirm);
    return asker?.confirm?.(run) ?? Promise.resolve(undefined);
  }
}
