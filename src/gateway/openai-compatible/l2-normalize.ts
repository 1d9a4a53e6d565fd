const tolerance = 1e-6;

/** The vector scaled to unit length; returned as is when already normalised (or all zeros). */
export function l2Normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0 || Math.abs(norm - 1) <= tolerance) return [...vector];
  return vector.map((value) => value / norm);
}
