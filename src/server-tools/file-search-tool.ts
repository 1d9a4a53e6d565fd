import { z } from "zod";
import type { KnowledgeService } from "../rag/index.js";
import type { FileSearchCallItem, FileSearchResult, FileSearchToolEntry } from "../responses/index.js";
import type { ServerTool, ServerToolCallResult } from "./server-tool.js";
import { searchKnowledge } from "./search-knowledge.js";

const argumentsSchema = z.object({ queries: z.array(z.string()).min(1).max(8) });

/**
 * A request's `file_search` tool over aiplus knowledge bases (`vector_store_ids` are knowledge base ids or names): the
 * model calls `file_search` with queries; the call is a `file_search_call` item with its results (document id as
 * `file_id`), and the final answer cites the documents (`file_citation` annotations).
 */
export function fileSearchTool(knowledge: KnowledgeService, entry: FileSearchToolEntry): ServerTool {
  return {
    name: "file_search",
    description: "Searches the knowledge bases for passages relevant to the queries. Call it before answering questions about their content.",
    parameters: { type: "object", properties: { queries: { type: "array", items: { type: "string" }, minItems: 1 } }, required: ["queries"], additionalProperties: false },
    serverLabel: "aiplus",
    idempotent: true,
    requiresApproval: false,
    async execute(args, context) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) throw new Error("file_search takes {queries: [string, …]} (1 to 8 queries)");
      const results = await searchKnowledge(knowledge, { keyId: context.caller.keyId, isAdmin: context.caller.isAdmin }, {
        knowledgeBases: entry.vector_store_ids, queries: parsed.data.queries, maxResults: entry.max_num_results, signal: context.signal,
      });
      return JSON.stringify({ queries: parsed.data.queries, results });
    },
    toOutputItem: fileSearchCallItem,
  };
}

/** A `file_search_call` item from a call's arguments and its logged result. */
export function fileSearchCallItem(call: ServerToolCallResult): FileSearchCallItem {
  const queries = queriesOf(call.arguments);
  if (call.status === "in_progress") return { id: call.id, type: "file_search_call", status: "in_progress", queries, results: null };
  if (call.status === "failed" || call.output === null) return { id: call.id, type: "file_search_call", status: "failed", queries, results: null };
  const logged = JSON.parse(call.output) as { results: FileSearchResult[] };
  return { id: call.id, type: "file_search_call", status: "completed", queries, results: logged.results };
}

/**
 * The `file_citation` annotations of an answer that follows `file_search` calls: one per document found, in the order
 * found, at the end of the text (`index`), as OpenAI places them.
 */
export function fileCitations(items: ReadonlyArray<{ type: string }>, text: string): Array<{ type: "file_citation"; file_id: string; filename: string; index: number }> {
  const seen = new Set<string>();
  const citations: Array<{ type: "file_citation"; file_id: string; filename: string; index: number }> = [];
  for (const item of items) {
    if (item.type !== "file_search_call") continue;
    for (const result of (item as FileSearchCallItem).results ?? []) {
      if (seen.has(result.file_id)) continue;
      seen.add(result.file_id);
      citations.push({ type: "file_citation", file_id: result.file_id, filename: result.filename, index: text.length });
    }
  }
  return citations;
}

function queriesOf(text: string): string[] {
  try {
    const parsed = argumentsSchema.safeParse(JSON.parse(text || "{}"));
    return parsed.success ? parsed.data.queries : [];
  } catch {
    return [];
  }
}
