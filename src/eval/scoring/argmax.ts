/** llama.cpp's selection: strict `>` from index 0, so ties go to the lowest index (and a NaN at index 0 is never beaten). */
export function argmaxStrict(values: readonly number[]): number {
  let best = 0;
  for (let index = 1; index < values.length; index += 1) {
    if (values[index]! > values[best]!) best = index;
  }
  return best;
}

/** numpy's `argmax`: first maximum; a NaN wins (the first NaN), as numpy treats NaN as maximal. */
export function argmaxNumpy(values: readonly number[]): number {
  const firstNaN = values.findIndex((value) => Number.isNaN(value));
  return firstNaN >= 0 ? firstNaN : argmaxStrict(values);
}
