import type { ChatMessage } from "../../spec/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import { buildGroundedPrompt, type Citation } from "../build-grounded-prompt.js";
import type { RelevanceThreshold, RetrievalMode, RetrievedPassage } from "../retrieve.js";
import type { KnowledgeAccessor } from "./knowledge-accessor.js";
import type { KnowledgeService } from "./knowledge-service.js";

/** Retrieval settings of a grounded chat. */
export type GroundChatOptions = {
  /** Knowledge bases (ids or names) to answer from. */
  knowledgeBases: string[];
  messages: ChatMessage[];
  /** Passages given to the model (default 5). */
  top?: number | undefined;
  mode?: RetrievalMode | undefined;
  /** Default: the service's chat threshold. */
  threshold?: RelevanceThreshold | undefined;
  rerankModel?: string | undefined;
  abortSignal?: AbortSignal | undefined;
};

/** Grounded messages for the model, the citations their markers refer to, and the fixed answer when nothing is relevant. */
export type GroundedChat = { messages: ChatMessage[]; citations: Array<Citation & { knowledgeBase: string }>; nothingRelevant: boolean; noAnswerText: string };

/**
 * Retrieves passages for the conversation's last user message from each knowledge base (access checked per knowledge
 * base), keeps the best `top` by fused score, and rewrites the conversation: one system message with the numbered
 * passages and the answering rules (plus the caller's own system messages), then the rest of the conversation.
 */
export async function groundChat(service: KnowledgeService, accessor: KnowledgeAccessor, options: GroundChatOptions): Promise<GroundedChat> {
  if (options.knowledgeBases.length === 0) throw new InvalidRequestError({ message: "knowledge_bases must name at least one knowledge base", param: "knowledge_bases" });
  const question = [...options.messages].reverse().find((message) => message.role === "user")?.content;
  if (!question?.trim()) throw new InvalidRequestError({ message: "a grounded chat needs a user message to answer", param: "messages" });
  const top = options.top ?? 5;
  const passages: Array<RetrievedPassage & { knowledgeBase: string }> = [];
  for (const reference of [...new Set(options.knowledgeBases)]) {
    const result = await service.query(accessor, reference, {
      query: question, top, mode: options.mode, threshold: options.threshold ?? service.defaultThreshold(), rerankModel: options.rerankModel, abortSignal: options.abortSignal,
    });
    passages.push(...result.passages.map((passage) => ({ ...passage, knowledgeBase: result.knowledgeBase.name })));
  }
  const best = passages.sort((left, right) => right.score - left.score).slice(0, top);
  const grounded = buildGroundedPrompt({ question, passages: best });
  const systemText = options.messages.filter((message) => message.role === "system").map((message) => message.content).join("\n\n");
  const rules = grounded.messages[0]!.content;
  return {
    messages: [{ role: "system", content: systemText ? `${systemText}\n\n${rules}` : rules }, ...options.messages.filter((message) => message.role !== "system")],
    citations: grounded.citations.map((citation, index) => ({ ...citation, knowledgeBase: best[index]!.knowledgeBase })),
    nothingRelevant: grounded.nothingRelevant,
    noAnswerText: grounded.noAnswerText,
  };
}
