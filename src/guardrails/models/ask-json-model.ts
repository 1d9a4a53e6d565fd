import type { z } from "zod";
import { ContentFilterError, GuardrailFailureError, type JsonSchema, type LanguageModel, type RequestGuard } from "../../spec/index.js";

/** Resolves a model a policy names (local or a provider's) to call it; throws NotFoundError when there is none. */
export type GuardrailModelResolver = (name: string) => Promise<LanguageModel>;

export type AskJsonModelRequest<Answer> = {
  /** The model's public name. */
  model: string;
  /** What is asked (`moderation judge`, `injection classifier`) in error messages. */
  role: string;
  system: string;
  user: string;
  /** The answer's JSON Schema: a `json_schema` response format (grammar-constrained on local models). */
  schemaName: string;
  schema: JsonSchema;
  /** Checks the parsed answer (the schema alone is only a request to an upstream model). */
  parse: z.ZodType<Answer>;
  maxTokens: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The guard the call runs under (masking per route; its decisions audited); undefined: the gateway's fallback. */
  guard?: RequestGuard | undefined;
};

/**
 * Asks a model for one JSON answer (greedy, not streamed to anyone) and checks it. Fails closed: an unknown model, an
 * error, the time limit, or an answer that is not JSON of the right shape throw GuardrailFailureError
 * (`guardrail_model_failed`, `guardrail_model_timeout`, `guardrail_model_invalid_answer`), never a default answer.
 */
export async function askJsonModel<Answer>(resolve: GuardrailModelResolver, request: AskJsonModelRequest<Answer>): Promise<Answer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let text = "";
  try {
    const model = await resolve(request.model);
    const { stream } = await model.doStream({
      prompt: { type: "chat", messages: [{ role: "system", content: request.system }, { role: "user", content: request.user }] },
      sampling: { temperature: 0, maxTokens: request.maxTokens },
      responseFormat: { type: "json_schema", name: request.schemaName, schema: request.schema, strict: true },
      stream: false,
      abortSignal: signal,
      guard: request.guard,
    });
    const reader = stream.getReader();
    let finished = false;
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        const part = next.value;
        if (part.type === "text-delta") text += part.delta;
        else if (part.type === "error") throw part.error;
        if (signal.aborted) throw signal.reason;
      }
      finished = true;
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
    }
  } catch (error) {
    if (timeout.aborted) {
      throw new GuardrailFailureError({ message: `the ${request.role} model '${request.model}' did not answer within ${request.timeoutMs / 1000} s; the request was refused`, cause: error, code: "guardrail_model_timeout" });
    }
    // The call's own guard refused it (a detector failed, or the policy blocks what it would send): as it said.
    if (error instanceof GuardrailFailureError || error instanceof ContentFilterError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new GuardrailFailureError({ message: `the ${request.role} model '${request.model}' failed (${reason}); the request was refused`, cause: error, code: "guardrail_model_failed" });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GuardrailFailureError({ message: `the ${request.role} model '${request.model}' did not answer with JSON; the request was refused`, cause: error, code: "guardrail_model_invalid_answer" });
  }
  const parsed = request.parse.safeParse(value);
  if (!parsed.success) {
    throw new GuardrailFailureError({ message: `the ${request.role} model '${request.model}' answered in the wrong shape (${parsed.error.issues[0]?.message ?? "invalid"}); the request was refused`, code: "guardrail_model_invalid_answer" });
  }
  return parsed.data;
}
