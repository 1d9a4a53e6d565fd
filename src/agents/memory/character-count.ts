/** Characters of a memory value as limits count them: Unicode code points (an emoji is one, not two). */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}
