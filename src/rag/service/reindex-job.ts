import { z } from "zod";
import type { JobContext, JobRecord } from "../../jobs/index.js";
import type { GenerationRecord, KnowledgeStore } from "../knowledge-store.js";
import { reindexKnowledgeBase } from "../reindex-knowledge-base.js";
import type { Embedder } from "../types.js";
import { embeddingModelNameOf } from "./embedding-model-reference.js";

/** Job kind of an embedding-model switch. */
export const reindexJobKind = "knowledge.reindex";

export const reindexJobPayloadSchema = z.object({
  knowledgeBaseId: z.string(),
  ownerId: z.string(),
  embeddingModel: z.string(),
  chunkSize: z.number().int().positive(),
  chunkOverlap: z.number().int().min(0),
});

export type ReindexJobPayload = z.output<typeof reindexJobPayloadSchema>;

/**
 * Builds a new index generation with another embedding model while the active one keeps serving, then switches
 * atomically. Resumable: a re-run continues the building generation and skips documents already indexed there.
 */
export async function runReindexJob(
  job: JobRecord,
  context: JobContext,
  dependencies: { store: KnowledgeStore; resolveEmbedder: (modelName: string, keyId: string | undefined) => Promise<Embedder> },
): Promise<{ generationId: number; embeddingModel: string; chunkCount: number }> {
  const payload = reindexJobPayloadSchema.parse(job.payload);
  const scope = { knowledgeBaseId: payload.knowledgeBaseId, ownerId: payload.ownerId };
  const embedder = await dependencies.resolveEmbedder(payload.embeddingModel, job.keyId);
  const generation: GenerationRecord = await reindexKnowledgeBase({
    store: dependencies.store, scope, embedder: { ...embedder, chunkSize: payload.chunkSize, chunkOverlap: payload.chunkOverlap }, abortSignal: context.signal,
    onProgress: (progress) => context.progress(progress.documentsDone, progress.documentsTotal),
  });
  return { generationId: generation.id, embeddingModel: embeddingModelNameOf(generation.embeddingModelId), chunkCount: generation.chunkCount };
}
