/** Height of the drawn bar in CSS pixels; a click above it, while it has focus, lands on the bar. */
export const ADDRESS_BAR_HEIGHT = 44;

/** What a key did to the address bar. */
export type AddressBarKey = 'edited' | 'enter' | 'leave' | 'ignored';

/**
 * A browser's address bar, emulated: headless pages have no browser
 * window around them, but computer-use models press ctrl+L, type a URL and
 * press Enter. While it has focus, typed text goes into it (not to the
 * page), and screenshots show it drawn over the top of the page.
 */
export class AddressBar {
  private text = '';
  private caret = 0;
  /** Everything selected, as after ctrl+L: the next character replaces it. */
  private selected = false;
  focused = false;

  /** Gives the bar focus with `url` in it, all selected (as ctrl+L does). */
  focus(url: string): void {
    this.focused = true;
    this.text = url === 'about:blank' ? '' : url;
    this.caret = this.text.length;
    this.selected = this.text.length > 0;
  }

  blur(): void {
    this.focused = false;
  }

  get value(): string {
    return this.text;
  }

  insert(text: string): void {
    if (this.selected) {
      this.text = '';
      this.caret = 0;
      this.selected = false;
    }
    this.text = this.text.slice(0, this.caret) + text + this.text.slice(this.caret);
    this.caret += text.length;
  }

  /** A key (Playwright names, modifiers included) pressed while the bar has focus. */
  key(chord: string[]): AddressBarKey {
    const modifiers = chord.filter((k) => ['Control', 'Meta', 'Alt', 'Shift'].includes(k));
    const key = chord.filter((k) => !modifiers.includes(k)).join('+');
    const primary = modifiers.includes('Control') || modifiers.includes('Meta');
    if (key === 'Enter') return 'enter';
    if (key === 'Escape' || key === 'Tab') return 'leave';
    if (primary && key === 'a') {
      this.selected = this.text.length > 0;
      return 'edited';
    }
    if (key.length === 1 && (modifiers.length === 0 || (modifiers.length === 1 && modifiers[0] === 'Shift'))) {
      this.insert(key);
      return 'edited';
    }
    const edits: Record<string, () => void> = {
      Backspace: () => {
        if (this.selected) this.insert('');
        else if (this.caret > 0) {
          this.text = this.text.slice(0, this.caret - 1) + this.text.slice(this.caret);
          this.caret--;
        }
      },
      Delete: () => {
        if (this.selected) this.insert('');
        else this.text = this.text.slice(0, this.caret) + this.text.slice(this.caret + 1);
      },
      ArrowLeft: () => (this.caret = this.selected ? 0 : Math.max(0, this.caret - 1)),
      ArrowRight: () => (this.caret = this.selected ? this.text.length : Math.min(this.text.length, this.caret + 1)),
      Home: () => (this.caret = 0),
      End: () => (this.caret = this.text.length),
    };
    const edit = edits[key];
    if (!edit) return 'ignored';
    edit();
    if (key !== 'Backspace' && key !== 'Delete') this.selected = false;
    return 'edited';
  }

  /**
   * CSS that draws the focused bar over the top of the page for one
   * screenshot (Playwright's screenshot `style`, removed afterwards): the
   * text, highlighted when all selected, else with a caret.
   */
  overlay(): string | undefined {
    if (!this.focused) return undefined;
    const content = this.selected
      ? cssString(this.text)
      : `${cssString(this.text.slice(0, this.caret))} "|" ${cssString(this.text.slice(this.caret))}`;
    const reset =
      'display:block!important;position:fixed!important;z-index:2147483647!important;box-sizing:border-box!important;margin:0!important;';
    return (
      `html::before{${reset}content:""!important;left:0!important;top:0!important;right:0!important;height:${ADDRESS_BAR_HEIGHT}px!important;` +
      `background:#fff!important;border-bottom:1px solid #c4c7c5!important;box-shadow:0 0 0 6px #fff inset,0 0 0 8px #0b57d0 inset!important;border-radius:0!important}` +
      `html::after{${reset}content:${content}!important;left:16px!important;top:11px!important;max-width:calc(100% - 32px)!important;height:22px!important;` +
      `overflow:hidden!important;white-space:pre!important;font:15px/22px system-ui,Arial,sans-serif!important;color:#1f1f1f!important;` +
      `background:${this.selected ? '#a8c7fa' : 'transparent'}!important;padding:0 2px!important;border:0!important}`
    );
  }
}

/** A CSS string literal: every character other than plain ASCII letters, digits and URL punctuation escaped as \HEX. */
function cssString(text: string): string {
  return `"${[...text].map((ch) => (/[A-Za-z0-9 ./:?=&_~%#@!$+,;-]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `)).join('')}"`;
}
