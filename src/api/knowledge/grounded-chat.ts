import type { Context } from "hono";
import { groundChat, type KnowledgeService } from "../../rag/index.js";
import { InvalidRequestError, type LanguageModelCallOptions, type LanguageModelStreamPart } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { aggregateChatCompletion, chatChunkStream, serverSentEvents } from "../openai/index.js";
import type { ChatRequest } from "../openai/chat-request-schema.js";
import { eventStreamResponse, type RouteDependencies } from "../routes/route-helpers.js";
import { knowledgeAccessorOf } from "./knowledge-accessor-of.js";
import { toThreshold } from "./knowledge-request-schemas.js";
import { wireCitation } from "./knowledge-wire.js";

type CallOptions = Omit<LanguageModelCallOptions, "abortSignal">;

/** A chat request grounded in knowledge bases: new call options and citations, or a finished answer when nothing is relevant. */
export type ChatGrounding = { options: CallOptions; citations: Array<ReturnType<typeof wireCitation>>; answer: Response | undefined };

/**
 * For a chat request with `knowledge_bases`: retrieves passages (access checked, query embedding billed to the key),
 * rewrites the conversation with numbered passages, and returns the citations. When no passage passes the relevance
 * threshold the model is not called: the answer says so, with empty citations. Undefined without `knowledge_bases`.
 */
export async function groundChatRequest(
  c: Context<AppEnvironment>,
  dependencies: RouteDependencies & { knowledge?: KnowledgeService | undefined },
  request: ChatRequest,
  options: CallOptions,
): Promise<ChatGrounding | undefined> {
  if (!request.knowledge_bases || request.knowledge_bases.length === 0) return undefined;
  if (!dependencies.knowledge) throw new InvalidRequestError({ message: "knowledge bases are not enabled on this server", param: "knowledge_bases" });
  if (options.prompt.type !== "chat") throw new InvalidRequestError({ message: "knowledge_bases needs chat messages", param: "messages" });
  const settings = request.knowledge_options ?? undefined;
  if (settings?.rerank_model) dependencies.maas.assertModelAllowed(c.get("principal"), settings.rerank_model);
  const grounded = await groundChat(dependencies.knowledge, knowledgeAccessorOf(c.get("principal")), {
    knowledgeBases: request.knowledge_bases, messages: options.prompt.messages, top: settings?.top_k, mode: settings?.mode,
    threshold: toThreshold(settings?.threshold), rerankModel: settings?.rerank_model, abortSignal: c.req.raw.signal,
  });
  const citations = grounded.citations.map(wireCitation);
  const answer = grounded.nothingRelevant ? fixedAnswer(c, dependencies, request, grounded.noAnswerText) : undefined;
  return { options: { ...options, prompt: { type: "chat", messages: grounded.messages } }, citations, answer: answer && (await answer) };
}

/** Adds `citations` to the first chunk of a chat completion stream. */
export function withCitations<Chunk extends object>(citations: unknown[]): TransformStream<Chunk, Chunk> {
  let first = true;
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(first && "object" in chunk ? { ...chunk, citations } : chunk);
      first = false;
    },
  });
}

/** The "nothing relevant" answer, without calling the model (non-streaming or streaming, same wire shape). */
async function fixedAnswer(c: Context<AppEnvironment>, dependencies: RouteDependencies, request: ChatRequest, text: string): Promise<Response> {
  const now = dependencies.now ?? Date.now;
  const parts = () =>
    new ReadableStream<LanguageModelStreamPart>({
      start(controller) {
        controller.enqueue({ type: "stream-start", warnings: [] });
        controller.enqueue({ type: "text-delta", delta: text });
        controller.enqueue({ type: "finish", finishReason: { unified: "stop" }, usage: { inputTokens: 0, outputTokens: 0 } });
        controller.close();
      },
    });
  const shared = { id: `chatcmpl-${crypto.randomUUID()}`, created: Math.floor(now() / 1000), model: request.model, onWarnings: () => undefined };
  if (request.stream) {
    const chunks = chatChunkStream({ ...shared, includeUsage: request.stream_options?.include_usage ?? false, onBug: () => undefined });
    return eventStreamResponse(c, parts().pipeThrough(chunks).pipeThrough(withCitations([])).pipeThrough(serverSentEvents()));
  }
  return c.json({ ...(await aggregateChatCompletion(parts(), { ...shared, logprobs: false })), citations: [] });
}
