import { exactMatch, gsm8kExactMatchOptions } from "./exact-match.js";
import { gsm8kFlexibleExtract, gsm8kStrictMatch } from "./regex-extraction.js";

export type Gsm8kScore = {
  strictAnswer: string;
  flexibleAnswer: string;
  /** `exact_match,strict-match`. */
  strictMatch: 0 | 1;
  /** `exact_match,flexible-extract`. */
  flexibleMatch: 0 | 1;
};

/** Both GSM8K filters and `exact_match` against the full reference answer (reduced to its number by the regexes). */
export function scoreGsm8kResponse(response: string, referenceAnswer: string): Gsm8kScore {
  const strictAnswer = gsm8kStrictMatch(response);
  const flexibleAnswer = gsm8kFlexibleExtract(response);
  return {
    strictAnswer,
    flexibleAnswer,
    strictMatch: exactMatch(strictAnswer, referenceAnswer, gsm8kExactMatchOptions),
    flexibleMatch: exactMatch(flexibleAnswer, referenceAnswer, gsm8kExactMatchOptions),
  };
}
