import { argmaxNumpy } from "./argmax.js";

export type LmEvalChoiceMetrics = {
  /** argmax of the summed log-likelihoods. */
  prediction: number;
  /** argmax of log-likelihood / character length of the choice (Python `len`: code points). */
  predictionNormalized: number;
  /** argmax of log-likelihood / UTF-8 byte length of the choice. */
  predictionBytes: number;
  acc: 0 | 1;
  accNorm: 0 | 1;
  accBytes: 0 | 1;
};

/**
 * lm-eval `process_results` for `multiple_choice`: `acc`, per-character `acc_norm` and `acc_bytes`.
 * Lengths count the choice string without the target delimiter; ties go to the first index (numpy).
 */
export function lmEvalChoiceMetrics(logLikelihoods: readonly number[], choices: readonly string[], goldIndex: number): LmEvalChoiceMetrics {
  const encoder = new TextEncoder();
  const prediction = argmaxNumpy(logLikelihoods);
  const predictionNormalized = argmaxNumpy(logLikelihoods.map((value, index) => value / [...choices[index]!].length));
  const predictionBytes = argmaxNumpy(logLikelihoods.map((value, index) => value / encoder.encode(choices[index]).byteLength));
  return {
    prediction,
    predictionNormalized,
    predictionBytes,
    acc: prediction === goldIndex ? 1 : 0,
    accNorm: predictionNormalized === goldIndex ? 1 : 0,
    accBytes: predictionBytes === goldIndex ? 1 : 0,
  };
}
