import type { Dialog } from 'playwright';
import type { BrowserConfig } from '../browser-config.js';
import { log } from '../../log.js';
import type { SessionEvent } from '../../session/events.js';

/**
 * Answers a native dialog by policy so it never blocks the page, and
 * returns the event that reports it. alert has one button, and
 * beforeunload must not block a navigation the model asked for.
 */
export function answerDialog(dialog: Dialog, policy: BrowserConfig['dialogPolicy']): SessionEvent {
  const type = dialog.type();
  const accept = type === 'alert' || type === 'beforeunload' || policy === 'accept';
  const answered = accept ? dialog.accept(dialog.defaultValue()) : dialog.dismiss();
  answered.catch((error: unknown) => log.debug('dialog already handled', error));
  return { kind: 'dialog', dialog_type: type, message: dialog.message(), response: accept ? 'accepted' : 'dismissed' };
}
