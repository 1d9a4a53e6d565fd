import type { JobRecord, JobStatus } from "../../jobs/index.js";
import { ConflictError, sameModelName } from "../../spec/index.js";
import type { KnowledgeStore } from "../knowledge-store.js";
import { embeddingModelIdOf } from "./embedding-model-reference.js";
import { reindexJobKind, reindexJobPayloadSchema } from "./reindex-job.js";

/** A knowledge base that needs a model: the embedding model of its serving index, or the target of a re-index. */
export type ModelDependant = { knowledgeBaseId: string; knowledgeBase: string; ownerId: string; use: "embedding" | "reindex" };

/** What {@link findModelDependants} reads. */
export type ModelDependantsSources = {
  store: Pick<KnowledgeStore, "listAllKnowledgeBases" | "listGenerations">;
  listJobs: (filter: { statuses: JobStatus[]; limit: number }) => Promise<JobRecord[]>;
};

/** Every knowledge base whose active or building index uses `modelName`, or that a queued or running re-index moves to it. */
export async function findModelDependants(modelName: string, sources: ModelDependantsSources): Promise<ModelDependant[]> {
  const modelId = embeddingModelIdOf(modelName);
  const dependants = new Map<string, ModelDependant>();
  const knowledgeBases = await sources.store.listAllKnowledgeBases();
  for (const record of knowledgeBases) {
    for (const generation of await sources.store.listGenerations({ knowledgeBaseId: record.id, ownerId: record.ownerId })) {
      if (!sameModelName(generation.embeddingModelId, modelId) || generation.status === "retired") continue;
      const use = generation.status === "active" ? "embedding" : "reindex";
      if (!dependants.has(record.id) || use === "embedding") dependants.set(record.id, { knowledgeBaseId: record.id, knowledgeBase: record.name, ownerId: record.ownerId, use });
    }
  }
  for (const job of await sources.listJobs({ statuses: ["queued", "running"], limit: 1000 })) {
    if (job.kind !== reindexJobKind) continue;
    const payload = reindexJobPayloadSchema.safeParse(job.payload);
    if (!payload.success || !sameModelName(payload.data.embeddingModel, modelName) || dependants.has(payload.data.knowledgeBaseId)) continue;
    const record = knowledgeBases.find((candidate) => candidate.id === payload.data.knowledgeBaseId);
    if (record) dependants.set(record.id, { knowledgeBaseId: record.id, knowledgeBase: record.name, ownerId: record.ownerId, use: "reindex" });
  }
  return [...dependants.values()].sort((left, right) => (left.knowledgeBase < right.knowledgeBase ? -1 : left.knowledgeBase > right.knowledgeBase ? 1 : 0));
}

/** 409 `model_in_use` naming the knowledge bases that still need the model. */
export function modelInUseError(modelName: string, dependants: ModelDependant[]): ConflictError {
  const listed = dependants.map((dependant) => `${dependant.knowledgeBase} (${dependant.knowledgeBaseId}, ${dependant.use === "embedding" ? "embedding model" : "re-index target"})`);
  return new ConflictError({
    message: `model ${modelName} is used by ${dependants.length} knowledge base${dependants.length === 1 ? "" : "s"}: ${listed.join(", ")}; reindex or delete them first, or force the removal (they become unusable)`,
    param: "model",
    code: "model_in_use",
  });
}
