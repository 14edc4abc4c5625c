import type { Frame, Page } from 'playwright';
import { withDeadline } from '../deadline.js';

/** The most a session's clipboard holds; a longer copy is cut (and says so). */
export const CLIPBOARD_LIMIT = 1_000_000;

export type ClipboardKind = 'copy' | 'cut' | 'paste';

/** The chord as the page sees it: the key and its modifiers, for the keydown it may prevent. */
export interface ClipboardChord {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

type Outcome = { prevented: true } | { text: string } | { insert: boolean };

/**
 * Runs in the focused frame: the keydown the page may prevent, then the
 * clipboard event it may handle itself (its `clipboardData` is a
 * DataTransfer of our own, not the system clipboard), then what a browser
 * does when the page lets it: copy the selection (never from a password
 * field), delete it for a cut, or ask for the text to be inserted.
 */
function inPage({ kind, text, chord }: { kind: ClipboardKind; text: string; chord: ClipboardChord }): Outcome {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  const target = active ?? document.body ?? document.documentElement;
  const keyInit = { ...chord, bubbles: true, cancelable: true, composed: true };
  const allowed = target.dispatchEvent(new KeyboardEvent('keydown', keyInit));
  target.dispatchEvent(new KeyboardEvent('keyup', keyInit));
  if (!allowed) return { prevented: true };
  const data = new DataTransfer();
  if (kind === 'paste') data.setData('text/plain', text);
  const handled = !target.dispatchEvent(new ClipboardEvent(kind, { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
  if (kind === 'paste') return { insert: !handled };
  if (handled) return { text: data.getData('text/plain') };
  const field = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? target : undefined;
  if (field instanceof HTMLInputElement && field.type === 'password') return { text: '' };
  let copied = '';
  try {
    copied =
      field && field.selectionStart !== null
        ? field.value.slice(field.selectionStart, field.selectionEnd ?? field.selectionStart)
        : String(getSelection() ?? '');
  } catch {
    // Inputs without a selection API (number, email) throw: a browser copies nothing from them either.
  }
  if (kind === 'cut' && copied) document.execCommand('delete');
  return { text: copied };
}

/** The frame the keyboard types into: the main frame, or the iframe that has the focus, as deep as it goes. */
async function focusedFrame(page: Page, answerMs: number): Promise<Frame> {
  let frame = page.mainFrame();
  for (let depth = 0; depth < 10; depth++) {
    const element = await withDeadline(
      frame.evaluateHandle(() => document.activeElement),
      answerMs,
      'finding the focus',
    );
    const child = await withDeadline(element.asElement()?.contentFrame() ?? Promise.resolve(null), answerMs, 'finding the focused frame');
    void element.dispose().catch(() => {});
    if (!child) break;
    frame = child;
  }
  return frame;
}

/**
 * ctrl+C, ctrl+X or ctrl+V against the session's own clipboard, never the
 * browser's: every session shares one browser process, and Chromium's
 * clipboard is the process's, so one session could read what another
 * copied, or plant what it pastes. Returns what happened, for the event;
 * `clipboard` is the session's, read and written here; `answerMs`: the
 * page's deadline for each round trip.
 */
export async function clipboardShortcut(
  page: Page,
  kind: ClipboardKind,
  chord: ClipboardChord,
  clipboard: { text: string },
  answerMs: number,
): Promise<string> {
  const frame = await focusedFrame(page, answerMs);
  const outcome = await withDeadline(frame.evaluate(inPage, { kind, text: clipboard.text, chord }), answerMs, `the ${kind}`);
  if ('prevented' in outcome) return `the page kept the keys for itself (nothing was ${kind === 'paste' ? 'pasted' : 'copied'})`;
  if ('insert' in outcome) {
    if (!outcome.insert) return 'the page handled the paste itself';
    if (clipboard.text) await withDeadline(page.keyboard.insertText(clipboard.text), answerMs, 'pasting');
    return `pasted ${clipboard.text.length} character(s) from this session's clipboard`;
  }
  clipboard.text = outcome.text.slice(0, CLIPBOARD_LIMIT);
  const cut =
    outcome.text.length > CLIPBOARD_LIMIT ? ` (cut from ${outcome.text.length}: the clipboard holds at most ${CLIPBOARD_LIMIT})` : '';
  return `${kind === 'cut' ? 'cut' : 'copied'} ${clipboard.text.length} character(s) to this session's clipboard${cut}`;
}
