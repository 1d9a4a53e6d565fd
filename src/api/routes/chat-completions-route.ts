import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { startLanguageModelCall } from "../metering/index.js";
import { aggregateChatCompletion, chatChunkStream, chatRequestSchema, serverSentEvents, toChatCallOptions } from "../openai/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { bugLogger, callContext, eventStreamResponse, type RouteDependencies, warningLogger } from "./route-helpers.js";

/** `POST /v1/chat/completions`, streaming (SSE) or not. */
export function chatCompletionsRoute(dependencies: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(chatRequestSchema, await readJsonBody(c));
    const { options, maxTokens, maxTokensParam } = toChatCallOptions(request);
    const call = await startLanguageModelCall(callContext(c, dependencies), {
      endpoint: "chat.completions",
      model: request.model,
      options,
      maxTokens,
      maxTokensParam,
      promptParam: "messages",
    });
    const shared = { id: `chatcmpl-${call.id}`, created: call.created, model: call.model, onWarnings: warningLogger(c, call.model) };
    if (request.stream) {
      const chunks = chatChunkStream({ ...shared, includeUsage: request.stream_options?.include_usage ?? false, onBug: bugLogger(c) });
      return eventStreamResponse(c, call.parts.pipeThrough(chunks).pipeThrough(serverSentEvents()));
    }
    return c.json(await aggregateChatCompletion(call.parts, { ...shared, logprobs: request.logprobs ?? false }));
  });
}
