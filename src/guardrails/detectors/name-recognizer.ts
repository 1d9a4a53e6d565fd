import { findCapitalizedWords, startsSentence, wordBefore, wordsJoin, type CapitalizedWord } from "./capitalized-words.js";
import { nameLexicon, type NameLexicon } from "./name-lexicon.js";
import type { Recognizer } from "./recognizer.js";
import { findStreetAddresses } from "./street-address.js";
import type { Detection, EntityType } from "./types.js";

type NameEntity = "PERSON" | "LOCATION" | "ORGANIZATION";
type Push = (entityType: NameEntity, detector: string, start: number, end: number, score: number) => void;

const maximumRunWords = 6;
/** Words right before a name that mark it as a person's name. */
const personCues = new Set(["hi", "hello", "dear", "hey", "thanks", "name", "named", "called", "i'm", "im", "am", "by", "mr", "mrs", "ms", "dr", "with"]);

/**
 * PERSON, LOCATION and ORGANIZATION as a baseline, from compromise's lexicon (first and last names, honorifics,
 * countries, cities, regions, organisations, organisation words) applied to runs of capitalised words, plus street
 * addresses. Capitalised words are found by the native engine and looked up in sets: linear, and fast enough for
 * streamed output (compromise's own tagger takes tens of milliseconds per kilobyte).
 */
export function createNameRecognizer(enabled: ReadonlySet<EntityType>): Recognizer {
  const lexicon = nameLexicon();
  return {
    detector: "names",
    entityTypes: (["PERSON", "LOCATION", "ORGANIZATION"] as const).filter((entityType) => enabled.has(entityType)),
    maxLength: 512,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      const push: Push = (entityType, detector, start, end, score) => {
        if (enabled.has(entityType) && end - start <= 512) detections.push({ entityType, detector, start, end, score });
      };
      const words = findCapitalizedWords(text);
      findNameRuns(text, words, lexicon, push);
      if (enabled.has("LOCATION")) findStreetAddresses(text, words, (start, end) => push("LOCATION", "street_address", start, end, 0.5));
    },
  };
}

function findNameRuns(text: string, words: CapitalizedWord[], lexicon: NameLexicon, push: Push): void {
  let index = 0;
  while (index < words.length) {
    let end = index + 1;
    while (end < words.length && end - index < maximumRunWords && wordsJoin(text, words[end - 1]!, words[end]!)) end += 1;
    classifyRun(text, words.slice(index, end), lexicon, push);
    index = end;
  }
}

function classifyRun(text: string, words: CapitalizedWord[], lexicon: NameLexicon, push: Push): void {
  let first = 0;
  const previousWord = wordBefore(text, words[0]!.start);
  const sentenceStart = startsSentence(text, words[0]!.start);
  let honorific = lexicon.honorifics.has(previousWord);
  // Leading honorifics, and at a sentence start leading common words ("The", "Hi"), are not part of the name.
  while (first < words.length) {
    const word = words[first]!;
    if (lexicon.honorifics.has(word.lower)) honorific = true;
    else if (!((sentenceStart || first > 0) && lexicon.commonWords.has(word.lower) && !lexicon.firstNames.has(word.lower))) break;
    first += 1;
  }
  const run = words.slice(first);
  if (run.length === 0) return;
  const start = run[0]!.start;
  const end = run[run.length - 1]!.end;
  if (run.length >= 2 && lexicon.organizationWords.has(run[run.length - 1]!.lower)) return push("ORGANIZATION", "names", start, end, 0.6);
  // The longest known phrase (place, organisation, famous person) in the run, the whole run first.
  let hasFirstName = false;
  for (let offset = 0; offset < run.length; offset += 1) {
    hasFirstName ||= lexicon.firstNames.has(run[offset]!.lower);
    if (!lexicon.phraseFirstWords.has(run[offset]!.lower)) continue;
    let phrase = "";
    let best: { entity: "PERSON" | "LOCATION" | "ORGANIZATION"; last: number } | undefined;
    for (let last = offset; last < run.length && last - offset < lexicon.longestPhrase; last += 1) {
      phrase = last === offset ? run[last]!.lower : `${phrase} ${run[last]!.lower}`;
      const entity = lexicon.phrases.get(phrase);
      if (entity !== undefined) best = { entity, last };
    }
    if (best === undefined) continue;
    const whole = offset === 0 && best.last === run.length - 1;
    const partHasFirstName = run.slice(offset, best.last + 1).some((word) => lexicon.firstNames.has(word.lower));
    if (whole) return push(best.entity, "names", start, end, 0.7);
    if (best.entity !== "PERSON" && !partHasFirstName) return push(best.entity, "names", run[offset]!.start, run[best.last]!.end, 0.6);
  }
  const hasLastName = run.some((word) => lexicon.lastNames.has(word.lower));
  if (honorific || hasFirstName || (hasLastName && (run.length >= 2 || first > 0 || !sentenceStart))) return push("PERSON", "names", start, end, hasFirstName ? 0.7 : 0.6);
  if (run.some((word) => lexicon.commonWords.has(word.lower))) return;
  if (first === 0 && personCues.has(previousWord)) return push("PERSON", "names", start, end, 0.5);
  if (run.length >= 2) push("PERSON", "names", start, end, 0.4);
}
