import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toChord, toKeyStroke, toPlaywrightKey, UnknownKeyError } from '../../src/computer/keys.js';

describe('key names', () => {
  it("the names models use map to the keyboard's keys, whatever their case, spacing or separators", () => {
    const cases: Array<[string, string]> = [
      ['CTRL', 'Control'],
      ['ctrl', 'Control'],
      ['Return', 'Enter'],
      ['ENTER', 'Enter'],
      ['cmd', 'Meta'],
      ['super', 'Meta'],
      ['option', 'Alt'],
      ['ArrowLeft', 'ArrowLeft'],
      ['left', 'ArrowLeft'],
      ['Page_Down', 'PageDown'],
      ['page down', 'PageDown'],
      ['pgup', 'PageUp'],
      ['esc', 'Escape'],
      ['space', ' '],
      ['del', 'Delete'],
      ['F5', 'F5'],
      ['f12', 'F12'],
      ['minus', '-'],
      ['\n', 'Enter'],
      ['\t', 'Tab'],
      ['a', 'a'],
      ['A', 'A'],
      ['7', '7'],
      ['/', '/'],
      ['browserback', 'BrowserBack'],
    ];
    for (const [name, key] of cases) assert.equal(toPlaywrightKey(name), key, name);
  });

  it('unknown keys are refused, saying what works; a chord written as one name is told to be split', () => {
    assert.throws(
      () => toPlaywrightKey('F13'),
      (e: Error) => e instanceof UnknownKeyError && /unknown key "F13": use a single character or a name such as ctrl/.test(e.message),
    );
    assert.throws(
      () => toPlaywrightKey('ctrl+c'),
      /unknown key "ctrl\+c": each key of a chord is its own array item, e\.g\. \["ctrl","c"\]/,
    );
    assert.throws(() => toPlaywrightKey('Shift-Tab'), /each key of a chord is its own array item, e\.g\. \["shift","tab"\]/);
    assert.throws(
      () => toPlaywrightKey('é'),
      /"é" has no key on the keyboard layout: it can be pressed alone \(keypress \["é"\]\) or typed \(type\), not held with other keys/,
    );
  });

  it('a chord lowers a letter held with a modifier (ctrl+A is ctrl+a), and adds no shift of its own', () => {
    assert.deepEqual(toChord(['ctrl', 'A']), ['Control', 'a']);
    assert.deepEqual(toChord(['ctrl', 'shift', 'T']), ['Control', 'Shift', 't']);
    assert.deepEqual(toChord(['A']), ['A'], 'alone, a capital stays a capital');
    assert.throws(() => toChord(['ctrl', 'browserback']), /BrowserBack is pressed alone, not with other keys/);
  });

  it('a keypress of one character without a key is entered as text; everything else is a chord', () => {
    assert.deepEqual(toKeyStroke(['é']), { text: 'é' });
    assert.deepEqual(toKeyStroke(['👍🏽']), { text: '👍🏽' }, 'one character as a person sees it');
    assert.deepEqual(toKeyStroke(['a']), { chord: ['a'] });
    assert.deepEqual(toKeyStroke(['ctrl', 'c']), { chord: ['Control', 'c'] });
    assert.throws(() => toKeyStroke(['ctrl', 'é']), /has no key on the keyboard layout/);
    assert.throws(() => toKeyStroke(['\u0007']), /unknown key/, 'a control character is no character');
  });
});
