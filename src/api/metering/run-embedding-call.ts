import type { CallContext } from "./call-context.js";
import { runInputMeteredCall } from "./run-input-metered-call.js";
import { guardFor } from "./start-language-model-call.js";

export type EmbeddingCallResult = {
  /** The ledger entry's id. */
  id: string;
  embeddings: number[][];
  usage: { inputTokens: number | undefined };
};

/**
 * The per-request flow of an embeddings call: resolve (404), allow (403), tokens per minute and budget (429) on an
 * upper bound of the input tokens (UTF-8 bytes), embed tied to the client connection, settle with the exact count.
 */
export async function runEmbeddingCall(context: CallContext, request: { model: string; values: string[] }): Promise<EmbeddingCallResult> {
  const model = await context.dependencies.gateway.embeddingModel(request.model);
  context.dependencies.maas.assertModelAllowed(context.principal, request.model);
  const guard = await guardFor(context, "embeddings", model.modelId);
  const maxInputTokens = request.values.reduce((sum, value) => sum + Buffer.byteLength(value, "utf8") + 2, 0);
  // The ledger and prices use the name as registered (the request may spell it in another case).
  return runInputMeteredCall(context, { model: model.modelId, endpoint: "embeddings", maxInputTokens }, async (abortSignal, requestId) => {
    // The guard's decisions are recorded against this ledger entry.
    const { embeddings, usage } = await model.doEmbed({ values: request.values, abortSignal, guard: guard?.forRequest ? guard.forRequest(requestId) : guard });
    return { result: { embeddings, usage }, inputTokens: usage.inputTokens };
  });
}
