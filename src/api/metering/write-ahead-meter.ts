import type { Usage } from "../../spec/index.js";

/**
 * Decides when the ledger must be checkpointed so that it never bills less than what was already sent.
 *
 * Before a content part goes out, the ledger must cover every token generated so far. The local engine sends a
 * `progress` part with the exact cumulative usage before each text it pays for; adapters that report no progress
 * (upstreams) are counted as at least one token per content part. To avoid a database write per token, the
 * checkpoint is written `windowTokens` ahead: one write per window, and after kill -9 a record bills at most
 * `windowTokens` tokens more than the client received (plus what was in flight in the server), never less.
 */
export class WriteAheadMeter {
  private inputTokens: number | undefined;
  private reportedOutputTokens = 0;
  private contentSinceProgress = 0;
  private ledgerOutputTokens = -1;

  constructor(
    private readonly windowTokens: number,
    /** Prompt tokens as counted before the call (replaced by the engine's count when it reports one). */
    inputTokens: number | undefined,
  ) {
    this.inputTokens = inputTokens;
  }

  /** Records a `progress` part's cumulative usage. */
  progress(usage: Usage): void {
    if (usage.inputTokens !== undefined) this.inputTokens = usage.inputTokens;
    if (usage.outputTokens !== undefined && usage.outputTokens >= this.reportedOutputTokens) {
      this.reportedOutputTokens = usage.outputTokens;
      this.contentSinceProgress = 0;
    }
  }

  /** Call before sending a content part: the usage to checkpoint first, or undefined when the ledger covers it. */
  beforeContent(): Usage | undefined {
    this.contentSinceProgress += 1;
    const needed = this.reportedOutputTokens + this.contentSinceProgress;
    if (needed <= this.ledgerOutputTokens) return undefined;
    this.ledgerOutputTokens = needed + Math.max(0, this.windowTokens - 1);
    return { inputTokens: this.inputTokens, outputTokens: this.ledgerOutputTokens };
  }

  /** A lower bound of what was generated so far (for billing a stream that failed without final usage). */
  generatedAtLeast(): Usage {
    return { inputTokens: this.inputTokens, outputTokens: this.reportedOutputTokens + this.contentSinceProgress };
  }
}
