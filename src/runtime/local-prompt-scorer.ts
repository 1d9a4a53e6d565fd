import type { ModelPool } from "./model-pool.js";
import { assertScoreRanges, assertScoreTokens } from "./score-requests.js";
import { ScoringJob } from "./scoring-job.js";
import type { PromptScoreRequest, PromptScorer, RegisteredModel } from "./types.js";

/**
 * Prompt log-probabilities over a pooled local model. Each `scoreTokens` call leases the model from the
 * pool (memory budget and LRU apply) and runs as one scheduler job on one sequence: the requests' common
 * prefix is decoded once, then each continuation (see {@link ScoringJob}). Concurrent calls (several items in
 * flight, e.g. an eval run with `concurrency` up to the model's sequences) run on other sequences and decode in
 * the same batches, with results identical to one-at-a-time scoring (see ScoringStepBatch).
 */
export class LocalPromptScorer implements PromptScorer {
  readonly description: string;
  private prefixToken: number | undefined;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
  ) {
    this.description = `local:${registered.name}`;
  }

  get prefixTokenId(): number | undefined {
    return this.prefixToken;
  }

  async tokenize(text: string, options: { addBos: boolean }): Promise<number[]> {
    const lease = await this.pool.acquireLanguageModel(this.registered);
    try {
      const { model } = lease.loaded;
      this.prefixToken = model.tokens.bos ?? model.tokens.eos ?? undefined;
      const tokens: number[] = model.tokenize(text, false);
      const bos = model.tokens.bos;
      return options.addBos && bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    } finally {
      lease.release();
    }
  }

  async scoreTokens(requests: readonly PromptScoreRequest[], options: { signal?: AbortSignal | undefined } = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    assertScoreRanges(requests);
    if (requests.length === 0) return [];
    const lease = await this.pool.acquireLanguageModel(this.registered, options.signal);
    try {
      const { loaded } = lease;
      assertScoreTokens(requests, loaded.contextSize, this.registered.metadata.vocabularySize);
      const job = new ScoringJob(requests);
      const onAbort = (): void => {
        loaded.scheduler.cancelQueued(job);
        job.cancel(options.signal?.reason);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        loaded.scheduler.submit(job); // OverloadedError when the queue is full
        return await job.done;
      } finally {
        options.signal?.removeEventListener("abort", onAbort);
      }
    } finally {
      lease.release();
    }
  }
}
