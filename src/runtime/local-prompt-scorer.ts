import { ContextOverflowError, InvalidRequestError } from "../spec/index.js";
import type { ModelPool } from "./model-pool.js";
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
    for (const request of requests) {
      if (!Number.isInteger(request.from) || request.from < 1 || request.from > request.tokens.length) {
        throw new InvalidRequestError({ message: `score request: from must be an integer from 1 to ${request.tokens.length}, got ${request.from}` });
      }
    }
    if (requests.length === 0) return [];
    const lease = await this.pool.acquireLanguageModel(this.registered, options.signal);
    try {
      const { loaded } = lease;
      const vocabulary = this.registered.metadata.vocabularySize ?? Number.POSITIVE_INFINITY;
      for (const request of requests) {
        if (request.tokens.length > loaded.contextSize) {
          throw new ContextOverflowError({
            message: `a scored sequence has ${request.tokens.length} tokens, more than the model's context of ${loaded.contextSize} tokens`,
            code: "context_length_exceeded",
          });
        }
        if (request.tokens.some((token) => !Number.isInteger(token) || token < 0 || token >= vocabulary)) {
          throw new InvalidRequestError({ message: `score request: token ids must be integers from 0 to ${vocabulary - 1}` });
        }
      }
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
