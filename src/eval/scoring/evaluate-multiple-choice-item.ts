import { InvalidRequestError } from "../../spec/index.js";
import type { LoglikelihoodBackend, ScoringConvention } from "../types.js";
import { scoreLlamaCppCandidates } from "./llama-cpp-candidates-score.js";
import { scoreLlamaCppWinogrande } from "./llama-cpp-winogrande-score.js";
import { lmEvalChoiceMetrics } from "./lm-eval-choice-metrics.js";
import type { LoglikelihoodRequest } from "./lm-eval-loglikelihoods.js";
import { computeLmEvalLoglikelihoods } from "./lm-eval-loglikelihoods.js";
import type { MultipleChoiceItem } from "./multiple-choice-item.js";
import { truthfulqaMc2Score } from "./truthfulqa-mc2-score.js";

/** Durable per-item record: everything needed to audit or re-aggregate a prediction. */
export type MultipleChoiceRecord = {
  id: string;
  convention: ScoringConvention;
  /** The strings sent to the tokenizer (candidates, or context + continuation per choice). */
  requests: { context: string; continuation: string }[];
  /** Per choice: token-mean (llama.cpp) or summed log-likelihood (lm-eval). */
  scores: number[];
  prediction: number;
  goldIndex: number;
  /** Metric values of this item, e.g. `acc`, `acc_norm`, `acc_bytes`, `mc2`. */
  metrics: Record<string, number>;
  details: Record<string, unknown>;
};

export type EvaluateItemOptions = {
  convention: ScoringConvention;
  /** lm-eval only: whether the tokenizer adds BOS. Defaults to `true`. */
  addBos?: boolean;
  signal?: AbortSignal | undefined;
};

/** Scores one item under the chosen convention. */
export async function evaluateMultipleChoiceItem(
  backend: LoglikelihoodBackend,
  item: MultipleChoiceItem,
  options: EvaluateItemOptions,
): Promise<MultipleChoiceRecord> {
  options.signal?.throwIfAborted();
  const convention = options.convention;
  switch (convention) {
    case "llama.cpp":
      return evaluateLlamaCpp(backend, item, options.signal);
    case "lm-eval":
      return evaluateLmEval(backend, item, options);
    default:
      throw new InvalidRequestError({ message: `unknown scoring convention ${String(convention satisfies never)}`, param: "scoring" });
  }
}

async function evaluateLlamaCpp(backend: LoglikelihoodBackend, item: MultipleChoiceItem, signal: AbortSignal | undefined): Promise<MultipleChoiceRecord> {
  const query = item.llamaCpp;
  const correct = (prediction: number) => (item.labels[prediction] === 1 ? 1 : 0);
  switch (query.kind) {
    case "candidates": {
      const score = await scoreLlamaCppCandidates(backend, query.candidates, { accumulation: query.accumulation, signal });
      return {
        id: item.id,
        convention: "llama.cpp",
        requests: query.candidates.map((candidate) => ({ context: candidate, continuation: "" })),
        scores: score.scores,
        prediction: score.prediction,
        goldIndex: item.goldIndex,
        metrics: { acc: correct(score.prediction) },
        details: { commonPrefixLength: score.commonPrefixLength, scoredTokenCounts: score.scoredTokenCounts },
      };
    }
    case "winogrande": {
      const score = await scoreLlamaCppWinogrande(backend, query, { signal });
      return {
        id: item.id,
        convention: "llama.cpp",
        requests: query.options.map((option) => ({ context: query.first + option + query.second, continuation: "" })),
        scores: score.scores,
        prediction: score.prediction,
        goldIndex: item.goldIndex,
        metrics: { acc: correct(score.prediction) },
        details: {
          commonPrefixLength: score.commonPrefixLength,
          skippedChoice: score.skippedChoice,
          scoredFrom: score.scoredFrom,
          scoredTokenCounts: score.scoredTokenCounts,
        },
      };
    }
    case "unsupported":
      throw new InvalidRequestError({ message: `item ${item.id}: ${query.reason}`, param: "scoring" });
    default:
      throw new InvalidRequestError({ message: `unknown llama.cpp query ${String((query satisfies never as { kind: string }).kind)}` });
  }
}

async function evaluateLmEval(backend: LoglikelihoodBackend, item: MultipleChoiceItem, options: EvaluateItemOptions): Promise<MultipleChoiceRecord> {
  const query = item.lmEval;
  const requests: LoglikelihoodRequest[] =
    query.kind === "choices"
      ? query.choices.map((choice) => ({ context: query.context, continuation: query.delimiter + choice }))
      : query.contexts.map((context) => ({ context, continuation: query.continuation }));
  const { logLikelihoods, continuationTokenCounts } = await computeLmEvalLoglikelihoods(backend, requests, {
    addBos: options.addBos ?? true,
    signal: options.signal,
  });
  const base = { id: item.id, convention: "lm-eval" as const, requests, scores: logLikelihoods, goldIndex: item.goldIndex };
  if (item.metric === "truthfulqa-mc2") {
    const mc2 = truthfulqaMc2Score(logLikelihoods, item.labels);
    return { ...base, prediction: logLikelihoods.indexOf(Math.max(...logLikelihoods)), metrics: { mc2 }, details: { continuationTokenCounts } };
  }
  if (query.kind === "shared-continuation") {
    // WinoGrande: metric acc only, on summed log-likelihoods.
    const metrics = lmEvalChoiceMetrics(logLikelihoods, query.contexts, item.goldIndex);
    return { ...base, prediction: metrics.prediction, metrics: { acc: metrics.acc }, details: { continuationTokenCounts } };
  }
  const metrics = lmEvalChoiceMetrics(logLikelihoods, query.choices, item.goldIndex);
  return {
    ...base,
    prediction: metrics.prediction,
    metrics: { acc: metrics.acc, acc_norm: metrics.accNorm, acc_bytes: metrics.accBytes },
    details: { continuationTokenCounts, predictionNormalized: metrics.predictionNormalized, predictionBytes: metrics.predictionBytes },
  };
}
