import {
  OverloadedError,
  type LanguageModel,
  type LanguageModelCallOptions,
  type LanguageModelInfo,
  type LanguageModelStreamPart,
} from "../../spec/index.js";
import { assertNoImages, estimatedImageTokens, firstImageParam } from "../chat-images.js";
import { assertNotFarBeyondContext, checkedPromptTokens, warningsFor } from "../local-language-model.js";
import type { ModelPool, PoolLease } from "../model-pool.js";
import { outputConstraintFor } from "../output-constraint.js";
import { promptTokensFor } from "../prompt-tokens.js";
import { randomSeed } from "../sampling-options.js";
import type { RegisteredModel } from "../types.js";
import type { LoadedWorkerModel } from "./loaded-worker-model.js";
import { multimodalPromptFor } from "./multimodal-prompt.js";
import { WorkerGeneration } from "./worker-generation.js";

/** A serialized llama.cpp PEG parser that matches the empty string: parses nothing, never fails. */
const acceptAnythingParser = JSON.stringify({ parsers: [{ type: "epsilon" }], rules: {}, root: 0 });

/** The fields of the final event aiplus reads (llama-server would also send its settings, timings and the prompt). */
const finalEventFields = ["content", "stop", "stop_type", "tokens_predicted", "tokens_evaluated"];

/** llama-server `/completion` sampling fields from OpenAI-style settings (same defaults as the in-process engine). */
function samplingFields(sampling: LanguageModelCallOptions["sampling"], contextSize: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    temperature: sampling.temperature ?? 1,
    top_k: sampling.topK ?? 0,
    top_p: sampling.topP ?? 1,
    min_p: sampling.minP ?? 0,
    typical_p: 1,
    seed: sampling.seed ?? randomSeed(),
    repeat_penalty: 1,
    presence_penalty: sampling.presencePenalty ?? 0,
    frequency_penalty: sampling.frequencyPenalty ?? 0,
    // Penalties count every generated token, as on the in-process engine.
    repeat_last_n: contextSize,
  };
  if (sampling.logitBias && Object.keys(sampling.logitBias).length > 0) {
    fields.logit_bias = Object.entries(sampling.logitBias).map(([token, bias]) => [Number(token), bias <= -100 ? false : bias]);
  }
  return fields;
}

/**
 * A registered GGUF as a LanguageModel on the native engine: prompts are formatted and tokenized here exactly as on
 * the in-process engine (chat template, tools), grammars are the same GBNF; a llama-server worker decodes. Prompt
 * scoring (`echo` with `logprobs`) goes to `promptScoring` (the in-process engine) until the native scorer lands.
 */
export class NativeLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1";
  readonly provider = "llama.cpp";
  readonly modelId: string;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
    private readonly promptScoring: LanguageModel,
  ) {
    this.modelId = registered.name;
  }

  async info(): Promise<LanguageModelInfo> {
    return this.withModel(async ({ loaded }) => ({ contextLength: loaded.contextSize }));
  }

  async countPromptTokens(options: LanguageModelCallOptions): Promise<number | undefined> {
    this.assertCanReadImages(options);
    return this.withModel(async ({ loaded }) => {
      assertNotFarBeyondContext(loaded, options);
      return promptTokensFor(loaded, options).tokens.length + estimatedImageTokens(options, this.registered.metadata.projector);
    });
  }

  async doStream(options: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }> {
    if (options.prompt.type === "text" && options.prompt.echo && options.logprobs !== undefined) return this.promptScoring.doStream(options);
    this.assertCanReadImages(options);
    const lease = await this.pool.acquireWorker(this.registered, options.abortSignal);
    try {
      return { stream: await this.start(lease, options) };
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  /** Images need a projector registered with the model (`models add --mmproj`). */
  private assertCanReadImages(options: LanguageModelCallOptions): void {
    if (this.registered.metadata.projector) return;
    assertNoImages(options, this.modelId, "it has no vision projector; register it with `aiplus models add <model.gguf> --mmproj <projector.gguf>`");
  }

  private async withModel<T>(work: (lease: PoolLease<LoadedWorkerModel>) => Promise<T>): Promise<T> {
    const lease = await this.pool.acquireWorker(this.registered);
    try {
      return await work(lease);
    } finally {
      lease.release();
    }
  }

  private async start(lease: PoolLease<LoadedWorkerModel>, options: LanguageModelCallOptions): Promise<ReadableStream<LanguageModelStreamPart>> {
    const { loaded, llama } = lease;
    const { maxTokens } = options.sampling;
    const prompt = checkedPromptTokens(loaded, options);
    // A chat with images goes to the worker as text with media markers and the images (its projector encodes them).
    const multimodal = firstImageParam(options) !== undefined ? multimodalPromptFor(loaded, options) : undefined;
    const contextSize = loaded.contextSize;
    const topLogprobs = options.logprobs?.topLogprobs;
    const { worker } = loaded;
    if (worker.requestsInFlight >= worker.settings.slots + loaded.maxQueue) {
      throw new OverloadedError({ message: `model ${this.modelId} has ${loaded.maxQueue} requests waiting already`, code: "queue_full" });
    }
    const constraint = await outputConstraintFor(llama, options);
    const stopTexts = [...(options.sampling.stop ?? []), ...prompt.stopTexts];
    const body: Record<string, unknown> = {
      prompt: multimodal ? multimodal.body : prompt.tokens,
      stream: true,
      cache_prompt: true,
      // The text of every event is relayed raw: llama-server's own chat-output parser is replaced by one that accepts
      // anything at once (the default re-parses the whole output per token, and fails on bytes that are not UTF-8).
      chat_parser: acceptAnythingParser,
      response_fields: finalEventFields,
      n_predict: maxTokens ?? -1,
      ...samplingFields(options.sampling, contextSize),
      ...(stopTexts.length > 0 ? { stop: stopTexts } : {}),
      ...(constraint.grammar ? { grammar: constraint.grammar.grammar } : {}),
      // llama-server sends the sampled token's probability only with n_probs ≥ 1.
      ...(topLogprobs !== undefined ? { n_probs: Math.max(1, topLogprobs) } : {}),
    };
    options.abortSignal?.throwIfAborted();
    await worker.ensureReady(options.abortSignal);
    const generation = new WorkerGeneration({
      worker,
      body,
      promptTokenCount: multimodal ? multimodal.textTokenCount : prompt.tokens.length,
      textPromptTokenCount: multimodal?.textTokenCount,
      maxTokens,
      mode: constraint.mode,
      constrained: constraint.grammar !== undefined,
      stopTexts,
      topLogprobs,
      abortSignal: options.abortSignal,
      release: lease.release,
    });
    const echo = options.prompt.type === "text" && options.prompt.echo ? options.prompt.text : undefined;
    return generation.start([
      { type: "stream-start", warnings: warningsFor(options) },
      { type: "response-metadata", route: "local", modelId: this.modelId },
      ...(echo !== undefined ? [{ type: "prompt-echo" as const, text: echo }] : []),
    ]);
  }
}
