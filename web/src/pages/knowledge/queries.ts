import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { List } from "../../api/types";
import type { DocumentList, KnowledgeBase, KnowledgeJob, ListedModel } from "./types";

/*
 * Query functions do not pass React Query's abort signal on purpose: polled reads would otherwise be aborted
 * whenever their component unmounts mid-request (leaving a tab, a page), which the browser reports as failed requests.
 */

/** Query keys: everything of one knowledge base sits under `["knowledge-bases", reference]`. */
export const knowledgeKeys = {
  all: ["knowledge-bases"] as const,
  base: (reference: string) => ["knowledge-bases", reference] as const,
  documents: (reference: string, filter: object) => ["knowledge-bases", reference, "documents", filter] as const,
  jobs: (reference: string) => ["knowledge-bases", reference, "jobs"] as const,
  grants: (reference: string) => ["knowledge-bases", reference, "grants"] as const,
};

export function knowledgeBasePath(reference: string): string {
  return `/v1/knowledge-bases/${encodeURIComponent(reference)}`;
}

/** A document's URL; its id may hold a path (`teamA/notes.md`), so each segment is encoded on its own. */
export function documentPath(reference: string, documentId: string): string {
  return `${knowledgeBasePath(reference)}/documents/${documentId.split("/").map(encodeURIComponent).join("/")}`;
}

export function useKnowledgeBases() {
  return useQuery({ queryKey: knowledgeKeys.all, queryFn: () => api<List<KnowledgeBase>>("/v1/knowledge-bases") });
}

/** One knowledge base; polled while it re-indexes or while `live` (documents are being processed). */
export function useKnowledgeBase(reference: string, live: boolean) {
  return useQuery({
    queryKey: knowledgeKeys.base(reference),
    queryFn: () => api<KnowledgeBase>(knowledgeBasePath(reference)),
    refetchInterval: (query) => (live || query.state.data?.status === "reindexing" ? 2000 : false),
  });
}

export type DocumentQuery = { status?: string | undefined; search?: string | undefined; offset: number; limit: number };

/** A page of documents, polled every second while any document of the knowledge base is processing. */
export function useDocuments(reference: string, filter: DocumentQuery) {
  return useQuery({
    queryKey: knowledgeKeys.documents(reference, filter),
    queryFn: () => api<DocumentList>(`${knowledgeBasePath(reference)}/documents`, { query: filter }),
    refetchInterval: (query) => ((query.state.data?.counts.processing ?? 0) > 0 ? 1000 : false),
    placeholderData: (previous) => previous,
  });
}

/** The knowledge base's newest jobs (50), polled while one of them is queued or running. */
export function useJobs(reference: string) {
  return useQuery({
    queryKey: knowledgeKeys.jobs(reference),
    queryFn: () => api<List<KnowledgeJob>>(`${knowledgeBasePath(reference)}/jobs`),
    refetchInterval: (query) => (query.state.data?.data.some((job) => job.status === "queued" || job.status === "running") ? 1000 : false),
  });
}

/** The models this key may use (read again whenever a form needing them opens: models come and go). */
export function useModels() {
  return useQuery({ queryKey: ["v1", "models"], queryFn: () => api<List<ListedModel>>("/v1/models") });
}

export function embeddingModelsOf(models: ListedModel[]): string[] {
  return models.filter((model) => model.kind === "embedding").map((model) => model.id);
}
