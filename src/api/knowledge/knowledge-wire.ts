import type { Citation, DocumentView, IngestJobResult, JobView, KnowledgeBaseView, RetrievedPassage } from "../../rag/index.js";

/** An ISO time as unix seconds (every `*_at` field of aiplus's own endpoints is an integer of seconds), or null. */
function unixSecondsOf(time: string | undefined): number | null {
  const milliseconds = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isFinite(milliseconds) ? Math.floor(milliseconds / 1000) : null;
}

/** A knowledge base on the wire. */
export function wireKnowledgeBase(view: KnowledgeBaseView) {
  return {
    id: view.id, object: "knowledge_base", name: view.name, description: view.description ?? null, owner: view.ownerId,
    status: view.status, unusable_reason: view.unusableReason ?? null,
    embedding_model: view.embeddingModel ?? null, dimensions: view.dimensions ?? null, chunk_size: view.chunkSize ?? null, chunk_overlap: view.chunkOverlap ?? null,
    document_count: view.documentCount, chunk_count: view.chunkCount,
    reindexing: view.reindexing ? { embedding_model: view.reindexing.embeddingModel, generation_id: view.reindexing.generationId } : null, created_at: unixSecondsOf(view.createdAt),
  };
}

export function wireDocument(view: DocumentView) {
  return {
    id: view.id, object: "knowledge_base.document", name: view.name, status: view.status, stage: view.stage, progress: view.progress ?? null,
    format: view.format ?? null, title: view.title ?? null,
    chunk_count: view.chunkCount, character_count: view.characterCount ?? null, content_hash: view.contentHash ?? null, metadata: view.metadata,
    error: view.error ?? null, error_code: view.errorCode ?? null, retryable: view.retryable, job_id: view.jobId ?? null,
    created_at: unixSecondsOf(view.createdAt), updated_at: unixSecondsOf(view.updatedAt),
  };
}

export function wireJob(view: JobView) {
  return {
    id: view.id, object: "knowledge_base.job", kind: view.kind, status: view.status, knowledge_base_id: view.subject ?? null,
    progress: view.progress, error: view.error ?? null, result: view.result ?? null, attempts: view.attempts,
    created_at: unixSecondsOf(view.createdAt), started_at: unixSecondsOf(view.startedAt), finished_at: unixSecondsOf(view.finishedAt),
  };
}

export function wirePassage(passage: RetrievedPassage) {
  return {
    chunk_id: passage.chunkId, document_id: passage.documentId, document: passage.documentName, title: passage.title ?? null, page: passage.page ?? null,
    heading: passage.headingPath.length > 0 ? passage.headingPath.join(" > ") : null, text: passage.text, score: passage.score,
    lexical_score: passage.lexicalScore ?? null, vector_similarity: passage.vectorSimilarity ?? null, hybrid_score: passage.fusedScore ?? null,
    rerank_score: passage.rerankScore ?? null,
    start: passage.start, end: passage.end,
  };
}

export function wireCitation(citation: Citation & { knowledgeBase?: string | undefined }) {
  return {
    marker: citation.marker, knowledge_base: citation.knowledgeBase ?? null, document_id: citation.documentId, document: citation.documentName,
    title: citation.title ?? null, page: citation.page ?? null, heading: citation.heading ?? null, snippet: citation.snippet, score: citation.score,
    start: citation.start, end: citation.end,
  };
}

/** What an ingestion did, per document (`aiplus kb add --json`). */
export function wireIngestResult(result: IngestJobResult) {
  return {
    added: result.added, replaced: result.replaced, unchanged: result.unchanged, failed: result.failed,
    documents: result.documents.map((document) => ({
      document_id: document.documentId, name: document.name, status: document.status, chunk_count: document.chunkCount,
      error: document.error ?? null, error_code: document.errorCode ?? null, warnings: document.warnings,
    })),
  };
}
