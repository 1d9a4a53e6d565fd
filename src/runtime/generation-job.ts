import {
  LlamaGrammarEvaluationState,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type SequenceEvaluateOptions,
  type Token,
} from "node-llama-cpp";
import { type FinishReason, type LanguageModelStreamPart, ServiceUnavailableError, type TokenLogprob, type Usage } from "../spec/index.js";
import { isCompleteJson } from "./json-completion.js";
import { IncrementalDetokenizer } from "./incremental-detokenizer.js";
import { evaluatePromptLogprobs } from "./prompt-logprobs.js";
import type { ScheduledJob } from "./sequence-scheduler.js";
import { StopSequenceMatcher } from "./stop-sequence-matcher.js";
import { tokenLogprobFromProbabilities } from "./token-logprobs.js";

/** The error of a generation cut because its model was unloaded (the runtime is shutting down). */
function modelUnloaded(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError({ message: "the model was unloaded before the generation finished (the server is shutting down)", code: "model_unloaded", cause });
}

export type GenerationJobOptions = {
  model: LlamaModel;
  promptTokens: Token[];
  /** Leading BOS tokens of `promptTokens` (0 or 1): context only, never echoed. */
  bosCount: number;
  /** Tokens per sequence; prompt plus generated tokens never exceed it. */
  contextSize: number;
  maxTokens: number | undefined;
  evaluateOptions: SequenceEvaluateOptions;
  grammar: LlamaGrammar | undefined;
  mode: "text" | "tool-call";
  stopTexts: string[];
  topLogprobs: number | undefined;
  /** Echo the prompt (legacy completions); with `topLogprobs` also score it. */
  echo: { text: string } | undefined;
  /**
   * Scores the echoed prompt elsewhere (the native scorer) instead of on this sequence; the prompt is then
   * evaluated here for generation only. Undefined: scored in-process (evaluatePromptLogprobs).
   */
  scorePromptLogprobs?: ((promptTokens: readonly Token[], bosCount: number, topCount: number) => Promise<(TokenLogprob | null)[]>) | undefined;
  emit: (part: LanguageModelStreamPart) => void;
  /** Ends the stream; called once the sequence is free again (or the job never got one). */
  close: () => void;
  newToolCallId: () => string;
};

type EvaluationOutput = { token: Token; probabilities?: Map<Token, number> | undefined };
type EvaluationGenerator = AsyncGenerator<EvaluationOutput, void, void | Token | Token[]>;

/** One generation request: drives its sequence token by token and turns tokens into stream parts. */
export class GenerationJob implements ScheduledJob {
  private generator: EvaluationGenerator | undefined;
  private sequence: LlamaContextSequence | undefined;
  private readonly generated: Token[] = [];
  private readonly stopMatcher: StopSequenceMatcher;
  private detokenizer: IncrementalDetokenizer;
  private pendingLogprobs: TokenLogprob[] = [];
  private toolText = "";
  /** Everything generated so far under a grammar, to detect a completed JSON value. */
  private constrainedText = "";
  private inputTokens = 0;
  private finished = false;
  private isCancelled = false;
  /**
   * Parts made since the last flush. The scheduler flushes them right after the next decode is dispatched, so
   * the HTTP side (metering, chunk encoding, socket writes) runs while llama.cpp computes the next token instead
   * of before it.
   */
  private outbox: LanguageModelStreamPart[] = [];

  constructor(private readonly options: GenerationJobOptions) {
    this.stopMatcher = new StopSequenceMatcher(options.stopTexts);
    this.detokenizer = new IncrementalDetokenizer(options.model, options.promptTokens);
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  get generatedTokens(): Token[] {
    return this.generated;
  }

  start(sequence: LlamaContextSequence): void {
    this.sequence = sequence;
  }

  /** Stops at once: the stream ends with finish "cancelled" and the usage so far. */
  cancel(): void {
    if (this.finished) return;
    this.isCancelled = true;
    this.finish({ unified: "cancelled", raw: "abort" }, false);
    if (!this.sequence) this.released(); // still queued: there is no sequence to free
  }

  released(): void {
    this.flush();
    this.options.close();
  }

  /** Hands the parts made so far to the stream. */
  flush(): void {
    if (this.outbox.length === 0) return;
    const parts = this.outbox;
    this.outbox = [];
    for (const part of parts) this.options.emit(part);
  }

  private emit(part: LanguageModelStreamPart): void {
    this.outbox.push(part);
  }

  async step(): Promise<boolean> {
    if (this.finished || !this.sequence) return false;
    try {
      const next = this.generator ? this.generator.next() : await this.begin(this.sequence);
      const result = await next;
      if (this.finished) return false;
      // End-of-generation tokens are yielded (`yieldEogToken`), so the evaluation only ends early when its context
      // or model is disposed: that is no answer, never a normal "stop".
      if (result.done) return this.fail(modelUnloaded(undefined));
      return this.accept(result.value.token, result.value.probabilities);
    } catch (error) {
      if (this.finished) return false;
      return this.fail(this.sequence?.disposed ? modelUnloaded(error) : error);
    }
  }

  /** Ends the stream with an error part (after the text already emitted); returns false. */
  private fail(error: unknown): false {
    this.finished = true;
    this.emit({ type: "error", error });
    return false;
  }

  async close(): Promise<void> {
    await this.generator?.return();
  }

  private async begin(sequence: LlamaContextSequence): Promise<Promise<IteratorResult<EvaluationOutput, void>>> {
    const { promptTokens, echo, topLogprobs } = this.options;
    const evaluateOptions: SequenceEvaluateOptions = { ...this.options.evaluateOptions };
    if (this.options.grammar) {
      evaluateOptions.grammarEvaluationState = new LlamaGrammarEvaluationState({ model: this.options.model, grammar: this.options.grammar });
    }
    const metadata = { probabilities: topLogprobs !== undefined };
    this.inputTokens = promptTokens.length;
    let tokensToEvaluate = promptTokens;
    if (echo) {
      let logprobs: (TokenLogprob | null)[] | undefined;
      if (topLogprobs !== undefined && promptTokens.length > 1) {
        if (this.options.scorePromptLogprobs) {
          logprobs = await this.options.scorePromptLogprobs(promptTokens, this.options.bosCount, topLogprobs);
        } else {
          logprobs = await evaluatePromptLogprobs(sequence, promptTokens, this.options.bosCount, topLogprobs);
          tokensToEvaluate = promptTokens.slice(-1);
        }
      }
      if (this.finished) return Promise.resolve({ done: true, value: undefined });
      this.emit({ type: "prompt-echo", text: echo.text, ...(logprobs ? { logprobs } : {}) });
      if (this.options.maxTokens === 0) {
        this.finish({ unified: "length", raw: "length" });
        return Promise.resolve({ done: true, value: undefined });
      }
    }
    this.generator = sequence.evaluateWithMetadata(tokensToEvaluate, metadata, evaluateOptions);
    return this.generator.next();
  }

  private accept(token: Token, probabilities: Map<Token, number> | undefined): boolean {
    const { model, maxTokens, contextSize, promptTokens, topLogprobs } = this.options;
    this.generated.push(token);
    if (model.isEogToken(token)) return this.finish({ unified: "stop", raw: "eos" });
    if (topLogprobs !== undefined && probabilities) {
      const previous = this.generated.length > 1 ? this.generated.slice(-2, -1) : promptTokens.slice(-1);
      this.pendingLogprobs.push(tokenLogprobFromProbabilities(model, token, probabilities, topLogprobs, previous));
    }
    const text = this.detokenizer.push(token);
    if (this.options.mode === "tool-call") this.toolText += text;
    else if (text && this.emitText(text)) return this.finish({ unified: "stop", raw: "stop" }, false);
    if (this.options.grammar && text) {
      this.constrainedText += text;
      if (/[}\]]/.test(text) && isCompleteJson(this.constrainedText)) return this.finish({ unified: "stop", raw: "grammar" });
    }
    if (maxTokens !== undefined && this.generated.length >= maxTokens) return this.finish({ unified: "length", raw: "length" });
    if (promptTokens.length + this.generated.length >= contextSize) return this.finish({ unified: "length", raw: "context" });
    return true;
  }

  /** Emits text through the stop matcher; returns true when a stop sequence was hit. */
  private emitText(text: string): boolean {
    const { emit, stopped } = this.stopMatcher.push(text);
    if (emit) {
      // Write-ahead metering: the cumulative usage goes out before the text it pays for.
      this.emit({ type: "progress", usage: this.usage() });
      const logprobs = this.options.topLogprobs !== undefined ? this.pendingLogprobs : undefined;
      this.pendingLogprobs = [];
      this.emit({ type: "text-delta", delta: emit, ...(logprobs ? { logprobs } : {}) });
    }
    return stopped;
  }

  private usage(): Usage {
    return { inputTokens: this.inputTokens, outputTokens: this.generated.length };
  }

  /** Flushes held text (unless `flush` is false), emits the tool call or the final parts; returns false. */
  private finish(reason: FinishReason, flush = true): false {
    if (this.finished) return false;
    this.finished = true;
    let finishReason = reason;
    if (flush) {
      const rest = this.detokenizer.flush();
      if (this.options.mode === "tool-call") this.toolText += rest;
      else {
        const stopped = (rest && this.emitText(rest)) || false;
        if (!stopped) {
          const held = this.stopMatcher.flush();
          if (held) this.emitText(held);
        }
      }
    }
    if (this.options.mode === "tool-call" && reason.unified !== "cancelled") finishReason = this.emitToolCall(reason);
    this.emit({ type: "finish", finishReason, usage: this.usage() });
    return false;
  }

  private emitToolCall(reason: FinishReason): FinishReason {
    try {
      const call = JSON.parse(this.toolText) as { name: string; arguments: unknown };
      this.emit({
        type: "tool-call",
        index: 0,
        toolCallId: this.options.newToolCallId(),
        toolName: call.name,
        input: JSON.stringify(call.arguments),
      });
      return { unified: "tool-calls", raw: "tool_calls" };
    } catch {
      return reason; // cut off by max_tokens or the context: no complete call to report
    }
  }
}
