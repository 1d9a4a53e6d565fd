import { Hono } from "hono";
import type { AppEnvironment } from "../app-environment.js";
import { groundChatRequest, withCitations } from "../knowledge/grounded-chat.js";
import { startLanguageModelCall } from "../metering/index.js";
import { aggregateChatCompletion, chatChunkStream, chatChunkTransformer, chatRequestSchema, serverSentEvents, toChatCallOptions } from "../openai/index.js";
import { defaultChatImageSettings, resolveChatImages } from "../openai/resolve-chat-images.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { bugLogger, callContext, eventStreamResponse, type RouteDependencies, warningLogger } from "./route-helpers.js";

/** `POST /v1/chat/completions`, streaming (SSE) or not. Image parts are decoded (and fetched) before the call. */
export function chatCompletionsRoute(dependencies: RouteDependencies): Hono<AppEnvironment> {
  const imageSettings = dependencies.chatImages ?? defaultChatImageSettings();
  return new Hono<AppEnvironment>().post("/", async (c) => {
    const request = parseWithSchema(chatRequestSchema, await readJsonBody(c));
    const images = await resolveChatImages(request, imageSettings, c.req.raw.signal, () => dependencies.maas.assertModelAllowed(c.get("principal"), request.model));
    const { options, maxTokens, maxTokensParam } = toChatCallOptions(request, images);
    const grounding = await groundChatRequest(c, dependencies, request, options);
    if (grounding?.answer) return grounding.answer;
    const call = await startLanguageModelCall(callContext(c, dependencies), {
      endpoint: "chat.completions",
      model: request.model,
      options: grounding?.options ?? options,
      maxTokens,
      maxTokensParam,
      promptParam: "messages",
      stream: request.stream === true,
    });
    const shared = { id: `chatcmpl-${call.id}`, created: call.created, model: call.model, onWarnings: warningLogger(c, call.model) };
    if (request.stream) {
      const chunkOptions = { ...shared, includeUsage: request.stream_options?.include_usage ?? false, onBug: bugLogger(c) };
      if (grounding) {
        const cited = call.parts.pipeThrough(chatChunkStream(chunkOptions)).pipeThrough(withCitations(grounding.citations));
        return eventStreamResponse(c, cited.pipeThrough(serverSentEvents(undefined, { coalesceMs: dependencies.streamCoalesceMs })));
      }
      return eventStreamResponse(c, call.parts.pipeThrough(serverSentEvents(chatChunkTransformer(chunkOptions), { coalesceMs: dependencies.streamCoalesceMs })));
    }
    const completion = await aggregateChatCompletion(call.parts, { ...shared, logprobs: request.logprobs ?? false });
    return c.json(grounding ? { ...completion, citations: grounding.citations } : completion);
  });
}
