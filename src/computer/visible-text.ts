/**
 * Text as a person must see it to approve it: quoted and escaped, runs of
 * spaces counted (`⟨80 spaces⟩`: a display collapses or scrolls them away),
 * invisible and look-alike characters (zero-width, bidi controls, other
 * spaces) written as `\u{…}`, and never cut. Longer texts, and any with a
 * marker, say their length, so nothing can hide past the end of a line.
 */
export function visibleText(text: string): string {
  const shown = JSON.stringify(text)
    // Before the markers go in: a text cannot forge one.
    .replace(/[⟨⟩]/g, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`)
    .replace(/ {2,}/g, (run) => `⟨${run.length} spaces⟩`)
    .replace(
      /[\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u115f\u1160\u3164\uffa0]/gu,
      (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`,
    );
  return shown.length - 2 === text.length && text.length <= 60 ? shown : `${shown} (${text.length} characters)`;
}
