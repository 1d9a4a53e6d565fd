/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** lm-eval `mean_stderr`: `sqrt(Σ(x−μ)²/(n−1)) / sqrt(n)`; `undefined` for fewer than 2 values. */
export function sampleStandardError(values: readonly number[]): number | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  const average = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - average) ** 2;
  return Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
}
