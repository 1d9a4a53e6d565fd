/** A custom pattern or dictionary that cannot be used (RE2 syntax error, empty, matches the empty string…); names it. */
export class InvalidPatternError extends Error {
  readonly patternName: string;
  constructor(patternName: string, reason: string, kind: "custom pattern" | "dictionary" = "custom pattern") {
    super(`${kind} '${patternName}' is invalid: ${reason}`);
    this.name = "InvalidPatternError";
    this.patternName = patternName;
  }
}
