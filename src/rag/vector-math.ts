/** Cosine similarity; 0 when either vector is zero. */
export function cosineSimilarity(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    dot += left[index]! * right[index]!;
    leftNorm += left[index]! * left[index]!;
    rightNorm += right[index]! * right[index]!;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}

/** L2-normalised copy as Float32Array (a zero vector stays zero). */
export function normaliseVector(vector: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let index = 0; index < vector.length; index++) norm += vector[index]! * vector[index]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const result = new Float32Array(vector.length);
  for (let index = 0; index < vector.length; index++) result[index] = vector[index]! * scale;
  return result;
}
