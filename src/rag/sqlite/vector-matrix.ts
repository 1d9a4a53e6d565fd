/** One generation's vectors held in memory for exact k-NN by cosine (a flat scan is faster than vec0's for ≤ ~10⁶ chunks). */
export class VectorMatrix {
  private constructor(
    readonly ids: Float64Array,
    readonly vectors: Float32Array,
    readonly inverseNorms: Float32Array,
    readonly dimensions: number,
  ) {}

  /** Builds the matrix from `(rowid, float32 blob)` rows. */
  static from(rows: Array<{ id: number; embedding: Buffer }>, dimensions: number): VectorMatrix {
    const ids = new Float64Array(rows.length);
    const vectors = new Float32Array(rows.length * dimensions);
    const inverseNorms = new Float32Array(rows.length);
    rows.forEach((row, index) => {
      ids[index] = row.id;
      const vector = new Float32Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + dimensions * 4));
      let norm = 0;
      for (let dimension = 0; dimension < dimensions; dimension++) norm += vector[dimension]! * vector[dimension]!;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      inverseNorms[index] = scale;
      // Stored unit-length, so a similarity is one dot product.
      for (let dimension = 0; dimension < dimensions; dimension++) vectors[index * dimensions + dimension] = vector[dimension]! * scale;
    });
    return new VectorMatrix(ids, vectors, inverseNorms, dimensions);
  }

  get size(): number {
    return this.ids.length;
  }

  /** The `k` most cosine-similar rows, best first (ties: lower id first). */
  nearest(query: Float32Array, k: number): Array<{ id: number; similarity: number }> {
    const { dimensions, vectors } = this;
    let queryNorm = 0;
    for (let dimension = 0; dimension < dimensions; dimension++) queryNorm += query[dimension]! * query[dimension]!;
    const queryScale = queryNorm > 0 ? 1 / Math.sqrt(queryNorm) : 0;
    const unit = new Float32Array(dimensions);
    for (let dimension = 0; dimension < dimensions; dimension++) unit[dimension] = query[dimension]! * queryScale;
    const tail = dimensions - (dimensions % 4);
    const count = Math.min(k, this.size);
    const bestScores = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
    const bestRows = new Int32Array(count).fill(-1);
    let threshold = Number.NEGATIVE_INFINITY;
    for (let row = 0, offset = 0; row < this.size; row++, offset += dimensions) {
      let dot0 = 0;
      let dot1 = 0;
      let dot2 = 0;
      let dot3 = 0;
      let dimension = 0;
      for (; dimension < tail; dimension += 4) {
        dot0 += vectors[offset + dimension]! * unit[dimension]!;
        dot1 += vectors[offset + dimension + 1]! * unit[dimension + 1]!;
        dot2 += vectors[offset + dimension + 2]! * unit[dimension + 2]!;
        dot3 += vectors[offset + dimension + 3]! * unit[dimension + 3]!;
      }
      for (; dimension < dimensions; dimension++) dot0 += vectors[offset + dimension]! * unit[dimension]!;
      const similarity = dot0 + dot1 + dot2 + dot3;
      if (similarity <= threshold) continue;
      let position = count - 1;
      while (position > 0 && bestScores[position - 1]! < similarity) {
        bestScores[position] = bestScores[position - 1]!;
        bestRows[position] = bestRows[position - 1]!;
        position--;
      }
      bestScores[position] = similarity;
      bestRows[position] = row;
      threshold = bestScores[count - 1]!;
    }
    const result: Array<{ id: number; similarity: number }> = [];
    for (let index = 0; index < count; index++) if (bestRows[index]! >= 0) result.push({ id: this.ids[bestRows[index]!]!, similarity: bestScores[index]! });
    return result;
  }
}
