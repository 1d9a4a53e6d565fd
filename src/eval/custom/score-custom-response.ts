import { InvalidRequestError } from "../../spec/index.js";
import { exactMatch } from "../generative/exact-match.js";
import { extractWithRegex } from "../generative/regex-extraction.js";
import type { CustomTaskDefinition } from "./custom-task-schema.js";
import { renderTemplate } from "./render-template.js";

export type ExactMatchScore = { extracted: string; reference: string; score: 0 | 1 };

/** `exact-match` scorer: optional regex extraction (lm-eval RegexFilter), then `exact_match` with the task's options. */
export function scoreCustomExactMatch(definition: CustomTaskDefinition, response: string, document: Record<string, unknown>): ExactMatchScore {
  const scorer = definition.scorer;
  if (scorer.type !== "exact-match") throw new InvalidRequestError({ message: `${definition.name}: scorer is ${scorer.type}, not exact-match`, param: "scorer" });
  const extracted = scorer.extract ? extractWithRegex(response, scorer.extract.regex, scorer.extract.match, scorer.extract.group) : response.trim();
  const reference = renderTemplate(scorer.target, document);
  return {
    extracted,
    reference,
    score: exactMatch(extracted, reference, {
      regexesToIgnore: scorer.regexesToIgnore,
      ignoreCase: scorer.ignoreCase,
      ignorePunctuation: scorer.ignorePunctuation,
    }),
  };
}
