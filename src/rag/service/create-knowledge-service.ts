import path from "node:path";
import type { Gateway } from "../../gateway/index.js";
import type { JobQueue } from "../../jobs/index.js";
import { toPrincipal, type Maas } from "../../maas/index.js";
import type { RegisteredModel, Runtime } from "../../runtime/index.js";
import { PermissionDeniedError, sameModelName } from "../../spec/index.js";
import type { Database, ProviderRecord } from "../../store/index.js";
import type { RequestGuard } from "../../spec/index.js";
import type { KnowledgeStore } from "../knowledge-store.js";
import { PostgresKnowledgeStore } from "../postgres/index.js";
import { SqliteKnowledgeStore } from "../sqlite/sqlite-knowledge-store.js";
import type { Embedder, Reranker } from "../types.js";
import type { EmbeddingMeter } from "./embedding-meter.js";
import { meteredEmbeddingModel } from "./embedding-meter.js";
import { embeddingSimilarityReranker } from "./embedding-similarity-reranker.js";
import { meteredReranker } from "./metered-reranker.js";
import { KnowledgeService, type RetrievalDefaults } from "./knowledge-service.js";

/** What {@link createKnowledgeService} wires together. */
export type CreateKnowledgeServiceOptions = {
  /** State folder: `knowledge-staging/` lives here, and `knowledge.db` when the main database is SQLite. */
  home: string;
  /** The main database (its `jobs` table; on PostgreSQL also the knowledge bases, shared by every instance on it). */
  database: Database;
  gateway: Pick<Gateway, "embeddingModel" | "rerankingModel">;
  runtime: Pick<Runtime, "embeddingTokenizer" | "rankingModel">;
  findLocalModel(name: string): Promise<RegisteredModel | undefined>;
  listProviders(): Promise<ProviderRecord[]>;
  /** Bills embedding calls to API keys, and records the local operator's (no key: CLI work) in the ledger with no key and no budget. */
  maas?: Pick<Maas, "keys" | "openMeteredRequest" | "openOperatorRequest"> | undefined;
  retrieval?: RetrievalDefaults | undefined;
  now?: (() => number) | undefined;
  jobLeaseMs?: number | undefined;
  jobPollIntervalMs?: number | undefined;
  /** Where ingestion and re-index jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
  onError?: ((error: unknown) => void) | undefined;
  /**
   * The guardrails of knowledge work: a key's guard (its policy) for embedding and rerank calls billed to it, the
   * default policy's for the local operator. Left out: the gateway's fallback guard alone applies.
   */
  guardFor?: ((request: { keyId: string | undefined; keyPolicy: string | undefined; endpoint: string }) => Promise<RequestGuard>) | undefined;
};

/** Most tokens per chunk by default (bounded by the model's context). */
const defaultMaxChunkSize = 512;

/**
 * The knowledge-base feature over the platform's parts: the knowledge store ({@link openKnowledgeStore}), embedders through the
 * gateway with the local model's own tokenizer (upstream models: about 4 bytes per token), rerankers (local ranking
 * head, embedding similarity, or a provider's `/rerank`), and metering of embedding calls to the calling key.
 */
export function createKnowledgeService(options: CreateKnowledgeServiceOptions): KnowledgeService {
  const store = openKnowledgeStore(options.home, options.database);
  const meter = options.maas ? keyMeter(options.maas, options.guardFor) : undefined;
  const guardFor = options.guardFor;
  const fallbackGuard = guardFor && (() => guardFor({ keyId: undefined, keyPolicy: undefined, endpoint: "rerank" }));

  const resolveEmbedder = async (modelName: string): Promise<Embedder> => {
    const model = await options.gateway.embeddingModel(modelName);
    const local = await options.findLocalModel(modelName);
    const tokenizer = local?.kind === "embedding" ? options.runtime.embeddingTokenizer?.(local) : undefined;
    if (tokenizer) {
      const chunkSize = Math.max(8, Math.min(defaultMaxChunkSize, (await tokenizer.contextSize()) - 4));
      return { model, countTokens: (text) => tokenizer.countTokens(text), chunkSize, chunkOverlap: Math.floor(chunkSize / 8) };
    }
    return { model, countTokens: (text) => Math.ceil(Buffer.byteLength(text, "utf8") / 4), chunkSize: 256, chunkOverlap: 32 };
  };

  const resolveReranker = async (modelName: string, keyId: string | undefined): Promise<Reranker> => {
    const local = await options.findLocalModel(modelName);
    if (local) {
      const similarity = async () => {
        const model = await options.gateway.embeddingModel(modelName);
        return embeddingSimilarityReranker(meter ? meteredEmbeddingModel(model, { meter, keyId, modelName }) : model);
      };
      const rankingModel = options.runtime.rankingModel?.(local);
      if (!rankingModel) return similarity();
      // An embedding model without a ranking head ranks by similarity (billed as embeddings). Another model without
      // one fails with model_not_ranking before anything is loaded or billed.
      const canRank = (await rankingModel.canRank?.()) ?? true;
      if (!canRank && local.kind === "embedding") return similarity();
      const ranking: Reranker = { rerank: (query, documents, call) => rankingModel.rank(query, documents, call) };
      return canRank && meter ? meteredReranker(ranking, { meter, keyId, modelName }) : ranking;
    }
    // The model's providers (`POST /rerank`) through the gateway: retries, failover, circuit breaking (NotFoundError when none lists it).
    const model = await options.gateway.rerankingModel(modelName);
    const upstream: Reranker = { rerank: async (query, documents, call = {}) => model.rerank(query, documents, { ...call, guard: call.guard ?? (await fallbackGuard?.()) }) };
    return meter ? meteredReranker(upstream, { meter, keyId, modelName }) : upstream;
  };

  const modelAvailable = async (modelName: string): Promise<boolean> =>
    (await options.findLocalModel(modelName)) !== undefined || (await options.listProviders()).some((provider) => provider.models.some((listed) => sameModelName(listed, modelName)));

  return new KnowledgeService({
    store, database: options.database, resolveEmbedder, resolveReranker, modelAvailable, meter, retrieval: options.retrieval,
    stagingFolder: path.join(options.home, "knowledge-staging"), now: options.now, jobLeaseMs: options.jobLeaseMs,
    jobPollIntervalMs: options.jobPollIntervalMs, jobQueue: options.jobQueue, onError: options.onError,
  });
}

/**
 * The knowledge store of a platform: on a PostgreSQL main database the PostgreSQL store in it (pgvector, BM25 postings),
 * so every instance on that database serves the same knowledge bases; otherwise the embedded SQLite store in `home`.
 */
export function openKnowledgeStore(home: string, database: Database): KnowledgeStore {
  switch (database.dialect) {
    case "postgres":
      return new PostgresKnowledgeStore({ database });
    case "sqlite":
      return new SqliteKnowledgeStore({ path: knowledgeStorePath(home) });
  }
}

/** The knowledge store's SQLite file in a state folder (embedded platforms). */
export function knowledgeStorePath(home: string): string {
  return path.join(home, "knowledge.db");
}

/**
 * Bills embedding and rerank calls of knowledge-base work (ingestion, queries) to the API key through the metered
 * ledger (its budget and rate limits). The key's model allow-list is not applied here: access to a knowledge base
 * covers the models it uses internally, whichever they are after a re-index; models a caller names itself (a query's
 * `rerank_model`, `/v1/embeddings`, `/v1/rerank`) are checked at the API edge. Work of no key (the local operator)
 * is recorded without a key, at the price book, like `aiplus chat` turns.
 */
function keyMeter(maas: Pick<Maas, "keys" | "openMeteredRequest" | "openOperatorRequest">, guardFor: CreateKnowledgeServiceOptions["guardFor"]): EmbeddingMeter {
  return async ({ keyId, model, maxInputTokens, endpoint = "embeddings" }) => {
    const guardEndpoint = endpoint === "rerank" ? "rerank" : "knowledge.embeddings";
    if (keyId === undefined) {
      // The local operator (`aiplus kb add|query|reindex`): in the ledger without a key, like `aiplus chat`.
      const entry = await maas.openOperatorRequest({ model, endpoint });
      // The default policy's guard, its decisions recorded against this ledger entry.
      const operatorGuard = await guardFor?.({ keyId: undefined, keyPolicy: undefined, endpoint: guardEndpoint });
      return {
        guard: boundToRequest(operatorGuard, entry.id),
        settle: (outcome) => entry.settle({ usage: { inputTokens: outcome.inputTokens, outputTokens: 0 }, status: outcome.status, error: outcome.error }),
      };
    }
    const record = await maas.keys.get(keyId);
    if (!record || record.revokedAt !== undefined) throw new PermissionDeniedError({ message: `the API key ${keyId} that started this work was revoked`, code: "key_revoked" });
    const principal = toPrincipal(record);
    // The key's guardrails (its own policy tightening the default) before anything is billed or sent.
    const guard = await guardFor?.({ keyId, keyPolicy: record.policy, endpoint: guardEndpoint });
    const metered = await maas.openMeteredRequest({ principal, model, endpoint, maxInputTokens, maxOutputTokens: 0 });
    return {
      // Its decisions are recorded against this ledger entry (the usage log and `audit?request_id=` show them).
      guard: boundToRequest(guard, metered.id),
      settle: (outcome) => metered.settle({ usage: { inputTokens: outcome.inputTokens, outputTokens: 0 }, status: outcome.status, error: outcome.error }),
    };
  };
}

/** A guard whose decisions are recorded against one ledger request (the guard itself when it cannot be bound). */
function boundToRequest(guard: RequestGuard | undefined, requestId: string): RequestGuard | undefined {
  return guard?.forRequest ? guard.forRequest(requestId) : guard;
}
