/** A custom pattern that RE2 cannot compile (or that is empty); the message names the pattern. */
export class InvalidPatternError extends Error {
  readonly patternName: string;
  constructor(patternName: string, reason: string) {
    super(`custom pattern '${patternName}' is not valid RE2 syntax: ${reason}`);
    this.name = "InvalidPatternError";
    this.patternName = patternName;
  }
}
