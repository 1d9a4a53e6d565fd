import { randomBytes } from "node:crypto";
import {
  ContextOverflowError,
  InvalidRequestError,
  type CallWarning,
  type LanguageModel,
  type LanguageModelCallOptions,
  type LanguageModelInfo,
  type LanguageModelStreamPart,
} from "../spec/index.js";
import { GenerationJob } from "./generation-job.js";
import type { PromptLogprobsScorer } from "./native-score/index.js";
import type { LoadedLanguageModel } from "./loaded-model.js";
import type { ModelPool, PoolLease } from "./model-pool.js";
import { outputConstraintFor } from "./output-constraint.js";
import { type PromptTokens, promptTokensFor } from "./prompt-tokens.js";
import { evaluateOptionsFor } from "./sampling-options.js";
import { tokensBeyond } from "./tokens-beyond.js";
import type { RegisteredModel } from "./types.js";
import { assertNoImages } from "./chat-images.js";

/** Why the in-process engine refuses images. */
const inProcessImagesReason = "the node-llama-cpp engine has no multimodal support; images need the native engine (AIPLUS_ENGINE=native) and a model registered with --mmproj";

const maximumTopLogprobs = 20;

export function newToolCallId(): string {
  return `call_${randomBytes(12).toString("base64url")}`;
}

export function warningsFor(options: LanguageModelCallOptions): CallWarning[] {
  const warnings: CallWarning[] = [];
  const providerOptions = options.providerOptions?.["llama.cpp"];
  if (providerOptions && Object.keys(providerOptions).length > 0) {
    warnings.push({ type: "unsupported-setting", setting: "providerOptions.llama.cpp", details: "no provider options are supported" });
  }
  if (options.tools?.length && (options.toolChoice ?? { type: "auto" }).type === "auto") {
    warnings.push({
      type: "unsupported-setting",
      setting: "tool_choice",
      details: "auto tool choice generates text (tools are described in the prompt); use required or a named tool to get a tool call",
    });
  }
  if (options.prompt.type === "text" && options.prompt.echo && options.tools?.length) {
    warnings.push({ type: "unsupported-setting", setting: "tools", details: "tools are ignored for text prompts" });
  }
  return warnings;
}

/**
 * The prompt's tokens once the call's generation options are valid for this model (both local engines): `max_tokens`
 * (0 only with echo: scoring a prompt generates nothing), `top_logprobs`, and the prompt plus `max_tokens` within the
 * context (`context_length_exceeded`, never truncation).
 */
export function checkedPromptTokens(loaded: Pick<LoadedLanguageModel, "model" | "chatWrapper" | "contextSize">, options: LanguageModelCallOptions): PromptTokens {
  const { maxTokens } = options.sampling;
  const echoing = options.prompt.type === "text" && options.prompt.echo === true;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < (echoing ? 0 : 1))) {
    throw new InvalidRequestError({
      message: `max_tokens must be a ${echoing ? "non-negative" : "positive"} integer, got ${maxTokens}`,
      param: "max_tokens",
    });
  }
  const topLogprobs = options.logprobs?.topLogprobs;
  if (topLogprobs !== undefined && (!Number.isInteger(topLogprobs) || topLogprobs < 0 || topLogprobs > maximumTopLogprobs)) {
    throw new InvalidRequestError({ message: `top_logprobs must be an integer from 0 to ${maximumTopLogprobs}`, param: "top_logprobs" });
  }
  assertNotFarBeyondContext(loaded, options);
  const prompt = promptTokensFor(loaded, options);
  const contextSize = loaded.contextSize;
  if (prompt.tokens.length >= contextSize || (maxTokens !== undefined && prompt.tokens.length + maxTokens > contextSize)) {
    throw new ContextOverflowError({
      message: `the prompt has ${prompt.tokens.length} tokens${maxTokens !== undefined ? ` and max_tokens is ${maxTokens}` : ""}, which exceeds the model's context of ${contextSize} tokens`,
      param: maxTokens !== undefined ? "max_tokens" : "messages",
      code: "context_length_exceeded",
    });
  }
  return prompt;
}

/** A prompt far longer than the context is refused after tokenizing a prefix, not the whole text (see tokensBeyond). */
export function assertNotFarBeyondContext(loaded: Pick<LoadedLanguageModel, "model" | "contextSize">, options: LanguageModelCallOptions): void {
  const texts = options.prompt.type === "text" ? [options.prompt.text] : options.prompt.messages.map((message) => message.content);
  const beyond = tokensBeyond((text) => loaded.model.tokenize(text, false), texts, loaded.contextSize);
  if (!beyond) return;
  throw new ContextOverflowError({
    message: `the prompt exceeds the model's context of ${loaded.contextSize} tokens: its first ${beyond.characters} characters alone are ${beyond.tokens} tokens`,
    param: options.prompt.type === "text" ? "prompt" : "messages",
    code: "context_length_exceeded",
  });
}

/** A registered GGUF as a LanguageModel, served by the local llama.cpp engine. */
export class LocalLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1";
  readonly provider = "llama.cpp";
  readonly modelId: string;

  constructor(
    private readonly registered: RegisteredModel,
    private readonly pool: ModelPool,
    /** Echoed prompts' log-probabilities from the native scorer; undefined: scored in-process. */
    private readonly promptLogprobs?: PromptLogprobsScorer | undefined,
  ) {
    this.modelId = registered.name;
  }

  async info(): Promise<LanguageModelInfo> {
    return this.withModel(async ({ loaded }) => ({ contextLength: loaded.contextSize }));
  }

  async countPromptTokens(options: LanguageModelCallOptions): Promise<number | undefined> {
    assertNoImages(options, this.modelId, inProcessImagesReason);
    return this.withModel(async ({ loaded }) => {
      assertNotFarBeyondContext(loaded, options);
      return promptTokensFor(loaded, options).tokens.length;
    });
  }

  async doStream(options: LanguageModelCallOptions): Promise<{ stream: ReadableStream<LanguageModelStreamPart> }> {
    assertNoImages(options, this.modelId, inProcessImagesReason);
    const lease = await this.pool.acquireLanguageModel(this.registered, options.abortSignal);
    try {
      return { stream: await this.start(lease, options) };
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  private async withModel<T>(work: (lease: PoolLease<LoadedLanguageModel>) => Promise<T>): Promise<T> {
    const lease = await this.pool.acquireLanguageModel(this.registered);
    try {
      return await work(lease);
    } finally {
      lease.release();
    }
  }

  private async start(lease: PoolLease<LoadedLanguageModel>, options: LanguageModelCallOptions): Promise<ReadableStream<LanguageModelStreamPart>> {
    const { loaded, llama } = lease;
    const { maxTokens } = options.sampling;
    const prompt = checkedPromptTokens(loaded, options);
    const contextSize = loaded.contextSize;
    const topLogprobs = options.logprobs?.topLogprobs;
    const constraint = await outputConstraintFor(llama, options);
    const echo = options.prompt.type === "text" && options.prompt.echo ? { text: options.prompt.text } : undefined;
    let controller!: ReadableStreamDefaultController<LanguageModelStreamPart>;
    const stream = new ReadableStream<LanguageModelStreamPart>({
      start: (streamController) => {
        controller = streamController;
      },
      cancel: () => job.cancel(),
    });
    let closed = false;
    const onAbort = (): void => {
      loaded.scheduler.cancelQueued(job); // a waiting job never gets a sequence
      job.cancel(); // a running one ends now; the scheduler frees its sequence at the step boundary
    };
    const promptLogprobs = this.promptLogprobs;
    const job: GenerationJob = new GenerationJob({
      model: loaded.model,
      promptTokens: prompt.tokens,
      bosCount: prompt.bosCount,
      contextSize,
      maxTokens,
      evaluateOptions: evaluateOptionsFor(loaded.model, options.sampling, () => job.generatedTokens),
      grammar: constraint.grammar,
      mode: constraint.mode,
      stopTexts: [...(options.sampling.stop ?? []), ...prompt.stopTexts],
      topLogprobs,
      echo,
      scorePromptLogprobs: promptLogprobs ? (tokens, bosCount, topCount) => promptLogprobs(loaded.model, tokens, bosCount, topCount, options.abortSignal) : undefined,
      emit: (part) => {
        if (!closed) {
          try {
            controller.enqueue(part);
          } catch {
            // the reader cancelled the stream
          }
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        options.abortSignal?.removeEventListener("abort", onAbort);
        lease.release();
        try {
          controller.close();
        } catch {
          // the reader cancelled the stream
        }
      },
      newToolCallId,
    });
    controller.enqueue({ type: "stream-start", warnings: warningsFor(options) });
    controller.enqueue({ type: "response-metadata", route: "local", modelId: this.modelId });
    // An abort during the awaits above (the grammar) would find no listener yet: end the call with it now.
    options.abortSignal?.throwIfAborted();
    loaded.scheduler.submit(job); // throws OverloadedError when the queue is full
    options.abortSignal?.addEventListener("abort", onAbort, { once: true });
    return stream;
  }
}
