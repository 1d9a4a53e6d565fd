/** z of a two-sided 95% interval, as llama.cpp writes it. */
export const z95 = 1.95996398454;

/**
 * Wilson score interval of a proportion, written as llama-perplexity (LC2) computes it for HellaSwag.
 * Returns `[0, 1]` for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = z95): [number, number] {
  if (n <= 0) return [0, 1];
  const frequency = successes / n;
  const zz = (z * z) / n;
  const half = (zz * Math.sqrt(n * (4 * frequency * (1 - frequency) + zz))) / (z + z);
  return [(frequency + zz * 0.5 - half) / (1 + zz), (frequency + zz * 0.5 + half) / (1 + zz)];
}
