import { assertScoreRanges, assertScoreTokens } from "../score-requests.js";
import type { PromptScoreRequest, PromptScorer, RegisteredModel } from "../types.js";
import { scoringContextSize, type NativeScoreEngine } from "./native-score-engine.js";

/**
 * Prompt log-probabilities (log-likelihood evaluation) from the native `aiplus-score` tool: tokenization and
 * scoring both run in the model's helper process, so an evaluation never loads the model in-process. Requests are
 * validated here exactly as the in-process LocalPromptScorer does (same errors, same messages); each call's requests
 * go to the tool as one group (their common prefix decoded once), batched with concurrent calls.
 */
export class NativePromptScorer implements PromptScorer {
  readonly description: string;
  /**
   * Items (each one call: its choices) an eval run keeps in flight by default: the tool packs them into batches of up
   * to 64 sequences and its token budget, two requests deep, so it decodes full batches like llama-perplexity.
   */
  readonly callsInFlight = 32;
  private prefixToken: number | undefined;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly engine: NativeScoreEngine,
  ) {
    this.description = `local:${registered.name}`;
  }

  get prefixTokenId(): number | undefined {
    return this.prefixToken;
  }

  async tokenize(text: string, options: { addBos: boolean }): Promise<number[]> {
    const info = await this.engine.info(this.registered);
    this.prefixToken = info.bos >= 0 ? info.bos : info.eos >= 0 ? info.eos : undefined;
    return this.engine.tokenize(this.registered, text, options.addBos);
  }

  async scoreTokens(requests: readonly PromptScoreRequest[], options: { signal?: AbortSignal | undefined } = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    assertScoreRanges(requests);
    if (requests.length === 0) return [];
    assertScoreTokens(requests, scoringContextSize(this.registered, this.engine.options.contextSize), this.registered.metadata.vocabularySize);
    const [results] = await this.engine.score(this.registered, [requests], { signal: options.signal });
    return results!.map((result) => Array.from(result.logprobs));
  }
}
