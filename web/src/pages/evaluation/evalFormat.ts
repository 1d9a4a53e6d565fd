/** How evaluation numbers read on screen: fractions in [0, 1] as percent with two decimals (as `aiplus eval`). */

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(2)}%`;
}

/** `[12.50%, 87.50%]`, or `—` without an interval. */
export function formatInterval(interval: [number, number] | null | undefined): string {
  return interval ? `[${formatPercent(interval[0])}, ${formatPercent(interval[1])}]` : "—";
}

/** `± 3.42` percent points, or `—`. */
export function formatStandardError(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `± ${(value * 100).toFixed(2)}`;
}

/** A signed difference in percent points: `+4.00` / `−2.50`. */
export function formatPoints(value: number): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value * 100).toFixed(2)}`;
}

/** Any JSON value as short text for a table cell. */
export function summarizeValue(value: unknown, maximumLength = 160): string {
  if (value === null || value === undefined) return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > maximumLength ? `${text.slice(0, maximumLength - 1)}…` : text;
}

/** A prompt as text: log-likelihood items store `[{context, continuation}]`, generative ones the prompt text. */
export function promptText(prompt: unknown): string {
  if (Array.isArray(prompt)) {
    const first: unknown = prompt[0];
    if (typeof first === "object" && first !== null && "context" in first && typeof first.context === "string") return first.context;
  }
  return summarizeValue(prompt, 100_000);
}
