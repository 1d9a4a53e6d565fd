import { RE2JS } from "re2js";
import { isAsciiLetter, isDigit } from "./characters.js";
import type { Detection } from "./types.js";

// Lazy: the shortest header or footer line, never one that runs on into the next key's BEGIN line right after it.
const privateKeyHeader = RE2JS.compile(String.raw`^-----BEGIN[ A-Z0-9_-]{0,40}?PRIVATE KEY(?: BLOCK)?-----`);
const privateKeyFooter = RE2JS.compile(String.raw`^-----END[ A-Z0-9_-]{0,40}?PRIVATE KEY(?: BLOCK)?-----`);
/**
 * RSA keys up to 4096 bits and every EC/Ed25519 key fit in 4 KB of PEM. A longer block is reported from its header
 * forwards and from its footer backwards (each up to this length), which covers keys up to 8 KB.
 */
export const maximumPrivateKeyLength = 4096;

function isBase64OrLineBreak(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 43 || code === 47 || code === 61 || code === 10 || code === 13;
}

/** Skips encrypted-key header lines ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …") right after the BEGIN line. */
function skipPemHeaderLines(text: string, index: number): number {
  let cursor = index;
  for (let line = 0; line < 3; line += 1) {
    while (text[cursor] === "\n" || text[cursor] === "\r") cursor += 1;
    // Header lines are short: look at most 200 characters ahead for the line end.
    const head = text.slice(cursor, cursor + 200);
    if (!/^(?:Proc-Type|DEK-Info|Comment):/i.test(head)) return cursor; // anchored literals: linear
    const lineEnd = head.indexOf("\n");
    if (lineEnd === -1) return cursor;
    cursor += lineEnd;
  }
  return cursor;
}

/**
 * PEM private keys. BEGIN and END lines are checked with RE2 where indexOf finds them. A block is reported whole when
 * its footer is within maximumPrivateKeyLength of its header; otherwise from the header over the base64 body, and from
 * each footer backwards over the base64 body, each part at most maximumPrivateKeyLength long.
 */
export function findPrivateKeys(text: string, lowerText: string, detections: Detection[]): void {
  const push = (start: number, end: number) => detections.push({ entityType: "SECRET", detector: "secret:private-key", start, end, score: 1 });
  // The next "-----end" at or after a position, searched again only when the position passes it (one pass overall).
  let nextEnd = -2;
  const footerFrom = (position: number) => {
    if (nextEnd !== -1 && nextEnd < position) nextEnd = lowerText.indexOf("-----end", position);
    return nextEnd;
  };
  for (let begin = lowerText.indexOf("-----begin"); begin !== -1; begin = lowerText.indexOf("-----begin", begin + 10)) {
    const header = privateKeyHeader.matcher(text.slice(begin, begin + 80));
    if (!header.lookingAt()) continue;
    const limit = Math.min(text.length, begin + maximumPrivateKeyLength);
    let end = -1;
    // PEM blocks do not nest: the first END line after the header must be this key's footer.
    const footer = footerFrom(begin + header.end());
    if (footer !== -1 && footer < limit) {
      const match = privateKeyFooter.matcher(text.slice(footer, footer + 80));
      if (match.lookingAt() && footer + match.end() <= limit) end = footer + match.end();
    }
    if (end === -1) {
      end = skipPemHeaderLines(text, begin + header.end());
      while (end < limit && isBase64OrLineBreak(text.charCodeAt(end))) end += 1;
      while (end > begin && (text[end - 1] === "\n" || text[end - 1] === "\r")) end -= 1;
    }
    push(begin, end);
  }
  for (let footer = lowerText.indexOf("-----end"); footer !== -1; footer = lowerText.indexOf("-----end", footer + 8)) {
    const match = privateKeyFooter.matcher(text.slice(footer, footer + 80));
    if (!match.lookingAt()) continue;
    const end = footer + match.end();
    let start = footer;
    while (start > 0 && end - start < maximumPrivateKeyLength && isBase64OrLineBreak(text.charCodeAt(start - 1))) start -= 1;
    while (start < footer && (text[start] === "\n" || text[start] === "\r")) start += 1;
    push(start, end);
  }
}
