import { InvalidRequestError } from "../../spec/index.js";
import { PythonRandom } from "../generative/python-random.js";
import { type MultipleChoiceItem, oneHotLabels } from "../scoring/multiple-choice-item.js";
import type { CustomTaskDefinition } from "./custom-task-schema.js";
import { renderTemplate, valueAtPath } from "./render-template.js";

export type CustomPrompt = { index: number; prompt: string; document: Record<string, unknown> };

/** The text of a few-shot example's answer: `prompt.target`, else the scorer's target or gold choice. */
function exampleAnswer(definition: CustomTaskDefinition, document: Record<string, unknown>): string {
  if (definition.prompt.target !== undefined) return renderTemplate(definition.prompt.target, document);
  const scorer = definition.scorer;
  switch (scorer.type) {
    case "exact-match":
      return renderTemplate(scorer.target, document);
    case "loglikelihood-multiple-choice": {
      const choices = choicesOf(definition, document);
      return choices[goldIndexOf(definition, document, choices)]!;
    }
    case "code-execution":
    case "llm-judge":
      throw new InvalidRequestError({ message: `${definition.name}: few-shot needs prompt.target for a ${scorer.type} scorer`, param: "prompt.target" });
    default:
      return scorer satisfies never;
  }
}

/** Choices of a multiple-choice record: a field holding an array, or rendered templates. */
export function choicesOf(definition: CustomTaskDefinition, document: Record<string, unknown>): string[] {
  const scorer = definition.scorer;
  if (scorer.type !== "loglikelihood-multiple-choice") return [];
  if (Array.isArray(scorer.choices)) return scorer.choices.map((template) => renderTemplate(template, document));
  const value = valueAtPath(document, scorer.choices);
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidRequestError({ message: `${definition.name}: field ${scorer.choices} is not an array of at least 2 choices`, code: "invalid_dataset" });
  }
  return value.map((choice) => (typeof choice === "string" ? choice : JSON.stringify(choice)));
}

/** Gold index: the rendered `gold` is an index, or the text of one choice. */
export function goldIndexOf(definition: CustomTaskDefinition, document: Record<string, unknown>, choices: readonly string[]): number {
  const scorer = definition.scorer;
  if (scorer.type !== "loglikelihood-multiple-choice") return -1;
  const gold = renderTemplate(scorer.gold, document);
  const byText = choices.indexOf(gold);
  const index = byText >= 0 ? byText : /^\d+$/.test(gold.trim()) ? Number(gold.trim()) : -1;
  if (index < 0 || index >= choices.length) {
    throw new InvalidRequestError({ message: `${definition.name}: gold ${JSON.stringify(gold)} is neither a choice nor a choice index`, code: "invalid_dataset" });
  }
  return index;
}

/**
 * Prompts of a custom task: few-shot examples (`first_n`, or lm-eval's random sampler with one CPython RNG
 * carried over the documents; from the task's own dataset the document itself is excluded, drawing one
 * extra as lm-eval does) rendered `template + delimiter + answer + fewShot.delimiter`, then the document.
 */
export function buildCustomPrompts(
  definition: CustomTaskDefinition,
  documents: readonly Record<string, unknown>[],
  fewShotDocuments?: readonly Record<string, unknown>[],
): CustomPrompt[] {
  const fewShot = definition.fewShot;
  const count = fewShot?.count ?? 0;
  const sameSplit = fewShotDocuments === undefined;
  const pool = fewShotDocuments ?? documents;
  const random = new PythonRandom(fewShot?.seed ?? 1234);
  return documents.map((document, index) => {
    let examples: Record<string, unknown>[] = [];
    if (count > 0) {
      const drawn = count + (sameSplit ? 1 : 0);
      if (drawn > pool.length) throw new InvalidRequestError({ message: `${definition.name}: ${count} few-shot examples requested from ${pool.length}`, param: "fewShot.count" });
      const selected = fewShot?.sampler === "first_n" ? pool.slice(0, drawn) : random.sample(pool, drawn);
      examples = selected.filter((example) => example !== document).slice(0, count);
    }
    const shots = examples
      .map((example) => `${renderTemplate(definition.prompt.template, example)}${definition.prompt.delimiter}${exampleAnswer(definition, example)}${fewShot?.delimiter ?? "\n\n"}`)
      .join("");
    return { index, prompt: shots + renderTemplate(definition.prompt.template, document), document };
  });
}

/** Log-likelihood items of a `loglikelihood-multiple-choice` custom task (both conventions). */
export function buildCustomMultipleChoiceItems(definition: CustomTaskDefinition, prompts: readonly CustomPrompt[]): MultipleChoiceItem[] {
  if (definition.scorer.type !== "loglikelihood-multiple-choice") {
    throw new InvalidRequestError({ message: `${definition.name}: scorer ${definition.scorer.type} is not log-likelihood`, param: "scorer" });
  }
  return prompts.map((prompt) => {
    const choices = choicesOf(definition, prompt.document);
    const goldIndex = goldIndexOf(definition, prompt.document, choices);
    return {
      id: String(prompt.index),
      llamaCpp: { kind: "candidates", candidates: choices.map((choice) => `${prompt.prompt}${definition.prompt.delimiter}${choice}`), accumulation: "float" },
      lmEval: { kind: "choices", context: prompt.prompt, choices, delimiter: definition.prompt.delimiter },
      labels: oneHotLabels(choices.length, goldIndex),
      goldIndex,
      metric: "accuracy",
    };
  });
}
