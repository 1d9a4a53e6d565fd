import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { AiplusError } from "../../spec/index.js";
import type { KnowledgeService } from "../../rag/index.js";
import type { ExposedToolProvider } from "./exposed-tool.js";

/** Most passages one `knowledge_search` returns. */
const maxTopK = 50;

/**
 * `knowledge_search`: hybrid search of one knowledge base, returning passages with citations (document, chunk id,
 * score). The input schema enumerates only the knowledge bases the key may use (admins: all); a key with none sees no
 * tool.
 */
export function knowledgeSearchTool(knowledge: KnowledgeService): ExposedToolProvider {
  return async (caller) => {
    const names = [...new Set((await knowledge.listKnowledgeBases(caller)).map((base) => base.name))].sort();
    const [first, ...rest] = names;
    if (first === undefined) return [];
    return [
      {
        name: "knowledge_search",
        title: "Search a knowledge base",
        description: "Searches one aiplus knowledge base and returns the most relevant passages with citations (document, chunk id, score).",
        inputSchema: z.object({
          knowledge_base: z.enum([first, ...rest]).describe("the knowledge base to search"),
          query: z.string().trim().min(1, { error: "query must not be empty" }).max(4000).describe("what to look for"),
          top_k: z.number().int().min(1).max(maxTopK).default(5).describe(`passages to return (1-${maxTopK}, default 5)`),
        }),
        annotations: { readOnlyHint: true, openWorldHint: false },
        async run(args, { caller: accessor, signal }): Promise<CallToolResult> {
          const { knowledge_base: base, query, top_k: topK } = args as { knowledge_base: string; query: string; top_k: number };
          try {
            const result = await knowledge.query(accessor, base, { query, top: topK, abortSignal: signal });
            const results = result.passages.map((passage) => ({
              chunk_id: passage.chunkId, document_id: passage.documentId, document: passage.documentName, title: passage.title ?? null,
              page: passage.page ?? null, heading: passage.headingPath.length > 0 ? passage.headingPath.join(" > ") : null, score: passage.score, text: passage.text,
            }));
            const text = results.length === 0
              ? `No passages in ${base} match the query.`
              : results.map((hit, index) => `[${index + 1}] ${hit.document}${hit.page === null ? "" : ` p. ${hit.page}`} (chunk ${hit.chunk_id}, score ${hit.score.toFixed(4)})\n${hit.text}`).join("\n\n");
            return { content: [{ type: "text", text }], structuredContent: { knowledge_base: base, results } };
          } catch (error) {
            if (!AiplusError.isInstance(error)) throw error;
            return { content: [{ type: "text", text: `${error.message}${error.param ? ` (param: ${error.param})` : ""}` }], isError: true };
          }
        },
      },
    ];
  };
}
