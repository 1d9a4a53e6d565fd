/**
 * Invisible characters removed before injection detection: zero-width characters (U+200B–U+200D, U+2060–U+2064,
 * U+FEFF, U+180E), soft hyphen, bidirectional controls (U+200E/U+200F, U+061C, U+202A–U+202E, U+2066–U+2069),
 * variation selectors (U+FE00–U+FE0F) and Unicode tag characters (U+E0000–U+E007F, surrogate pairs DB40 DC00–DC7F).
 * Single-character classes and one fixed surrogate pair: linear.
 */
// Variation selectors (U+FE00–U+FE0F) are combining marks: matching them one by one is the point (they are stripped).
// eslint-disable-next-line no-misleading-character-class
const invisibleCharacters = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufe00-\ufe0f\ufeff]|\udb40[\udc00-\udc7f]/g;

/** NFKC, then zero-width, bidi-control, variation-selector and Unicode tag characters removed. Idempotent. */
export function normalizeUntrustedText(text: string): string {
  return text.replace(invisibleCharacters, "").normalize("NFKC").replace(invisibleCharacters, "");
}

/**
 * The ASCII text hidden in Unicode tag characters (U+E0020–U+E007E), or "" when there is none. Tag runs right after
 * U+1F3F4 (black flag) are subdivision flags (England, Scotland, Wales) and are not hidden text.
 */
export function decodeTagCharacters(text: string): string {
  let hidden = "";
  let index = 0;
  while (index + 1 < text.length) {
    if (text.charCodeAt(index) !== 0xdb40) {
      index += 1;
      continue;
    }
    const isFlag = index >= 2 && text.charCodeAt(index - 2) === 0xd83c && text.charCodeAt(index - 1) === 0xdff4;
    while (index + 1 < text.length && text.charCodeAt(index) === 0xdb40) {
      const low = text.charCodeAt(index + 1);
      if (!isFlag && low >= 0xdc20 && low <= 0xdc7e) hidden += String.fromCharCode(low - 0xdc00);
      index += 2;
    }
  }
  return hidden;
}
