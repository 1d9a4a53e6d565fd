/** Cuts a generation before the earliest occurrence of any stop sequence (backends may return it whole). */
export function truncateAtStop(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const sequence of stop) {
    if (sequence === "") continue;
    const at = text.indexOf(sequence);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}
