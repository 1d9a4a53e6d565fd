import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { startLanguageModelCall } from "../metering/index.js";
import { aggregateTextCompletion, completionChunkTransformer, completionRequestSchema, serverSentEvents, toCompletionCallOptions } from "../openai/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { bugLogger, callContext, eventStreamResponse, type RouteDependencies, warningLogger } from "./route-helpers.js";

/** `POST /v1/completions` (legacy text completions, with `echo` and prompt logprobs), streaming or not. */
export function completionsRoute(dependencies: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(completionRequestSchema, await readJsonBody(c));
    const { options, maxTokens, maxTokensParam } = toCompletionCallOptions(request);
    const call = await startLanguageModelCall(callContext(c, dependencies), {
      endpoint: "completions",
      model: request.model,
      options,
      maxTokens,
      maxTokensParam,
      promptParam: "prompt",
      stream: request.stream === true,
    });
    const shared = { id: `cmpl-${call.id}`, created: call.created, model: call.model, prompt: request.prompt, onWarnings: warningLogger(c, call.model) };
    if (request.stream) {
      const chunks = completionChunkTransformer({ ...shared, includeUsage: request.stream_options?.include_usage ?? false, onBug: bugLogger(c) });
      return eventStreamResponse(c, call.parts.pipeThrough(serverSentEvents(chunks, { coalesceMs: dependencies.streamCoalesceMs })));
    }
    return c.json(await aggregateTextCompletion(call.parts, { ...shared, logprobs: request.logprobs !== undefined && request.logprobs !== null }));
  });
}
