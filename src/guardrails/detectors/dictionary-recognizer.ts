import { KeywordAutomaton } from "./aho-corasick.js";
import { isWordCharacter, lowerCaseKeepingOffsets, codeAt } from "./characters.js";
import { assertValidCustomName, customEntityType } from "./custom-pattern-recognizer.js";
import { InvalidPatternError } from "./errors.js";
import type { Recognizer } from "./recognizer.js";
import type { Detection, Dictionary } from "./types.js";

const maximumWordLength = 256;

/**
 * Dictionary words (project code names, customer names…) through one Aho–Corasick automaton, reported only on word
 * boundaries (no letter, digit or underscore right before or after). Case-insensitive unless caseSensitive.
 */
export function createDictionaryRecognizer(dictionary: Dictionary): Recognizer {
  assertValidCustomName(dictionary.name, "dictionary");
  if (!Array.isArray(dictionary.words) || dictionary.words.some((word) => typeof word !== "string")) throw new InvalidPatternError(dictionary.name, "words must be strings", "dictionary");
  const caseSensitive = dictionary.caseSensitive === true;
  const words = [...new Set(dictionary.words.map((word) => word.trim()).filter((word) => word.length > 0))];
  if (words.length === 0) throw new InvalidPatternError(dictionary.name, "the dictionary has no words", "dictionary");
  const tooLong = words.find((word) => word.length > maximumWordLength);
  if (tooLong !== undefined) throw new InvalidPatternError(dictionary.name, `a word is longer than ${maximumWordLength} characters`, "dictionary");
  const automaton = new KeywordAutomaton(caseSensitive ? words : words.map(lowerCaseKeepingOffsets));
  const entityType = customEntityType(dictionary.name);
  const detector = `dictionary:${dictionary.name}`;
  return {
    detector,
    entityTypes: [entityType],
    maxLength: automaton.longestKeyword,
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      const searched = caseSensitive ? text : lowerCaseKeepingOffsets(text);
      automaton.search(searched, (_keywordIndex, start, end) => {
        if (isWordCharacter(codeAt(text, start - 1)) || isWordCharacter(codeAt(text, end))) return;
        detections.push({ entityType, detector, start, end, score: 1 });
      });
    },
  };
}
