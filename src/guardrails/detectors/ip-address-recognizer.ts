import validator from "validator";
import { isDigit, isHexDigit, isWordCharacter } from "./characters.js";
import { forEachDigitRun } from "./digit-groups.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection } from "./types.js";

const longestIpv6 = 45; // ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255

function isIpv6RunCharacter(code: number): boolean {
  return isHexDigit(code) || code === 58 || code === 46;
}

function findIpv4(text: string, detections: Detection[]): void {
  forEachDigitRun(text, ".", (run) => {
    if (run.groups.length !== 4) return;
    if (run.start > 0 && text.charCodeAt(run.start - 1) === 46) return; // a longer dotted number (version, OID)
    const candidate = text.slice(run.start, run.end);
    if (validator.isIP(candidate, 4)) detections.push({ entityType: "IP_ADDRESS", detector: "ip_address", start: run.start, end: run.end, score: 0.95 });
  });
}

/** Runs of hex digits, colons and dots with at least two colons, validated by validator's isIP (v6). */
function findIpv6(text: string, detections: Detection[]): void {
  let index = text.indexOf(":");
  let previousEnd = 0;
  while (index !== -1) {
    // Walk back to the start of the run this colon belongs to (bounded: a run longer than an IPv6 is skipped; runs
    // already read are not read again).
    let start = index;
    while (start > previousEnd && index - start <= longestIpv6 && isIpv6RunCharacter(text.charCodeAt(start - 1))) start -= 1;
    let end = index;
    let colons = 0;
    while (end < text.length && end - start <= longestIpv6 && isIpv6RunCharacter(text.charCodeAt(end))) {
      if (text.charCodeAt(end) === 58) colons += 1;
      end += 1;
    }
    const next = text.indexOf(":", Math.max(end, index + 1));
    const walkedFrom = start;
    const glued = (start > 0 && (isWordCharacter(text.charCodeAt(start - 1)) || isIpv6RunCharacter(text.charCodeAt(start - 1)))) ||
      (end < text.length && (isWordCharacter(text.charCodeAt(end)) || isIpv6RunCharacter(text.charCodeAt(end))));
    if (!glued && colons >= 2) {
      while (end > start && text.charCodeAt(end - 1) === 46) end -= 1;
      if (end - start >= 2 && text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end -= 1;
      const candidate = text.slice(start, end);
      let groups = 0;
      let hasDigit = false;
      for (const part of candidate.split(":")) if (part.length > 0) groups += 1;
      for (let position = start; position < end; position += 1) if (isDigit(text.charCodeAt(position))) hasDigit = true;
      if (groups >= 2 && hasDigit && validator.isIP(candidate, 6)) {
        detections.push({ entityType: "IP_ADDRESS", detector: "ip_address", start, end, score: 0.95 });
      }
    }
    previousEnd = Math.max(walkedFrom, end);
    index = next;
  }
}

/** IPv4 dotted quads and IPv6 addresses (validated by validator's isIP). */
export function createIpAddressRecognizer(): Recognizer {
  return {
    detector: "ip_address",
    entityTypes: ["IP_ADDRESS"],
    maxLength: longestIpv6,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      findIpv4(text, detections);
      findIpv6(text, detections);
    },
  };
}
