/** What the matcher lets through after one chunk of text. */
export type StopMatchResult = {
  /** Text that is safe to emit now (never part of a stop string). */
  emit: string;
  /** True when a stop string was found; everything from it on is dropped. */
  stopped: boolean;
};

/**
 * Finds stop strings in streamed text. Text that could still become a stop string is held back
 * until it is disambiguated, so neither a stop string nor a partial prefix of one is ever emitted.
 */
export class StopSequenceMatcher {
  private held = "";
  private readonly stops: string[];

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((stop) => stop.length > 0);
  }

  push(text: string): StopMatchResult {
    if (this.stops.length === 0) return { emit: text, stopped: false };
    const buffer = this.held + text;
    let firstStop = -1;
    for (const stop of this.stops) {
      const index = buffer.indexOf(stop);
      if (index >= 0 && (firstStop < 0 || index < firstStop)) firstStop = index;
    }
    if (firstStop >= 0) {
      this.held = "";
      return { emit: buffer.slice(0, firstStop), stopped: true };
    }
    const holdLength = this.longestPartialStopSuffix(buffer);
    this.held = buffer.slice(buffer.length - holdLength);
    return { emit: buffer.slice(0, buffer.length - holdLength), stopped: false };
  }

  /** Releases the held text at the end of generation (it never became a stop string). */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  private longestPartialStopSuffix(buffer: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      const maximum = Math.min(stop.length - 1, buffer.length);
      for (let length = maximum; length > longest; length--) {
        if (buffer.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
