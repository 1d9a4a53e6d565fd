/** Number of leading tokens shared by every sequence. */
export function commonPrefixLength(sequences: readonly (readonly number[])[]): number {
  const [first, ...rest] = sequences;
  if (!first) return 0;
  let length = 0;
  for (; length < first.length; length += 1) {
    const token = first[length];
    if (!rest.every((sequence) => length < sequence.length && sequence[length] === token)) break;
  }
  return length;
}
