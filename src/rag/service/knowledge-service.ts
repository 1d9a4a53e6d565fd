import { randomUUID } from "node:crypto";
import path from "node:path";
import { type JobQueue, JobRunner } from "../../jobs/index.js";
import { ConflictError, InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../spec/index.js";
import type { Database } from "../../store/index.js";
import type { GenerationRecord, KnowledgeBaseRecord, KnowledgeStore } from "../knowledge-store.js";
import { retrieve, type RelevanceThreshold, type RetrievalMode, type RetrievalResult } from "../retrieve.js";
import type { DocumentFormat, Embedder, KnowledgeBaseScope, Reranker, SearchFilter } from "../types.js";
import { meteredEmbeddingModel, type EmbeddingMeter } from "./embedding-meter.js";
import { embeddingModelIdOf, embeddingModelNameOf } from "./embedding-model-reference.js";
import { DocumentCatalog, type DocumentListFilter, type DocumentPage } from "./document-catalog.js";
import { DocumentTaskProgress } from "./document-task-progress.js";
import { createDocumentTaskRepository } from "./document-tasks.js";
import { DocumentUploads } from "./document-uploads.js";
import { StagedUploads } from "./staged-uploads.js";
import { ingestJobKind, runIngestJob, type IngestJobPayload } from "./ingest-job.js";
import { ownerIdOf, type KnowledgeAccessor } from "./knowledge-accessor.js";
import { toJobView, type DocumentView, type JobView, type KnowledgeBaseView } from "./knowledge-views.js";
import { findModelDependants, type ModelDependant } from "./model-dependants.js";
import { reindexJobKind, runReindexJob, type ReindexJobPayload } from "./reindex-job.js";

/** Retrieval settings used when a query sets none. */
export type RetrievalDefaults = {
  /** Default `hybrid`. */
  mode?: RetrievalMode | undefined;
  /** RRF weights (default lexical 1, vector 0.5: a weak embedder must not drown BM25). */
  weights?: { lexical?: number | undefined; vector?: number | undefined } | undefined;
  /** Relevance threshold of grounded chat (default: BM25 ≥ 1 or cosine ≥ 0.6). */
  threshold?: RelevanceThreshold | undefined;
};

/** Options of {@link KnowledgeService}. */
export type KnowledgeServiceOptions = {
  store: KnowledgeStore;
  /** The database holding the `jobs` table. */
  database: Database;
  /** A public embedding model name → its model (unmetered) and tokenizer, with default chunk sizes. */
  resolveEmbedder: (modelName: string) => Promise<Embedder>;
  /** A reranker model name → a reranker (local ranking model, embedding similarity or an upstream endpoint). */
  resolveReranker?: ((modelName: string, keyId: string | undefined) => Promise<Reranker>) | undefined;
  /**
   * Whether a model name is still served (registered locally or listed by a provider). A knowledge base whose
   * embedding model is not is shown `unusable`, and work that needs the model fails with 409 naming it. Default: all are.
   */
  modelAvailable?: ((modelName: string) => Promise<boolean>) | undefined;
  /** Bills embedding calls (ingestion, queries) to the key that caused them. Default: not billed. */
  meter?: EmbeddingMeter | undefined;
  /**
   * Where earlier versions staged uploaded files: jobs they queued still read them there. Uploads are now staged in
   * `database`, so that any instance can run their ingestion job.
   */
  stagingFolder?: string | undefined;
  /** Largest uploaded document (bytes, default 256 MiB): a larger one is refused with 413 `upload_too_large`. */
  maxUploadBytes?: number | undefined;
  retrieval?: RetrievalDefaults | undefined;
  /** Clock in ms (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Id generator (default `crypto.randomUUID`). */
  generateId?: (() => string) | undefined;
  /** Job lease: a running job without heartbeat for this long is taken over (default 30000 ms). */
  jobLeaseMs?: number | undefined;
  /** How often a started runner polls for jobs (default 1000 ms). */
  jobPollIntervalMs?: number | undefined;
  /** Where jobs are delivered from (default: the embedded runner polls the jobs table). */
  jobQueue?: JobQueue | undefined;
  onError?: ((error: unknown) => void) | undefined;
};

/** A document to add: a file on this machine, uploaded bytes, or text. */
export type DocumentInput = {
  /** Name within the knowledge base, e.g. its path relative to the folder it was added from (`teamA/notes.md`). */
  name: string;
  /**
   * The document's identity (default: `name`): adding a document with the same id again replaces it. Two documents
   * of one call with the same id are rejected (`document_id_collision`), never silently merged.
   */
  id?: string | undefined;
  path?: string | undefined;
  bytes?: Uint8Array | undefined;
  text?: string | undefined;
  format?: DocumentFormat | undefined;
  metadata?: Record<string, string | number | boolean> | undefined;
};

/** A query. */
export type KnowledgeQuery = {
  query: string;
  /** Passages returned (default 5). */
  top?: number | undefined;
  mode?: RetrievalMode | undefined;
  filter?: SearchFilter | undefined;
  threshold?: RelevanceThreshold | undefined;
  weights?: { lexical?: number | undefined; vector?: number | undefined } | undefined;
  /** Maximal marginal relevance λ (1 = relevance only); unset = off. */
  diversity?: number | undefined;
  /** Reranker model name. */
  rerankModel?: string | undefined;
  abortSignal?: AbortSignal | undefined;
};

/** Default RRF weights of hybrid retrieval: BM25 leads, a weak embedder cannot drown it (see `npm run bench:rag`). */
export const defaultHybridWeights = { lexical: 1, vector: 0.5 } as const;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Knowledge bases as a product feature: access control (owner, grants, admins), durable ingestion and re-index jobs,
 * metered embeddings, retrieval. The HTTP API and the CLI both call this; neither touches the store directly.
 */
export class KnowledgeService {
  readonly jobs: JobRunner;
  readonly store: KnowledgeStore;
  private readonly now: () => number;
  private readonly generateId: () => string;
  /** Uploaded documents' bytes until their ingestion (in the database; see staged-uploads.ts). */
  private readonly staging: StagedUploads;
  /** Uploaded documents between upload and storage: their tasks, cancel, retry, removal (see document-uploads.ts). */
  private readonly uploads: DocumentUploads;
  /** Documents as listed: stored ones merged with uploads in progress, failed or cancelled. */
  private readonly catalog: DocumentCatalog;

  constructor(private readonly options: KnowledgeServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.generateId = options.generateId ?? randomUUID;
    this.staging = new StagedUploads({
      database: options.database, legacyFolder: options.stagingFolder, maxBytes: options.maxUploadBytes, now: this.now, generateId: this.generateId,
    });
    const tasks = createDocumentTaskRepository(options.database);
    const onError = options.onError ?? (() => undefined);
    this.jobs = new JobRunner({
      database: options.database,
      now: options.now,
      generateId: options.generateId,
      leaseMs: options.jobLeaseMs,
      pollIntervalMs: options.jobPollIntervalMs,
      queue: options.jobQueue,
      onError: options.onError,
      handlers: {
        [ingestJobKind]: (job, context) =>
          runIngestJob(job, context, {
            store: this.store, embedderFor: (generation, keyId) => this.embedderFor(generation, keyId),
            documentProgress: new DocumentTaskProgress(tasks, job.id, this.now, onError), staging: this.staging,
          }),
        [reindexJobKind]: (job, context) => runReindexJob(job, context, { store: this.store, resolveEmbedder: (name, keyId) => this.meteredEmbedder(name, keyId) }),
      },
    });
    this.catalog = new DocumentCatalog({ store: this.store, tasks, jobs: this.jobs, sourcesAvailable: (sources) => this.staging.available(sources) });
    this.uploads = new DocumentUploads({ store: this.store, jobs: this.jobs, tasks, catalog: this.catalog, staging: this.staging, now: this.now, generateId: this.generateId });
  }

  async createKnowledgeBase(
    accessor: KnowledgeAccessor,
    input: { name: string; embeddingModel: string; description?: string | undefined; chunkSize?: number | undefined; chunkOverlap?: number | undefined },
  ): Promise<KnowledgeBaseView> {
    if (!namePattern.test(input.name)) {
      throw new InvalidRequestError({ message: `invalid knowledge base name ${JSON.stringify(input.name)}: use 1-64 letters, digits, '.', '_' or '-'`, param: "name" });
    }
    const embedder = await this.options.resolveEmbedder(input.embeddingModel);
    const { chunkSize, chunkOverlap } = chunking(embedder, input);
    const probe = await embedder.model.doEmbed({ values: ["dimension probe"] });
    const dimensions = probe.embeddings[0]?.length ?? 0;
    const ownerId = ownerIdOf(accessor);
    const record = await this.store.createKnowledgeBase({ id: `kb_${this.generateId().replace(/-/g, "").slice(0, 20)}`, ownerId, name: input.name, description: input.description });
    const scope = { knowledgeBaseId: record.id, ownerId };
    try {
      await this.store.createGeneration(scope, { embeddingModelId: embeddingModelIdOf(input.embeddingModel), dimensions, chunkSize, chunkOverlap });
    } catch (error) {
      await this.store.deleteKnowledgeBase(scope);
      throw error;
    }
    return this.view((await this.store.getKnowledgeBase(scope)) ?? record);
  }

  /** The knowledge bases this accessor may use. */
  async listKnowledgeBases(accessor: KnowledgeAccessor): Promise<KnowledgeBaseView[]> {
    const records = accessor.isAdmin
      ? await this.store.listAllKnowledgeBases()
      : [...(await this.store.listKnowledgeBases(ownerIdOf(accessor))), ...(accessor.keyId ? await this.store.listGrantedKnowledgeBases(accessor.keyId) : [])];
    return Promise.all(records.map((record) => this.view(record)));
  }

  async getKnowledgeBase(accessor: KnowledgeAccessor, reference: string): Promise<KnowledgeBaseView> {
    return this.view((await this.access(accessor, reference)).record);
  }

  /** Deletes a knowledge base with everything in it (owner or admin); cancels its jobs. */
  async deleteKnowledgeBase(accessor: KnowledgeAccessor, reference: string): Promise<void> {
    const { scope } = await this.access(accessor, reference, "manage");
    for (const job of await this.jobs.list({ subject: scope.knowledgeBaseId, statuses: ["queued", "running"] })) await this.jobs.cancel(job.id);
    await this.store.deleteKnowledgeBase(scope);
    await this.uploads.removeAll(scope.knowledgeBaseId);
  }

  /**
   * Starts an ingestion job for documents (files are read by the job; bytes and text are staged in the database first,
   * so any instance can run it; a document over the upload limit is a 413 before anything is staged). With
   * `runHere` this process runs it (the CLI), else any runner does (the server's).
   */
  async addDocuments(accessor: KnowledgeAccessor, reference: string, documents: DocumentInput[], options: { force?: boolean | undefined; runHere?: boolean | undefined } = {}): Promise<JobView> {
    const { record, scope } = await this.access(accessor, reference);
    if (documents.length === 0) throw new InvalidRequestError({ message: "no documents to add", param: "documents" });
    await this.assertUsable(record);
    const byId = new Map<string, string[]>();
    for (const document of documents) {
      if (!document.name || document.name.length > 512) throw new InvalidRequestError({ message: "every document needs a name of 1-512 characters", param: "name" });
      if (document.id !== undefined && (document.id === "" || document.id.length > 512)) throw new InvalidRequestError({ message: "a document id must have 1-512 characters", param: "id" });
      const id = document.id ?? document.name;
      byId.set(id, [...(byId.get(id) ?? []), document.name]);
    }
    const collisions = [...byId].filter(([, names]) => names.length > 1);
    if (collisions.length > 0) {
      const listed = collisions.map(([id, names]) => `${id} (${names.length} documents: ${names.join(", ")})`).join("; ");
      throw new InvalidRequestError({
        message: `documents collide on the same id: ${listed}; give each a distinct name (e.g. its path) or id`, param: "documents", code: "document_id_collision",
      });
    }
    const contents = documents.map((document) => (document.path === undefined ? (document.bytes ?? new TextEncoder().encode(document.text ?? "")) : undefined));
    for (const [index, content] of contents.entries()) if (content) this.staging.assertSize(documents[index]!.name, content.byteLength);
    const entries: IngestJobPayload["documents"] = [];
    try {
      for (const [index, document] of documents.entries()) {
        const content = contents[index];
        const file = content ? await this.staging.stage(document.name, content) : path.resolve(document.path!);
        entries.push({ documentId: document.id ?? document.name, name: document.name, file, format: document.format, metadata: document.metadata });
      }
    } catch (error) {
      await this.staging.remove(entries.map((entry) => entry.file).filter((file) => this.staging.isStaged(file)));
      throw error;
    }
    const payload: IngestJobPayload = { knowledgeBaseId: scope.knowledgeBaseId, ownerId: scope.ownerId, force: options.force, documents: entries };
    return toJobView(await this.uploads.enqueue(payload, accessor.keyId, options.runHere));
  }

  /** Every document of a knowledge base (stored, processing, failed, cancelled), sorted by name. */
  async listDocuments(accessor: KnowledgeAccessor, reference: string): Promise<DocumentView[]> {
    return (await this.listDocumentPage(accessor, reference)).documents;
  }

  /** A page of a knowledge base's documents matching a filter, with the total and the count of each status. */
  async listDocumentPage(accessor: KnowledgeAccessor, reference: string, filter: DocumentListFilter = {}): Promise<DocumentPage> {
    const { scope } = await this.access(accessor, reference);
    return this.catalog.page(scope, filter);
  }

  /**
   * A document by id or name: stored (`ready`), in an unfinished job (`processing`, at its stage), or an upload that
   * failed or was cancelled.
   */
  async getDocument(accessor: KnowledgeAccessor, reference: string, documentReference: string): Promise<DocumentView> {
    const { scope } = await this.access(accessor, reference);
    const state = await this.catalog.find(scope, documentReference);
    if (!state) throw new NotFoundError({ message: `document ${documentReference} not found in knowledge base ${reference}`, code: "document_not_found" });
    return (await this.catalog.detail(scope, [state]))[0]!;
  }

  /** Stops a queued or processing document (409 `document_not_processing` otherwise); its upload is kept for a retry. */
  async cancelDocument(accessor: KnowledgeAccessor, reference: string, documentReference: string): Promise<DocumentView> {
    const { scope } = await this.access(accessor, reference);
    return this.uploads.cancel(scope, documentReference);
  }

  /** Ingests a failed or cancelled upload again from its kept copy (409 `document_not_retryable` otherwise). */
  async retryDocument(accessor: KnowledgeAccessor, reference: string, documentReference: string): Promise<JobView> {
    const { record, scope } = await this.access(accessor, reference);
    await this.assertUsable(record);
    return toJobView(await this.uploads.retry(scope, documentReference));
  }

  /** Cancels a job (a re-index needs the owner or an admin); a finished job is returned unchanged. */
  async cancelJob(accessor: KnowledgeAccessor, reference: string, jobId: string): Promise<JobView> {
    const { scope } = await this.access(accessor, reference);
    const job = await this.jobs.get(jobId);
    if (!job || job.subject !== scope.knowledgeBaseId) throw new NotFoundError({ message: `job ${jobId} not found in knowledge base ${reference}`, code: "job_not_found" });
    if (job.kind === reindexJobKind) await this.access(accessor, reference, "manage");
    return toJobView(await this.uploads.cancelJob(scope, job));
  }

  /**
   * A document (by id or name) with the slice `start`–`end` of its parsed text: the passage a citation's or a
   * query hit's `start`/`end` point at. 409 `document_not_ready` while it is processing or when it failed; 400 when
   * `end` lies past its last character.
   */
  async getDocumentPassage(accessor: KnowledgeAccessor, reference: string, documentReference: string, range: { start: number; end: number }): Promise<{ document: DocumentView; text: string }> {
    const { scope } = await this.access(accessor, reference);
    const document = await this.getDocument(accessor, reference, documentReference);
    const stored = document.status === "ready" ? await this.store.getDocument(scope, document.id) : undefined;
    if (!stored) throw new ConflictError({ message: `document ${document.name} is ${document.status}: it has no text to show`, code: "document_not_ready" });
    const length = stored.parsed.text.length;
    if (range.end > length) throw new InvalidRequestError({ message: `passage_end must be at most ${length}, the document's length in characters`, param: "passage_end" });
    return { document, text: stored.parsed.text.slice(range.start, range.end) };
  }

  /**
   * Deletes a document by id or name, whatever its status: a stored one with its chunks, vectors and index entries in
   * every generation (atomically); a queued or processing one is taken out of its ingestion job (the job is cancelled
   * and its other documents queued again in a new job); a failed one stops being listed.
   */
  async removeDocument(accessor: KnowledgeAccessor, reference: string, documentReference: string): Promise<void> {
    const { scope } = await this.access(accessor, reference);
    if (!(await this.uploads.remove(scope, documentReference))) {
      throw new NotFoundError({ message: `document ${documentReference} not found in knowledge base ${reference}`, code: "document_not_found" });
    }
  }

  async query(accessor: KnowledgeAccessor, reference: string, query: KnowledgeQuery): Promise<RetrievalResult & { knowledgeBase: KnowledgeBaseRecord }> {
    const { record, scope } = await this.access(accessor, reference);
    if (query.query.trim() === "") throw new InvalidRequestError({ message: "query must not be empty", param: "query" });
    const defaults = this.options.retrieval ?? {};
    if ((query.mode ?? defaults.mode ?? "hybrid") !== "lexical") await this.assertUsable(record);
    const result = await retrieve({
      store: this.store, scope, query: query.query, limit: query.top ?? 5, mode: query.mode ?? defaults.mode ?? "hybrid",
      weights: query.weights ?? defaults.weights ?? defaultHybridWeights, filter: query.filter, threshold: query.threshold,
      diversity: query.diversity === undefined ? undefined : { lambda: query.diversity },
      reranker: query.rerankModel ? await this.reranker(query.rerankModel, accessor.keyId) : undefined,
      embeddingModelFor: async (generation) => (await this.meteredEmbedder(embeddingModelNameOf(generation.embeddingModelId), accessor.keyId)).model,
      abortSignal: query.abortSignal,
    });
    return { ...result, knowledgeBase: record };
  }

  /** The relevance threshold grounded chat uses when the request sets none. */
  defaultThreshold(): RelevanceThreshold {
    return this.options.retrieval?.threshold ?? { minLexicalScore: 1, minVectorSimilarity: 0.6 };
  }

  /** Starts a background re-index with another embedding model (owner or admin); the old index serves meanwhile. */
  async reindex(accessor: KnowledgeAccessor, reference: string, input: { embeddingModel: string; chunkSize?: number | undefined; chunkOverlap?: number | undefined; runHere?: boolean | undefined }): Promise<JobView> {
    const { scope } = await this.access(accessor, reference, "manage");
    const embedder = await this.options.resolveEmbedder(input.embeddingModel);
    const payload: ReindexJobPayload = { knowledgeBaseId: scope.knowledgeBaseId, ownerId: scope.ownerId, embeddingModel: input.embeddingModel, ...chunking(embedder, input) };
    return toJobView(await this.jobs.enqueue({ kind: reindexJobKind, payload, subject: scope.knowledgeBaseId, keyId: accessor.keyId, runHere: input.runHere }));
  }

  async getJob(accessor: KnowledgeAccessor, reference: string, jobId: string): Promise<JobView> {
    const { scope } = await this.access(accessor, reference);
    const job = await this.jobs.get(jobId);
    if (!job || job.subject !== scope.knowledgeBaseId) throw new NotFoundError({ message: `job ${jobId} not found in knowledge base ${reference}`, code: "job_not_found" });
    return toJobView(job);
  }

  async listJobs(accessor: KnowledgeAccessor, reference: string): Promise<JobView[]> {
    const { scope } = await this.access(accessor, reference);
    return (await this.jobs.list({ subject: scope.knowledgeBaseId, limit: 50 })).map(toJobView);
  }

  /** Knowledge bases (of every owner) that need a model: see {@link findModelDependants}. */
  async modelDependants(modelName: string): Promise<ModelDependant[]> {
    return findModelDependants(modelName, { store: this.store, listJobs: (filter) => this.jobs.list(filter) });
  }

  /** Lets another API key use a knowledge base (owner or admin). */
  async grant(accessor: KnowledgeAccessor, reference: string, keyId: string): Promise<string[]> {
    const { scope } = await this.access(accessor, reference, "manage");
    await this.store.grantAccess(scope, keyId);
    return this.store.listGrants(scope);
  }

  async revoke(accessor: KnowledgeAccessor, reference: string, keyId: string): Promise<string[]> {
    const { scope } = await this.access(accessor, reference, "manage");
    if (!(await this.store.revokeAccess(scope, keyId))) throw new NotFoundError({ message: `key ${keyId} has no grant on knowledge base ${reference}`, code: "grant_not_found" });
    return this.store.listGrants(scope);
  }

  async listGrants(accessor: KnowledgeAccessor, reference: string): Promise<string[]> {
    return this.store.listGrants((await this.access(accessor, reference, "manage")).scope);
  }

  /** A reranker by model name (for `/v1/rerank` and queries). */
  async reranker(modelName: string, keyId: string | undefined): Promise<Reranker> {
    if (!this.options.resolveReranker) throw new InvalidRequestError({ message: "reranking is not configured", param: "model" });
    return this.options.resolveReranker(modelName, keyId);
  }

  /** Stops the job runner (running jobs go back to the queue) and closes the store. */
  async dispose(): Promise<void> {
    await this.jobs.dispose();
    await this.store.close();
  }

  /**
   * Resolves a knowledge base by id or name for an accessor: 404 when no such knowledge base exists, 403 when it exists
   * but the key neither owns it nor was granted it (`manage` needs the owner or an admin).
   */
  async access(accessor: KnowledgeAccessor, reference: string, need: "use" | "manage" = "use"): Promise<{ record: KnowledgeBaseRecord; scope: KnowledgeBaseScope }> {
    const candidates = await this.store.findKnowledgeBases({ id: reference, name: reference });
    if (candidates.length === 0) throw new NotFoundError({ message: `knowledge base ${reference} not found`, code: "knowledge_base_not_found" });
    const ownerId = ownerIdOf(accessor);
    const allowed: KnowledgeBaseRecord[] = [];
    for (const candidate of candidates) {
      const scope = { knowledgeBaseId: candidate.id, ownerId: candidate.ownerId };
      const owns = accessor.isAdmin || candidate.ownerId === ownerId;
      const granted = !owns && need === "use" && accessor.keyId !== undefined && (await this.store.listGrants(scope)).includes(accessor.keyId);
      if (owns || granted) allowed.push(candidate);
    }
    if (allowed.length === 0) {
      throw new PermissionDeniedError({ message: `this API key may not ${need === "use" ? "use" : "manage"} knowledge base ${reference}`, code: "knowledge_base_access_denied" });
    }
    const record = allowed.find((candidate) => candidate.id === reference) ?? (allowed.length === 1 ? allowed[0] : allowed.find((candidate) => candidate.ownerId === ownerId));
    if (!record) throw new InvalidRequestError({ message: `${allowed.length} knowledge bases are named ${reference}; use an id (see the list)`, param: "knowledge_base" });
    return { record, scope: { knowledgeBaseId: record.id, ownerId: record.ownerId } };
  }

  private async meteredEmbedder(modelName: string, keyId: string | undefined): Promise<Embedder> {
    const embedder = await this.options.resolveEmbedder(modelName);
    if (!this.options.meter) return embedder;
    return { ...embedder, model: meteredEmbeddingModel(embedder.model, { meter: this.options.meter, keyId, modelName }) };
  }

  private async embedderFor(generation: GenerationRecord, keyId: string | undefined): Promise<Embedder> {
    const embedder = await this.meteredEmbedder(embeddingModelNameOf(generation.embeddingModelId), keyId);
    return { ...embedder, chunkSize: generation.chunkSize, chunkOverlap: generation.chunkOverlap };
  }

  /** Why a knowledge base cannot embed (its serving index's embedding model is gone), or undefined when it can. */
  private async unusableReason(record: KnowledgeBaseRecord, generations?: GenerationRecord[]): Promise<string | undefined> {
    const all = generations ?? (await this.store.listGenerations({ knowledgeBaseId: record.id, ownerId: record.ownerId }));
    const active = all.find((generation) => generation.id === record.activeGenerationId);
    if (!active || !this.options.modelAvailable) return undefined;
    const model = embeddingModelNameOf(active.embeddingModelId);
    if (await this.options.modelAvailable(model)) return undefined;
    return `its embedding model ${model} is no longer registered; reindex it with another embedding model`;
  }

  /** 409 `knowledge_base_unusable` naming the missing embedding model. */
  private async assertUsable(record: KnowledgeBaseRecord): Promise<void> {
    const reason = await this.unusableReason(record);
    if (reason) throw new ConflictError({ message: `knowledge base ${record.name} is unusable: ${reason}`, code: "knowledge_base_unusable" });
  }

  private async view(record: KnowledgeBaseRecord): Promise<KnowledgeBaseView> {
    const scope = { knowledgeBaseId: record.id, ownerId: record.ownerId };
    const generations = await this.store.listGenerations(scope);
    const active = generations.find((generation) => generation.id === record.activeGenerationId);
    const building = generations.find((generation) => generation.status === "building");
    const documents = await this.store.listDocuments(scope);
    const unusableReason = await this.unusableReason(record, generations);
    return {
      id: record.id, name: record.name, description: record.description, ownerId: record.ownerId,
      status: unusableReason ? "unusable" : building ? "reindexing" : "ready", unusableReason,
      embeddingModel: active && embeddingModelNameOf(active.embeddingModelId), dimensions: active?.dimensions, chunkSize: active?.chunkSize,
      chunkOverlap: active?.chunkOverlap, documentCount: documents.length, chunkCount: active?.chunkCount ?? 0,
      reindexing: building && { embeddingModel: embeddingModelNameOf(building.embeddingModelId), generationId: building.id }, createdAt: record.createdAt,
    };
  }
}

function chunking(embedder: Embedder, input: { chunkSize?: number | undefined; chunkOverlap?: number | undefined }): { chunkSize: number; chunkOverlap: number } {
  const chunkSize = input.chunkSize ?? embedder.chunkSize ?? 256;
  if (!Number.isInteger(chunkSize) || chunkSize < 8 || chunkSize > (embedder.chunkSize ?? 8192)) {
    throw new InvalidRequestError({ message: `chunk size must be an integer from 8 to ${embedder.chunkSize ?? 8192} tokens`, param: "chunk_size" });
  }
  const chunkOverlap = input.chunkOverlap ?? Math.min(embedder.chunkOverlap ?? 32, Math.floor(chunkSize / 8));
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap > chunkSize / 2) {
    throw new InvalidRequestError({ message: "chunk overlap must be an integer from 0 to half the chunk size", param: "chunk_overlap" });
  }
  return { chunkSize, chunkOverlap };
}
