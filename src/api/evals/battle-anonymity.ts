import { AiplusError, type OpenAIErrorType, sameModelName } from "../../spec/index.js";
import type { ProviderRecord } from "../../store/index.js";

/** What must not reach the voter before the vote: each side's model names and the upstreams that serve them. */
export type BattleIdentities = { a: string; b: string };

/** A literal, case-insensitive pattern. */
function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
}

/**
 * Hides a battle's model identities in text shown before the vote (error messages of a side that failed): each side's
 * model name (and the providers' spellings of it) becomes `model A` / `model B`, and the name and base URL of every
 * provider serving either model become `(hidden)`. Longer names are replaced first.
 */
export function battleRedactor(identities: BattleIdentities, providers: readonly ProviderRecord[]): (text: string) => string {
  const replacements = new Map<string, string>();
  for (const [side, model] of [["A", identities.a], ["B", identities.b]] as const) {
    replacements.set(model.toLowerCase(), `model ${side}`);
    for (const provider of providers) {
      const spelling = provider.models.find((listed) => sameModelName(listed, model));
      if (spelling === undefined) continue;
      replacements.set(spelling.toLowerCase(), `model ${side}`);
      for (const upstream of [provider.name, provider.baseUrl, new URL(provider.baseUrl).host]) replacements.set(upstream.toLowerCase(), "(hidden)");
    }
  }
  const ordered = [...replacements].filter(([text]) => text !== "").sort(([left], [right]) => right.length - left.length);
  return (text) => ordered.reduce((redacted, [name, replacement]) => redacted.replace(literal(name), replacement), text);
}

/** An error of a battle side with its identities hidden: the original's status, type, param, code and headers. */
export class AnonymizedBattleError extends AiplusError {
  readonly statusCode: number;
  readonly type: OpenAIErrorType;
  override readonly isRetryable: boolean;
  private readonly original: AiplusError;

  constructor(original: AiplusError, message: string) {
    super({ message, param: original.param, code: original.code });
    this.statusCode = original.statusCode;
    this.type = original.type;
    this.isRetryable = original.isRetryable;
    this.original = original;
  }

  override headers(): Record<string, string> {
    return this.original.headers();
  }
}

/**
 * A side's failure as the voter may see it. An aiplus error keeps its status and code with a redacted message (a
 * provider's answer may name the model); anything else is a bug, answered with a generic 500 anyway.
 */
export function anonymizedBattleError(error: unknown, redact: (text: string) => string): unknown {
  return AiplusError.isInstance(error) ? new AnonymizedBattleError(error, redact(error.message)) : error;
}
