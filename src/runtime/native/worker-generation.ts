import type { IncomingMessage } from "node:http";
import { ContextOverflowError, InvalidRequestError, type FinishReason, type LanguageModelStreamPart, type TokenLogprob, type Usage } from "../../spec/index.js";
import { isCompleteJson } from "../json-completion.js";
import { newToolCallId } from "../local-language-model.js";
import { StopSequenceMatcher } from "../stop-sequence-matcher.js";
import type { LlamaServerWorker } from "./llama-server-worker.js";
import { readWorkerEvents, type WorkerEvent } from "./server-sent-events.js";

/** A token's probability entry in llama-server's `completion_probabilities`. */
type WorkerTokenProbability = { token: string; bytes: number[]; logprob: number; top_logprobs?: { token: string; bytes: number[]; logprob: number }[] };

/** The fields aiplus reads from a llama-server `/completion` stream event. */
type WorkerCompletionEvent = {
  content?: string;
  tokens?: number[];
  stop?: boolean;
  stop_type?: "none" | "eos" | "limit" | "word";
  tokens_predicted?: number;
  tokens_evaluated?: number;
  completion_probabilities?: WorkerTokenProbability[];
};

export type WorkerGenerationOptions = {
  worker: LlamaServerWorker;
  /** The `/completion` request body (stream: true). */
  body: Record<string, unknown>;
  promptTokenCount: number;
  /**
   * A prompt with images: its text tokens. The prompt's count then comes from the worker (`tokens_evaluated`, images
   * included); the difference is reported as image tokens.
   */
  textPromptTokenCount?: number | undefined;
  maxTokens: number | undefined;
  mode: "text" | "tool-call";
  /** Whether a grammar constrains the output (the generation ends at the first complete JSON value). */
  constrained: boolean;
  stopTexts: string[];
  topLogprobs: number | undefined;
  abortSignal: AbortSignal | undefined;
  /** Returns the pool lease; called once when the stream ends. */
  release: () => void;
};

/**
 * One generation on a worker: relays its SSE events to stream parts. Each upstream event is parsed once, metered
 * (a cumulative `progress` before the text it pays for) and written. Abort or a reader's cancel destroys the HTTP
 * request, which frees the worker's slot at once. A worker that dies mid-stream ends the stream with an error part.
 */
export class WorkerGeneration {
  private controller!: ReadableStreamDefaultController<LanguageModelStreamPart>;
  private readonly stopMatcher: StopSequenceMatcher;
  private readonly aborter = new AbortController();
  private generated = 0;
  private promptTokens: number;
  private toolText = "";
  private constrainedText = "";
  private finished = false;
  private closed = false;
  /** The worker's response ended normally (its final event came): the connection is reusable. */
  private responseComplete = false;
  private readonly untrack: () => void;
  private readonly onAbort = (): void => this.cancel();

  constructor(private readonly options: WorkerGenerationOptions) {
    this.stopMatcher = new StopSequenceMatcher(options.stopTexts);
    this.promptTokens = options.promptTokenCount;
    this.untrack = options.worker.track();
  }

  /** Opens the stream with `leading` parts and starts the request. */
  start(leading: LanguageModelStreamPart[]): ReadableStream<LanguageModelStreamPart> {
    const stream = new ReadableStream<LanguageModelStreamPart>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.cancel(),
    });
    for (const part of leading) this.controller.enqueue(part);
    if (this.options.maxTokens === 0) {
      this.finish({ unified: "length", raw: "length" }, undefined);
      this.close();
      return stream;
    }
    this.options.abortSignal?.addEventListener("abort", this.onAbort, { once: true });
    this.options.worker.post("/completion", this.options.body, this.aborter.signal).then(
      (response) => this.relay(response),
      (error: unknown) => void this.transportFailed(error),
    );
    return stream;
  }

  private cancel(): void {
    if (this.finished) return;
    this.finish({ unified: "cancelled", raw: "abort" }, undefined, false);
    this.close();
  }

  private relay(response: IncomingMessage): void {
    if (this.closed) {
      response.destroy();
      return;
    }
    if (response.statusCode !== 200) {
      void this.refused(response);
      return;
    }
    readWorkerEvents(
      response,
      (event) => this.accept(event),
      (error) => {
        if (error === undefined) this.responseComplete = true;
        if (this.finished) return this.close();
        void this.transportFailed(error ?? new Error("the worker ended the stream without a final event"));
      },
    );
  }

  private async refused(response: IncomingMessage): Promise<void> {
    let message = `HTTP ${response.statusCode}`;
    let type: string | undefined;
    try {
      response.setEncoding("utf8");
      let text = "";
      for await (const chunk of response) text += chunk as string;
      const body = JSON.parse(text) as { error?: { message?: string; type?: string } };
      if (body.error?.message) message = body.error.message;
      type = body.error?.type;
    } catch {
      // the status says enough
    }
    const modelName = this.options.worker.settings.modelName;
    if (response.statusCode !== 400) return this.fail(this.options.worker.describeFailure(new Error(message)));
    // Only a prompt with images reaches the worker without aiplus knowing its length, or with bytes it may not decode.
    if (this.options.textPromptTokenCount !== undefined && type === "exceed_context_size_error") {
      return this.fail(new ContextOverflowError({ message: `the prompt with its images exceeds the model's context: ${message}`, param: "messages", code: "context_length_exceeded" }));
    }
    if (this.options.textPromptTokenCount !== undefined && /failed to (load|tokenize)/i.test(message)) {
      return this.fail(new InvalidRequestError({ message: `the worker of model ${modelName} could not decode an image: ${message}`, param: "messages", code: "invalid_image" }));
    }
    this.fail(new InvalidRequestError({ message: `the worker of model ${modelName} refused the request: ${message}` }));
  }

  private accept(event: WorkerEvent): void {
    if (this.finished) return;
    if (event.kind === "error") {
      const message = (event.payload as { message?: string } | undefined)?.message ?? JSON.stringify(event.payload);
      this.fail(this.options.worker.describeFailure(new Error(message)));
      return;
    }
    const data = event.payload as WorkerCompletionEvent;
    if (this.options.textPromptTokenCount !== undefined && data.tokens_evaluated !== undefined) this.promptTokens = data.tokens_evaluated;
    // Tokens held back by llama-server (an incomplete UTF-8 character) arrive with a later event: count what it counts.
    this.generated = data.tokens_predicted ?? this.generated + (data.tokens?.length ?? 0);
    const text = data.content ?? "";
    const logprobs = this.options.topLogprobs !== undefined ? this.logprobsOf(data.completion_probabilities) : undefined;
    if (this.options.mode === "tool-call") this.toolText += text;
    else if (text || (logprobs && logprobs.length > 0)) {
      if (this.emitText(text, logprobs)) {
        this.finish({ unified: "stop", raw: "stop" }, data, false);
        return this.close();
      }
    }
    if (this.options.constrained && text) {
      this.constrainedText += text;
      if (/[}\]]/.test(text) && isCompleteJson(this.constrainedText)) {
        this.finish({ unified: "stop", raw: "grammar" }, data);
        return this.close();
      }
    }
    if (data.stop) this.finish(this.finishReasonOf(data), data);
  }

  private logprobsOf(probabilities: WorkerTokenProbability[] | undefined): TokenLogprob[] {
    const topCount = this.options.topLogprobs ?? 0;
    return (probabilities ?? []).map((entry) => ({
      token: entry.token,
      bytes: entry.bytes,
      logprob: entry.logprob,
      topLogprobs: topCount > 0 ? (entry.top_logprobs ?? []).slice(0, topCount).map((top) => ({ token: top.token, bytes: top.bytes, logprob: top.logprob })) : [],
    }));
  }

  private finishReasonOf(data: WorkerCompletionEvent): FinishReason {
    switch (data.stop_type) {
      case "eos":
        return { unified: "stop", raw: "eos" };
      case "word":
        return { unified: "stop", raw: "stop" };
      case "limit":
      case "none":
      case undefined: {
        const { maxTokens } = this.options;
        return { unified: "length", raw: maxTokens !== undefined && (data.tokens_predicted ?? this.generated) >= maxTokens ? "length" : "context" };
      }
      default:
        return data.stop_type satisfies never;
    }
  }

  /** Emits text through the stop matcher; returns true when a stop sequence was hit. */
  private emitText(text: string, logprobs: TokenLogprob[] | undefined): boolean {
    const { emit, stopped } = this.stopMatcher.push(text);
    if (emit || (logprobs && logprobs.length > 0 && !stopped)) {
      this.enqueue({ type: "progress", usage: this.usage(undefined) });
      this.enqueue({ type: "text-delta", delta: emit, ...(logprobs ? { logprobs } : {}) });
    }
    return stopped;
  }

  private usage(data: WorkerCompletionEvent | undefined): Usage {
    const outputTokens = data?.tokens_predicted ?? this.generated;
    const textTokens = this.options.textPromptTokenCount;
    if (textTokens === undefined) return { inputTokens: this.promptTokens, outputTokens };
    return { inputTokens: this.promptTokens, outputTokens, imageInputTokens: Math.max(0, this.promptTokens - textTokens) };
  }

  /** Emits the held text (unless `flush` is false), the tool call and the finish part. */
  private finish(reason: FinishReason, data: WorkerCompletionEvent | undefined, flush = true): void {
    if (this.finished) return;
    this.finished = true;
    let finishReason = reason;
    if (flush && this.options.mode === "text") {
      const held = this.stopMatcher.flush();
      if (held) this.emitText(held, undefined);
    }
    if (this.options.mode === "tool-call" && reason.unified !== "cancelled") finishReason = this.emitToolCall(reason);
    this.enqueue({ type: "finish", finishReason, usage: this.usage(data) });
    if (data?.stop) {
      this.responseComplete = true;
      this.close();
    }
  }

  private emitToolCall(reason: FinishReason): FinishReason {
    try {
      const call = JSON.parse(this.toolText) as { name: string; arguments: unknown };
      this.enqueue({ type: "tool-call", index: 0, toolCallId: newToolCallId(), toolName: call.name, input: JSON.stringify(call.arguments) });
      return { unified: "tool-calls", raw: "tool_calls" };
    } catch {
      return reason;
    }
  }

  /**
   * A broken connection: when the worker died, its exit may arrive a moment after the socket's end, so the error is
   * described after a short wait (a crash reads as `worker_crashed`).
   */
  private async transportFailed(error: unknown): Promise<void> {
    if (this.finished) return this.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    this.fail(this.options.worker.describeFailure(error));
  }

  /** Ends the stream with an error part after what was sent. */
  private fail(error: unknown): void {
    if (this.finished) return this.close();
    this.finished = true;
    this.enqueue({ type: "error", error });
    this.close();
  }

  private abortRequest(): void {
    this.aborter.abort();
  }

  private enqueue(part: LanguageModelStreamPart): void {
    if (this.closed) return;
    try {
      this.controller.enqueue(part);
    } catch {
      // the reader cancelled the stream
    }
  }

  /** Ends the stream, frees the slot (destroys a request still running) and returns the lease; once. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.abortSignal?.removeEventListener("abort", this.onAbort);
    // A request still running (cancel, a stop string, a complete JSON value) is destroyed: llama-server sees the
    // closed connection and frees the slot at once. A stream that ended normally keeps its keep-alive socket.
    if (!this.responseComplete) this.abortRequest();
    this.untrack();
    this.options.release();
    try {
      this.controller.close();
    } catch {
      // the reader cancelled the stream
    }
  }
}
