/** Shareable URL state of a knowledge base's page (kept tiny: routes.tsx imports it into the entry). */

export type KnowledgeTab = "documents" | "retrieval" | "reindex" | "access";
export type DocumentFilter = "all" | "ready" | "processing" | "failed" | "cancelled";

export type KnowledgeBaseSearch = { tab?: KnowledgeTab | undefined; status?: DocumentFilter | undefined; page?: number | undefined; q?: string | undefined };

const tabs: readonly KnowledgeTab[] = ["documents", "retrieval", "reindex", "access"];
const filters: readonly DocumentFilter[] = ["all", "ready", "processing", "failed", "cancelled"];

/** `tab`, the documents' `status` filter, `page` (1-based) and name search `q`. */
export function validateKnowledgeBaseSearch(search: Record<string, unknown>): KnowledgeBaseSearch {
  const page = Number(search.page);
  return {
    tab: tabs.find((tab) => tab === search.tab),
    status: filters.find((filter) => filter === search.status),
    page: Number.isInteger(page) && page > 1 ? page : undefined,
    q: typeof search.q === "string" && search.q !== "" ? search.q : undefined,
  };
}
