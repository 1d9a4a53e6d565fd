import type { FailedAttempt, LanguageModelStreamPart } from "../spec/index.js";

/**
 * What one route attempt consumed, from the parts the gateway read of it before deciding to retry or fail over:
 * prompt tokens as the upstream reported them (`progress`, `finish`), generated tokens as reported plus one per
 * content part since the last report (a lower bound, as the ledger counts a broken stream). Unknown stays undefined.
 */
export class AttemptUsage {
  private modelId: string | undefined;
  private inputTokens: number | undefined;
  private reportedOutputTokens: number | undefined;
  private contentSinceReport = 0;

  observe(part: LanguageModelStreamPart): void {
    switch (part.type) {
      case "response-metadata":
        this.modelId = part.modelId;
        break;
      case "progress":
      case "finish":
        if (part.usage.inputTokens !== undefined) this.inputTokens = part.usage.inputTokens;
        if (part.usage.outputTokens !== undefined && part.usage.outputTokens >= (this.reportedOutputTokens ?? 0)) {
          this.reportedOutputTokens = part.usage.outputTokens;
          this.contentSinceReport = 0;
        }
        break;
      case "text-delta":
      case "tool-call":
      case "prompt-echo":
        this.contentSinceReport += 1;
        break;
      case "stream-start":
      case "error":
        break;
      default:
        part satisfies never;
    }
  }

  /** The attempt as abandoned on `route`. */
  failedAttempt(route: string): FailedAttempt {
    const unknown = this.reportedOutputTokens === undefined && this.contentSinceReport === 0;
    const outputTokens = unknown ? undefined : (this.reportedOutputTokens ?? 0) + this.contentSinceReport;
    return { route, modelId: this.modelId, usage: { inputTokens: this.inputTokens, outputTokens } };
  }
}
