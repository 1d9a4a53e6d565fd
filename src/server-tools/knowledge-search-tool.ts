import { z } from "zod";
import type { KnowledgeService } from "../rag/index.js";
import type { ServerTool } from "./server-tool.js";
import { passagesText, searchKnowledge } from "./search-knowledge.js";

const argumentsSchema = z.object({
  query: z.string().min(1),
  knowledge_bases: z.array(z.string().min(1)).min(1).max(16),
  top: z.number().int().min(1).max(50).optional(),
});

/**
 * Built-in `knowledge_search`: the same search as `file_search`, as a server tool an agent names (`server_tool`).
 * The caller's key must own or be granted every knowledge base it names; the passages come back numbered.
 */
export function knowledgeSearchTool(knowledge: KnowledgeService): ServerTool {
  return {
    name: "knowledge_search",
    description: "Searches aiplus knowledge bases (ids or names) for passages relevant to a query.",
    parameters: {
      type: "object",
      properties: { query: { type: "string" }, knowledge_bases: { type: "array", items: { type: "string" }, minItems: 1 }, top: { type: "integer", minimum: 1, maximum: 50 } },
      required: ["query", "knowledge_bases"],
      additionalProperties: false,
    },
    idempotent: true,
    requiresApproval: false,
    async execute(args, context) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) throw new Error("knowledge_search takes {query, knowledge_bases: [id or name, …], top?}");
      const results = await searchKnowledge(knowledge, { keyId: context.caller.keyId, isAdmin: context.caller.isAdmin }, {
        knowledgeBases: parsed.data.knowledge_bases, queries: [parsed.data.query], maxResults: parsed.data.top ?? 5, signal: context.signal,
      });
      return passagesText(results);
    },
  };
}
