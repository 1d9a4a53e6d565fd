import type { Detection } from "./types.js";

/** Whether a should win over b when they overlap: the longer span, then the higher score. */
function beats(a: Detection, b: Detection): boolean {
  const lengthA = a.end - a.start;
  const lengthB = b.end - b.start;
  if (lengthA !== lengthB) return lengthA > lengthB;
  return a.score > b.score;
}

/**
 * Non-overlapping detections sorted by start, in one sweep over the candidates sorted by start. A candidate inside
 * the last kept detection is dropped (the longer one wins; at equal spans the higher score sorts first). When two
 * only partly overlap, the winner (longer, then higher score) gives type, detector and score to their union, so no
 * detected character is left uncovered; if the union would be longer than maxLength, the loser keeps the part
 * outside the winner instead.
 */
export function resolveOverlaps(candidates: Detection[], maxLength: number): Detection[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end || b.score - a.score);
  const kept: Detection[] = [];
  for (const candidate of candidates) {
    const last = kept[kept.length - 1];
    if (last === undefined || candidate.start >= last.end) {
      kept.push(candidate);
      continue;
    }
    if (candidate.end <= last.end) continue;
    const lastWins = !beats(candidate, last);
    if (candidate.end - last.start <= maxLength) {
      kept[kept.length - 1] = { ...(lastWins ? last : candidate), start: last.start, end: candidate.end };
    } else if (lastWins) {
      kept.push({ ...candidate, start: last.end });
    } else {
      if (candidate.start > last.start) kept[kept.length - 1] = { ...last, end: candidate.start };
      else kept.pop();
      kept.push(candidate);
    }
  }
  return kept;
}
