/** `[EMAIL_1]`, `[PROJECT_12]`: a typed placeholder (labels are upper-case letters, digits and `_`). */
export const placeholderPattern = /\[([A-Z][A-Z0-9_]*)_([1-9][0-9]*)\]/g;

/**
 * The placeholders of one request (or one conversation of one key): each detected value gets a short typed
 * placeholder, the same value always the same one. Lives only as long as the request and is never shared with another
 * request or key, so an answer is unmasked only for the caller whose values it holds; a placeholder the vault did not
 * issue (one the model invented) is left alone.
 */
export class PlaceholderVault {
  private readonly placeholderByValue = new Map<string, string>();
  private readonly valueByPlaceholder = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Every proper prefix of every issued placeholder (from its `[`), for the streaming hold-back. */
  private readonly prefixes = new Set<string>();
  private longest = 0;

  /** The placeholder of `value` as a `label` (issued on first use). */
  placeholderFor(label: string, value: string): string {
    const key = `${label}\u0000${value}`;
    const existing = this.placeholderByValue.get(key);
    if (existing !== undefined) return existing;
    const number = (this.counters.get(label) ?? 0) + 1;
    this.counters.set(label, number);
    const placeholder = `[${label}_${number}]`;
    this.placeholderByValue.set(key, placeholder);
    this.valueByPlaceholder.set(placeholder, value);
    for (let length = 1; length < placeholder.length; length += 1) this.prefixes.add(placeholder.slice(0, length));
    this.longest = Math.max(this.longest, placeholder.length);
    return placeholder;
  }

  /** Keeps a placeholder-looking text found in the input from being issued (its number is skipped for its label). */
  reserve(placeholder: string): void {
    const match = /^\[([A-Z][A-Z0-9_]*)_([1-9][0-9]*)\]$/.exec(placeholder);
    if (!match || this.valueByPlaceholder.has(placeholder)) return;
    const number = Number(match[2]);
    if (Number.isSafeInteger(number)) this.counters.set(match[1]!, Math.max(this.counters.get(match[1]!) ?? 0, number));
  }

  /** The value a placeholder stands for; undefined for one this vault did not issue. */
  valueOf(placeholder: string): string | undefined {
    return this.valueByPlaceholder.get(placeholder);
  }

  /** Whether `text` (starting with `[`) could still grow into an issued placeholder. */
  isPlaceholderPrefix(text: string): boolean {
    return this.prefixes.has(text);
  }

  /** Length of the longest issued placeholder (0 when none was issued). */
  get maxPlaceholderLength(): number {
    return this.longest;
  }

  get size(): number {
    return this.valueByPlaceholder.size;
  }

  /** `text` with every issued placeholder replaced by its value (`escape` encodes it, e.g. for a JSON string). */
  unmask(text: string, escape: (value: string) => string = (value) => value): string {
    if (this.size === 0) return text;
    return text.replace(placeholderPattern, (placeholder) => {
      const value = this.valueOf(placeholder);
      return value === undefined ? placeholder : escape(value);
    });
  }
}

/** The irreversible replacement of a redacted value. */
export function redactionOf(label: string): string {
  return `[REDACTED_${label}]`;
}
