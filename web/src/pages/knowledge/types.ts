/** Answers of `/v1/knowledge-bases` the knowledge pages read (see the README's HTTP API reference). */

export type KnowledgeBaseStatus = "ready" | "reindexing" | "unusable";

export type KnowledgeBase = {
  id: string;
  object: "knowledge_base";
  name: string;
  description: string | null;
  /** The owning key's id (`local` for the CLI operator). */
  owner: string;
  status: KnowledgeBaseStatus;
  unusable_reason: string | null;
  embedding_model: string | null;
  dimensions: number | null;
  chunk_size: number | null;
  chunk_overlap: number | null;
  document_count: number;
  chunk_count: number;
  reindexing: { embedding_model: string; generation_id: number } | null;
  created_at: number | null;
};

export type DocumentStatus = "ready" | "processing" | "failed" | "cancelled";
export type DocumentStage = "queued" | "parsing" | "embedding" | "storing" | "ready" | "failed" | "cancelled";

export type KnowledgeDocument = {
  id: string;
  object: "knowledge_base.document";
  name: string;
  status: DocumentStatus;
  stage: DocumentStage;
  progress: { done: number; total: number } | null;
  format: string | null;
  title: string | null;
  chunk_count: number;
  character_count: number | null;
  error: string | null;
  error_code: string | null;
  retryable: boolean;
  job_id: string | null;
  created_at: number | null;
  updated_at: number | null;
};

export type DocumentList = {
  object: "list";
  data: KnowledgeDocument[];
  total: number;
  has_more: boolean;
  counts: Record<DocumentStatus, number>;
};

export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

export type KnowledgeJob = {
  id: string;
  object: "knowledge_base.job";
  /** "knowledge.ingest", "knowledge.reindex", … */
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number };
  error: string | null;
  result: unknown;
  created_at: number | null;
  started_at: number | null;
  finished_at: number | null;
};

export type RetrievalMode = "hybrid" | "lexical" | "vector";

export type Passage = {
  chunk_id: number;
  document_id: string;
  document: string;
  title: string | null;
  page: number | null;
  heading: string | null;
  text: string;
  score: number;
  lexical_score: number | null;
  vector_similarity: number | null;
  hybrid_score: number | null;
  rerank_score: number | null;
  start: number;
  end: number;
};

export type QueryAnswer = { object: "list"; knowledge_base: string; mode: RetrievalMode; nothing_relevant: boolean; data: Passage[] };

/** `GET /v1/models` entries with aiplus's `kind`. */
export type ListedModel = { id: string; kind?: "chat" | "embedding" };

export function isActiveJob(job: KnowledgeJob): boolean {
  return job.status === "queued" || job.status === "running";
}
