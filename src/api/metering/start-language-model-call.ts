import { failedAttemptsOf } from "../../gateway/index.js";
import { failedAttemptUsage } from "../../maas/index.js";
import { ContextOverflowError, type LanguageModelCallOptions, type LanguageModelStreamPart, type RequestGuard } from "../../spec/index.js";
import { callAbortController, type CallContext } from "./call-context.js";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";
import { meteredPartStream } from "./metered-part-stream.js";

export type LanguageModelCallRequest = {
  endpoint: "chat.completions" | "completions" | "responses";
  model: string;
  options: Omit<LanguageModelCallOptions, "abortSignal">;
  /** The request's completion limit, when it set one. */
  maxTokens: number | undefined;
  /** Which request field set it (for error messages). */
  maxTokensParam: string;
  /** Which request field holds the prompt (for error messages). */
  promptParam: "messages" | "prompt" | "input";
  /**
   * Whether the client receives the answer as it is generated (SSE) rather than as one response at the end. A
   * failed call charges the key only for content the client received: nothing for a non-streamed one.
   */
  stream: boolean;
};

export type StartedLanguageModelCall = {
  /** The ledger entry's id (also the response id's suffix). */
  id: string;
  /** Epoch seconds. */
  created: number;
  model: string;
  /** The model's parts, metered: checkpointed ahead of delivery, settled exactly once. */
  parts: ReadableStream<LanguageModelStreamPart>;
};

/**
 * The per-request flow of a language-model call after authentication, rate check and parsing: resolve the model
 * (404), check the key may use it (403), count prompt tokens and check the context (400), check tokens per minute
 * (429), take one of the key's concurrency slots until the entry is settled (429), open the ledger entry reserving
 * the maximum cost (429 budget), and start the stream tied to the client
 * connection and the server's shutdown. Every failure after the entry is opened settles it (error, cancelled by the
 * client, or interrupted by the shutdown); the key is charged only for what the client received. The attempts the
 * gateway abandoned (retries, failovers) are recorded on the entry as provider cost only.
 */
export async function startLanguageModelCall(context: CallContext, request: LanguageModelCallRequest): Promise<StartedLanguageModelCall> {
  const { dependencies, principal, logger } = context;
  const { maas } = dependencies;
  const resolved = await dependencies.gateway.languageModel(request.model);
  maas.assertModelAllowed(principal, request.model);
  // The name as registered (the request may spell it in another case): the ledger, prices and response use it.
  const modelName = resolved.model.modelId;
  // The key's guardrails, resolved before anything is routed: the gateway applies them on each route it tries.
  const guard = request.options.guard ?? (await guardFor(context, request.endpoint, modelName));

  const promptTokens = (await resolved.model.countPromptTokens?.(request.options)) ?? estimatePromptTokens(request.options);
  const contextLength = resolved.contextLength;
  assertFitsContext(request, promptTokens, contextLength);
  const room = contextLength === undefined ? dependencies.defaultReserveTokens : contextLength - promptTokens;
  const maxOutputTokens = request.maxTokens ?? Math.max(1, Math.min(dependencies.defaultReserveTokens, room));

  await maas.rateLimiter.checkTokens(principal, promptTokens + (request.maxTokens ?? 0));
  // The key's concurrency slot is held until the entry is settled.
  const slot = await maas.rateLimiter.acquireSlot(principal);
  let metered: Awaited<ReturnType<typeof maas.openMeteredRequest>>;
  try {
    metered = await maas.openMeteredRequest({
      principal,
      model: modelName,
      endpoint: request.endpoint,
      maxInputTokens: promptTokens,
      maxOutputTokens,
    });
  } catch (error) {
    await slot.release();
    throw error;
  }

  const { controller: abortController, release: stopFollowing } = callAbortController(context);
  const release = () => {
    stopFollowing();
    return slot.release();
  };
  let source: ReadableStream<LanguageModelStreamPart>;
  try {
    // The guard's decisions are recorded against this ledger entry (the request's guardrail decisions in the usage log).
    const callGuard = guard?.forRequest ? guard.forRequest(metered.id) : guard;
    ({ stream: source } = await resolved.model.doStream({ ...request.options, guard: callGuard, abortSignal: abortController.signal }));
  } catch (error) {
    abortController.abort(error);
    const settling = metered.settle({
      usage: { inputTokens: undefined, outputTokens: undefined },
      status: context.requestSignal.aborted ? "cancelled" : dependencies.shutdownSignal?.aborted ? "interrupted" : "error",
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      charged: false,
      failedAttempts: failedAttemptUsage(failedAttemptsOf(error), promptTokens),
    });
    dependencies.inFlight.track(settling);
    await settling.finally(release);
    throw error;
  }

  const { stream, settled } = meteredPartStream(source, {
    metered,
    inputTokens: promptTokens,
    writeAheadTokens: dependencies.writeAheadTokens ?? 16,
    delivery: request.stream ? "stream" : "whole",
    abort: (reason) => abortController.abort(reason),
    requestSignal: context.requestSignal,
    shutdownSignal: dependencies.shutdownSignal,
    onSettled: (usage) => maas.rateLimiter.recordTokens(principal, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)),
    logger,
  });
  dependencies.inFlight.track(settled);
  void settled.then(release, release);
  settled.catch((error: unknown) => logger.error({ err: error }, "metering a model stream failed"));
  const now = dependencies.now ?? Date.now;
  return { id: metered.id, created: Math.floor(now() / 1000), model: modelName, parts: stream };
}

/** The guard of a call for the context's key (undefined without guardrails: the gateway's fallback applies). */
export async function guardFor(context: CallContext, endpoint: string, model: string | undefined): Promise<RequestGuard | undefined> {
  const { guardrails } = context.dependencies;
  if (!guardrails) return undefined;
  return guardrails.guardFor({ keyId: context.principal.id, keyPolicy: context.principal.policy, endpoint, model });
}

function assertFitsContext(request: LanguageModelCallRequest, promptTokens: number, contextLength: number | undefined): void {
  if (contextLength === undefined) return;
  if (promptTokens >= contextLength) {
    throw new ContextOverflowError({
      message: `This model's maximum context length is ${contextLength} tokens, but the prompt has ${promptTokens} tokens.`,
      param: request.promptParam,
      code: "context_length_exceeded",
    });
  }
  if (request.maxTokens !== undefined && promptTokens + request.maxTokens > contextLength) {
    throw new ContextOverflowError({
      message:
        `This model's maximum context length is ${contextLength} tokens. However, you requested ${promptTokens + request.maxTokens} tokens ` +
        `(${promptTokens} in the prompt, ${request.maxTokens} for the completion). Please reduce ${request.maxTokensParam} or the prompt.`,
      param: request.maxTokensParam,
      code: "context_length_exceeded",
    });
  }
}
