import { InvalidRequestError } from "../../spec/index.js";

/**
 * Unbiased pass@k (openai/human-eval `estimate_pass_at_k`): `1 − C(n−c, k)/C(n, k)`, computed as
 * `1 − Π_{i=n−c+1..n} (1 − k/i)`, and 1 when `n − c < k`.
 */
export function passAtK(samples: number, correct: number, k: number): number {
  if (!(Number.isInteger(samples) && Number.isInteger(correct) && Number.isInteger(k)) || correct < 0 || correct > samples || k < 1 || k > samples) {
    throw new InvalidRequestError({ message: `pass@k needs 0 ≤ c ≤ n and 1 ≤ k ≤ n (n=${samples}, c=${correct}, k=${k})` });
  }
  if (samples - correct < k) return 1;
  let product = 1;
  for (let i = samples - correct + 1; i <= samples; i += 1) product *= 1 - k / i;
  return 1 - product;
}
