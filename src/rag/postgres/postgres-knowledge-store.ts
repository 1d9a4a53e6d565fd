import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "../../spec/errors/index.js";
import type { Database, DatabaseSchema } from "../../store/index.js";
import type {
  DocumentRecord, DocumentWithChunks, GenerationRecord, KnowledgeBaseRecord, KnowledgeStore, LexicalSearchOptions, SearchHit, SearchOptions, StoredDocument,
} from "../knowledge-store.js";
import { documentSearchText } from "../lexical-candidate-terms.js";
import { parsedDocumentSchema } from "../parsed-document-schema.js";
import type { EmbeddedChunk, KnowledgeBaseScope } from "../types.js";
import { type ChunkReplacement, deleteChunks, replaceChunks } from "./postgres-chunk-writes.js";
import { lexicalQueryPlan, lexicalScores, termFrequencies } from "./postgres-lexical-index.js";
import { postgresSearchFilter, restrictsSearch } from "./postgres-search-filter.js";
import {
  buildVectorIndex, defaultVectorIndexMinimumChunks, ensureVectorColumn, fromVectorText, hnswIndexName, hnswMaxDimensions, toVectorText,
} from "./postgres-vectors.js";

/** Options of {@link PostgresKnowledgeStore}. */
export type PostgresKnowledgeStoreOptions = {
  /** The platform's main database; must be PostgreSQL (migration 0026 made the tables). */
  database: Database;
  /** Clock for timestamps (default `() => new Date()`). */
  now?: (() => Date) | undefined;
  /** BM25 candidates drawn per query before exact scoring (default max(200, 2 × limit)), as in the SQLite store. */
  lexicalCandidates?: number | undefined;
  /** Most postings the candidate terms may have (rarest terms first; default 3000), as in the SQLite store. */
  lexicalPostingsBudget?: number | undefined;
  /** HNSW candidate list size per query (default max(100, 4 × limit), at most 1000). */
  efSearch?: number | undefined;
  /**
   * Chunks a generation holds before its HNSW index is built (default 10 000; 0: with the generation). Below it,
   * vector searches scan the generation exactly (as fast at that size) and writes skip the costly graph inserts; the
   * write that reaches it builds the index in bulk, concurrently with other writers and readers.
   */
  vectorIndexMinimumChunks?: number | undefined;
  /** `close()` also disposes the database (a store that owns its database, e.g. in tests). */
  closeDatabase?: boolean | undefined;
};

const headingPathSchema = z.array(z.string());
const metadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

type Executor = Kysely<DatabaseSchema>;
type KnowledgeBaseRow = { id: string; owner_id: string; name: string; description: string | null; active_generation_id: number | null; created_at: string };
type GenerationRow = {
  id: number; knowledge_base_id: string; embedding_model_id: string; dimensions: number; chunk_size: number; chunk_overlap: number;
  status: GenerationRecord["status"]; chunk_count: number; lexical_length_sum: number; document_count: number; document_length_sum: number; created_at: string;
};
type ChunkRow = {
  id: number; document_id: string; document_name: string; title: string | null; text: string; search_text: string; page: number | null;
  heading_path_json: string; start_offset: number; end_offset: number;
};
type DocumentRow = {
  id: string; name: string; content_hash: string; title: string | null; format: DocumentRecord["format"]; metadata: unknown; parsed_json?: string;
  character_count: number; created_at: string; updated_at: string;
};

/** Text ordering like SQLite's (bytewise), whatever the database's collation. */
const bytewise = sql.raw(`collate "C"`);

/**
 * The {@link KnowledgeStore} on the platform's PostgreSQL database, shared by every instance on it: pgvector for
 * vectors (a partial HNSW index per generation, cosine) and a BM25 lexical index in tables (postings per chunk and per
 * document with term and length statistics) that scores exactly like the SQLite store. Searches read one snapshot
 * (repeatable read), so a re-index switching generations on another instance is never seen half done; writers of a
 * generation take turns on a transaction-scoped advisory lock.
 */
export class PostgresKnowledgeStore implements KnowledgeStore {
  private readonly db: Executor;
  private readonly database: Database;
  private readonly now: () => Date;
  private readonly lexicalCandidates: number | undefined;
  private readonly lexicalPostingsBudget: number;
  private readonly efSearch: number | undefined;
  private readonly vectorIndexMinimumChunks: number;
  /** Generations whose HNSW index this instance saw built (the others are checked after writes that reach the minimum). */
  private readonly indexedGenerations = new Set<number>();
  private readonly closeDatabase: boolean;
  private vectorsReady: Promise<void> | undefined;
  /** Bulk ingestion writes up to this many chunks per transaction: fewer round trips and term-statistics upserts. */
  readonly preferredWriteBatchChunks = 128;

  constructor(options: PostgresKnowledgeStoreOptions) {
    if (options.database.dialect !== "postgres") throw new TypeError("PostgresKnowledgeStore needs a PostgreSQL database");
    this.database = options.database;
    this.db = options.database.db;
    this.now = options.now ?? (() => new Date());
    this.lexicalCandidates = options.lexicalCandidates;
    this.lexicalPostingsBudget = options.lexicalPostingsBudget ?? 3_000;
    this.efSearch = options.efSearch;
    this.vectorIndexMinimumChunks = Math.max(0, options.vectorIndexMinimumChunks ?? defaultVectorIndexMinimumChunks);
    this.closeDatabase = options.closeDatabase ?? false;
  }

  async createKnowledgeBase(input: { id: string; ownerId: string; name: string; description?: string | undefined }): Promise<KnowledgeBaseRecord> {
    const exists = () => new InvalidRequestError({ message: `knowledge base ${input.name} already exists`, param: "name", code: "knowledge_base_exists" });
    const existing = await sql`select id from rag_knowledge_bases where id = ${input.id} or (owner_id = ${input.ownerId} and name = ${input.name})`.execute(this.db);
    if (existing.rows.length > 0) throw exists();
    try {
      await sql`insert into rag_knowledge_bases (id, owner_id, name, description, created_at)
        values (${input.id}, ${input.ownerId}, ${input.name}, ${input.description ?? null}, ${this.now().toISOString()})`.execute(this.db);
    } catch (error) {
      if (isUniqueViolation(error)) throw exists();
      throw error;
    }
    return this.requireKnowledgeBase(this.db, { knowledgeBaseId: input.id, ownerId: input.ownerId });
  }

  async getKnowledgeBase(scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord | undefined> {
    return this.knowledgeBase(this.db, scope);
  }

  async listKnowledgeBases(ownerId: string): Promise<KnowledgeBaseRecord[]> {
    const result = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases where owner_id = ${ownerId} order by name ${bytewise}`.execute(this.db);
    return result.rows.map(toKnowledgeBase);
  }

  async findKnowledgeBases(reference: { id?: string | undefined; name?: string | undefined }): Promise<KnowledgeBaseRecord[]> {
    const result = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases where id = ${reference.id ?? null} or name = ${reference.name ?? null}
      order by created_at, id ${bytewise}`.execute(this.db);
    return result.rows.map(toKnowledgeBase);
  }

  async listAllKnowledgeBases(): Promise<KnowledgeBaseRecord[]> {
    const result = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases order by name ${bytewise}, owner_id ${bytewise}`.execute(this.db);
    return result.rows.map(toKnowledgeBase);
  }

  async grantAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<void> {
    await this.requireKnowledgeBase(this.db, scope);
    await sql`insert into rag_grants (knowledge_base_id, grantee_id, created_at) values (${scope.knowledgeBaseId}, ${granteeId}, ${this.now().toISOString()})
      on conflict do nothing`.execute(this.db);
  }

  async revokeAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<boolean> {
    await this.requireKnowledgeBase(this.db, scope);
    const result = await sql`delete from rag_grants where knowledge_base_id = ${scope.knowledgeBaseId} and grantee_id = ${granteeId}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async listGrants(scope: KnowledgeBaseScope): Promise<string[]> {
    await this.requireKnowledgeBase(this.db, scope);
    const result = await sql<{ grantee_id: string }>`select grantee_id from rag_grants where knowledge_base_id = ${scope.knowledgeBaseId}
      order by grantee_id ${bytewise}`.execute(this.db);
    return result.rows.map((row) => row.grantee_id);
  }

  async listGrantedKnowledgeBases(granteeId: string): Promise<KnowledgeBaseRecord[]> {
    const result = await sql<KnowledgeBaseRow>`select k.* from rag_knowledge_bases k join rag_grants g on g.knowledge_base_id = k.id
      where g.grantee_id = ${granteeId} order by k.name ${bytewise}`.execute(this.db);
    return result.rows.map(toKnowledgeBase);
  }

  async deleteKnowledgeBase(scope: KnowledgeBaseScope): Promise<boolean> {
    if (!(await this.knowledgeBase(this.db, scope))) return false;
    const generationIds = await this.db.transaction().execute(async (transaction) => {
      const generations = await this.generationRows(transaction, scope.knowledgeBaseId);
      const ids = generations.map((generation) => generation.id);
      await lockGenerations(transaction, ids);
      for (const id of ids) await deleteGenerationData(transaction, id);
      await sql`delete from rag_knowledge_bases where id = ${scope.knowledgeBaseId}`.execute(transaction);
      return ids;
    });
    for (const id of generationIds) await this.dropVectorIndex(id);
    return true;
  }

  async createGeneration(scope: KnowledgeBaseScope, input: { embeddingModelId: string; dimensions: number; chunkSize: number; chunkOverlap: number }): Promise<GenerationRecord> {
    await this.vectors();
    if (!Number.isInteger(input.dimensions) || input.dimensions < 1 || input.dimensions > 16_000) {
      throw new InvalidRequestError({ message: `invalid embedding dimensions ${input.dimensions}`, param: "dimensions" });
    }
    const row = await this.db.transaction().execute(async (transaction) => {
      // Lock the knowledge base row: two first generations created at once must not both become active.
      const knowledgeBase = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases where id = ${scope.knowledgeBaseId} and owner_id = ${scope.ownerId}
        for update`.execute(transaction);
      const record = knowledgeBase.rows[0];
      if (!record) throw knowledgeBaseNotFound(scope);
      const status = record.active_generation_id === null ? "active" : "building";
      const inserted = await sql<GenerationRow>`insert into rag_generations (knowledge_base_id, embedding_model_id, dimensions, chunk_size, chunk_overlap, status, created_at)
        values (${scope.knowledgeBaseId}, ${input.embeddingModelId}, ${input.dimensions}, ${input.chunkSize}, ${input.chunkOverlap}, ${status}, ${this.now().toISOString()})
        returning *`.execute(transaction);
      const generation = inserted.rows[0]!;
      if (input.dimensions <= hnswMaxDimensions && this.vectorIndexMinimumChunks === 0) {
        await sql`create index ${sql.id(hnswIndexName(generation.id))} on rag_chunks
          using hnsw ((embedding::vector(${sql.lit(input.dimensions)})) vector_cosine_ops) where generation_id = ${sql.lit(generation.id)}`.execute(transaction);
      }
      if (status === "active") await sql`update rag_knowledge_bases set active_generation_id = ${generation.id} where id = ${scope.knowledgeBaseId}`.execute(transaction);
      return generation;
    });
    return toGeneration(row);
  }

  async listGenerations(scope: KnowledgeBaseScope): Promise<GenerationRecord[]> {
    // One round trip (ingestion asks once per document): the knowledge base's row, joined with its generations.
    const result = await sql<GenerationRow | { [key in keyof GenerationRow]: null }>`select g.* from rag_knowledge_bases k
      left join rag_generations g on g.knowledge_base_id = k.id where k.id = ${scope.knowledgeBaseId} and k.owner_id = ${scope.ownerId} order by g.id`.execute(this.db);
    if (result.rows.length === 0) throw knowledgeBaseNotFound(scope);
    return result.rows.flatMap((row) => (row.id === null ? [] : [toGeneration(row)]));
  }

  async activateGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void> {
    const previous = await this.db.transaction().execute(async (transaction) => {
      const knowledgeBase = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases where id = ${scope.knowledgeBaseId} and owner_id = ${scope.ownerId}
        for update`.execute(transaction);
      const record = knowledgeBase.rows[0];
      if (!record) throw knowledgeBaseNotFound(scope);
      const generation = await this.generationRow(transaction, scope.knowledgeBaseId, generationId);
      if (generation.status === "active") return undefined;
      if (generation.status !== "building") throw new InvalidRequestError({ message: `generation ${generationId} is ${generation.status}`, param: "generation" });
      const previousId = record.active_generation_id ?? undefined;
      await lockGenerations(transaction, previousId === undefined ? [generationId] : [generationId, previousId]);
      await sql`update rag_generations set status = 'active' where id = ${generationId}`.execute(transaction);
      await sql`update rag_knowledge_bases set active_generation_id = ${generationId} where id = ${scope.knowledgeBaseId}`.execute(transaction);
      if (previousId !== undefined) await retireGeneration(transaction, previousId);
      return previousId;
    });
    if (previous !== undefined) await this.dropVectorIndex(previous);
  }

  async dropGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void> {
    await this.requireKnowledgeBase(this.db, scope);
    await this.db.transaction().execute(async (transaction) => {
      await lockGenerations(transaction, [generationId]);
      const generation = await this.generationRow(transaction, scope.knowledgeBaseId, generationId);
      if (generation.status === "active") throw new InvalidRequestError({ message: "the active generation cannot be dropped", param: "generation" });
      await retireGeneration(transaction, generationId);
    });
    await this.dropVectorIndex(generationId);
  }

  async writeDocument(scope: KnowledgeBaseScope, input: DocumentWithChunks): Promise<void> {
    await this.writeDocuments(scope, [input]);
  }

  async writeDocuments(scope: KnowledgeBaseScope, inputs: DocumentWithChunks[]): Promise<void> {
    if (inputs.length === 0) return;
    await this.vectors();
    await this.requireKnowledgeBase(this.db, scope);
    const writes = inputs.map((input) => ({ document: input.document, metadata: metadataSchema.parse(input.document.metadata), targets: input.generations }));
    const generationIds = [...new Set(inputs.flatMap((input) => input.generations.map((target) => target.generationId)))];
    const written = await this.db.transaction().execute(async (transaction) => {
      await lockGenerations(transaction, generationIds);
      const generations = new Map<number, GenerationRow>();
      for (const id of generationIds) generations.set(id, await this.generationRow(transaction, scope.knowledgeBaseId, id));
      for (const write of writes) for (const target of write.targets) writableGeneration(generations.get(target.generationId)!, target.chunks);
      const timestamp = this.now().toISOString();
      // Later entries win for a repeated document id: one batch per run of distinct ids, in order.
      for (const batch of distinctRuns(writes, (write) => write.document.id)) {
        await sql`insert into rag_documents (knowledge_base_id, id, name, content_hash, title, format, metadata, parsed_json, character_count, created_at, updated_at)
          select ${scope.knowledgeBaseId}, t.id, t.name, t.content_hash, t.title, t.format, t.metadata::jsonb, t.parsed_json, t.character_count, ${timestamp}, ${timestamp}
          from unnest(${batch.map((write) => write.document.id)}::text[], ${batch.map((write) => write.document.name)}::text[],
            ${batch.map((write) => write.document.contentHash)}::text[], ${batch.map((write) => write.document.title ?? null)}::text[],
            ${batch.map((write) => write.document.format)}::text[], ${batch.map((write) => JSON.stringify(write.metadata))}::text[],
            ${batch.map((write) => JSON.stringify(write.document.parsed))}::text[], ${batch.map((write) => write.document.parsed.text.length)}::integer[])
            as t(id, name, content_hash, title, format, metadata, parsed_json, character_count)
          on conflict (knowledge_base_id, id) do update set name = excluded.name, content_hash = excluded.content_hash, title = excluded.title,
            format = excluded.format, metadata = excluded.metadata, parsed_json = excluded.parsed_json,
            character_count = excluded.character_count, updated_at = excluded.updated_at`.execute(transaction);
        const replacements = new Map<number, ChunkReplacement[]>();
        for (const { document, targets } of batch) {
          const documentText = documentSearchText(document.title, document.parsed.text);
          for (const target of targets) {
            const list = replacements.get(target.generationId) ?? [];
            list.push({ documentId: document.id, chunks: target.chunks, documentText });
            replacements.set(target.generationId, list);
          }
        }
        for (const [generationId, list] of [...replacements].sort(([left], [right]) => left - right)) {
          const generation = generations.get(generationId)!;
          generation.chunk_count += await replaceChunks(transaction, scope.knowledgeBaseId, generationId, list);
        }
      }
      return [...generations.values()];
    });
    await this.indexLargeGenerations(written);
  }

  async writeGenerationChunks(scope: KnowledgeBaseScope, generationId: number, documentId: string, chunks: EmbeddedChunk[]): Promise<void> {
    await this.vectors();
    await this.requireKnowledgeBase(this.db, scope);
    const written = await this.db.transaction().execute(async (transaction) => {
      await lockGenerations(transaction, [generationId]);
      const generation = await this.generationRow(transaction, scope.knowledgeBaseId, generationId);
      writableGeneration(generation, chunks);
      const document = await sql<{ title: string | null; parsed_json: string }>`select title, parsed_json from rag_documents
        where knowledge_base_id = ${scope.knowledgeBaseId} and id = ${documentId}`.execute(transaction);
      const row = document.rows[0];
      if (!row) throw new NotFoundError({ message: `document ${documentId} not found`, code: "document_not_found" });
      const documentText = documentSearchText(row.title ?? undefined, parsedDocumentSchema.parse(JSON.parse(row.parsed_json)).text);
      generation.chunk_count += await replaceChunks(transaction, scope.knowledgeBaseId, generationId, [{ documentId, chunks, documentText }]);
      return generation;
    });
    await this.indexLargeGenerations([written]);
  }

  async deleteDocument(scope: KnowledgeBaseScope, documentId: string): Promise<boolean> {
    await this.requireKnowledgeBase(this.db, scope);
    return this.db.transaction().execute(async (transaction) => {
      const generations = (await this.generationRows(transaction, scope.knowledgeBaseId)).filter((generation) => generation.status !== "retired");
      await lockGenerations(transaction, generations.map((generation) => generation.id));
      for (const generation of generations) await deleteChunks(transaction, scope.knowledgeBaseId, generation.id, documentId);
      const deleted = await sql`delete from rag_documents where knowledge_base_id = ${scope.knowledgeBaseId} and id = ${documentId}`.execute(transaction);
      return Number(deleted.numAffectedRows ?? 0) > 0;
    });
  }

  async getDocument(scope: KnowledgeBaseScope, documentId: string): Promise<StoredDocument | undefined> {
    // One round trip (ingestion asks once per document): the knowledge base's row, joined with the document.
    const result = await sql<DocumentRow | { [key in keyof DocumentRow]: null }>`select d.* from rag_knowledge_bases k
      left join rag_documents d on d.knowledge_base_id = k.id and d.id = ${documentId}
      where k.id = ${scope.knowledgeBaseId} and k.owner_id = ${scope.ownerId}`.execute(this.db);
    const row = result.rows[0];
    if (!row) throw knowledgeBaseNotFound(scope);
    return row.id === null ? undefined : { ...toDocument(row), parsed: parsedDocumentSchema.parse(JSON.parse(row.parsed_json!)) };
  }

  async listDocuments(scope: KnowledgeBaseScope): Promise<DocumentRecord[]> {
    await this.requireKnowledgeBase(this.db, scope);
    const result = await sql<DocumentRow>`select id, name, content_hash, title, format, metadata, character_count, created_at, updated_at from rag_documents
      where knowledge_base_id = ${scope.knowledgeBaseId} order by name ${bytewise}, id ${bytewise}`.execute(this.db);
    return result.rows.map(toDocument);
  }

  async listIndexedDocumentIds(scope: KnowledgeBaseScope, generationId: number): Promise<string[]> {
    await this.requireKnowledgeBase(this.db, scope);
    await this.generationRow(this.db, scope.knowledgeBaseId, generationId);
    const result = await sql<{ document_id: string }>`select distinct document_id ${bytewise} as document_id from rag_chunks where generation_id = ${generationId}
      order by 1`.execute(this.db);
    return result.rows.map((row) => row.document_id);
  }

  async countChunks(scope: KnowledgeBaseScope, documentId: string): Promise<Map<number, number>> {
    await this.requireKnowledgeBase(this.db, scope);
    const result = await sql<{ generation_id: number; count: number }>`select generation_id, count(*)::integer as count from rag_chunks
      where knowledge_base_id = ${scope.knowledgeBaseId} and document_id = ${documentId} group by generation_id`.execute(this.db);
    return new Map(result.rows.map((row) => [row.generation_id, row.count]));
  }

  async lexicalSearch(scope: KnowledgeBaseScope, query: string, options: LexicalSearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 10;
    const filter = restrictsSearch(options.filter) ? postgresSearchFilter(options.filter) : undefined;
    return this.snapshot(async (transaction) => {
      const generation = await this.searchGeneration(transaction, scope, options.generationId);
      if (generation.chunk_count === 0 || limit <= 0) return [];
      const terms = [...new Set(termFrequencies(query).frequencies.keys())];
      if (terms.length === 0) return [];
      const statisticsRows = await sql<{ term: string; chunk_frequency: number; document_frequency: number }>`select term, chunk_frequency, document_frequency
        from rag_terms where generation_id = ${generation.id} and term = any(${terms}::text[])`.execute(transaction);
      const input = {
        generationId: generation.id,
        query,
        statistics: {
          chunkCount: generation.chunk_count, lexicalLengthSum: generation.lexical_length_sum,
          documentCount: generation.document_count, documentLengthSum: generation.document_length_sum,
        },
        frequencies: new Map(statisticsRows.rows.map((row) => [row.term, { chunks: row.chunk_frequency, documents: row.document_frequency }])),
        k1: options.k1 ?? 0.9,
        b: options.b ?? 0.4,
        documentWeight: options.documentWeight ?? 2,
        candidates: this.lexicalCandidates ?? Math.max(200, limit * 2),
        postingsBudget: this.lexicalPostingsBudget,
      };
      const plan = lexicalQueryPlan(input);
      if (!plan) return [];
      const scores = await lexicalScores(transaction, input, plan, filter, limit);
      const rows = await chunkRows(transaction, scores.map((score) => score.chunk_id));
      return scores.flatMap((score) => {
        const row = rows.get(score.chunk_id);
        return row ? [{ ...toHit(row), score: score.score }] : [];
      });
    });
  }

  async vectorSearch(scope: KnowledgeBaseScope, vector: Float32Array, options: SearchOptions = {}): Promise<SearchHit[]> {
    await this.vectors();
    return this.snapshot(async (transaction) => {
      const query = await this.nearestChunksQuery(transaction, scope, vector, options);
      if (!query) return [];
      const neighbours = (await query.execute(transaction)).rows;
      const rows = await chunkRows(transaction, neighbours.map((neighbour) => neighbour.id));
      return neighbours.flatMap((neighbour) => {
        const row = rows.get(neighbour.id);
        return row ? [{ ...toHit(row), score: 1 - neighbour.distance }] : [];
      });
    });
  }

  /** PostgreSQL's plan of {@link vectorSearch}'s nearest-neighbour query (`EXPLAIN`): shows whether the HNSW index serves it. */
  async explainVectorSearch(scope: KnowledgeBaseScope, vector: Float32Array, options: SearchOptions = {}): Promise<string> {
    await this.vectors();
    return this.snapshot(async (transaction) => {
      const query = await this.nearestChunksQuery(transaction, scope, vector, options);
      if (!query) return "";
      const plan = await sql<{ "QUERY PLAN": string }>`explain ${query}`.execute(transaction);
      return plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    });
  }

  /**
   * The k nearest chunks of a generation by cosine distance, through its partial HNSW index (same expression, same
   * predicate), with `hnsw.ef_search` for recall and iterative scans so filtered searches still fill `limit`.
   * `undefined` when nothing can match.
   */
  private async nearestChunksQuery(transaction: Executor, scope: KnowledgeBaseScope, vector: Float32Array, options: SearchOptions) {
    const limit = Math.min(options.limit ?? 10, 4096);
    const filter = postgresSearchFilter(options.filter);
    const generation = await this.searchGeneration(transaction, scope, options.generationId);
    if (vector.length !== generation.dimensions) {
      throw new InvalidRequestError({ message: `query vector has ${vector.length} dimensions, the index has ${generation.dimensions}`, param: "vector" });
    }
    if (limit <= 0 || generation.chunk_count === 0) return undefined;
    const efSearch = Math.min(1000, this.efSearch ?? Math.max(100, limit * 4));
    await sql`select set_config('hnsw.ef_search', ${String(efSearch)}, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(transaction);
    const dimensions = sql.lit(generation.dimensions);
    const target = toVectorText(vector);
    // relaxed_order may return neighbours slightly out of order: the outer query sorts them exactly.
    return sql<{ id: number; distance: number }>`select id, distance from (
        select c.id, (c.embedding::vector(${dimensions}) <=> ${target}::vector(${dimensions}))::float8 as distance
        from rag_chunks c
        where c.generation_id = ${sql.lit(generation.id)} and ${filter}
        order by c.embedding::vector(${dimensions}) <=> ${target}::vector(${dimensions})
        limit ${limit}
      ) as nearest order by distance, id`;
  }

  async getChunkVectors(scope: KnowledgeBaseScope, chunkIds: number[], generationId?: number): Promise<Map<number, Float32Array>> {
    await this.vectors();
    const generation = await this.searchGeneration(this.db, scope, generationId);
    if (chunkIds.length === 0) return new Map();
    const result = await sql<{ id: number; embedding: string }>`select id, embedding::text as embedding from rag_chunks
      where generation_id = ${generation.id} and id = any(${chunkIds}::bigint[])`.execute(this.db);
    return new Map(result.rows.map((row) => [row.id, fromVectorText(row.embedding)]));
  }

  async getCachedEmbeddings(embeddingModelId: string, contentHashes: string[]): Promise<Map<string, Float32Array>> {
    if (contentHashes.length === 0) return new Map();
    const result = await sql<{ content_hash: string; vector: Buffer }>`select content_hash, vector from rag_embedding_cache
      where embedding_model_id = ${embeddingModelId} and content_hash = any(${contentHashes}::text[])`.execute(this.db);
    return new Map(result.rows.map((row) => [row.content_hash, toFloat32(row.vector)]));
  }

  async putCachedEmbeddings(embeddingModelId: string, entries: Array<{ contentHash: string; vector: Float32Array }>): Promise<void> {
    const latest = new Map(entries.map((entry) => [entry.contentHash, entry.vector]));
    if (latest.size === 0) return;
    const hashes = [...latest.keys()];
    const vectors = hashes.map((hash) => {
      const vector = latest.get(hash)!;
      return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    });
    await sql`insert into rag_embedding_cache (embedding_model_id, content_hash, vector)
      select ${embeddingModelId}, t.hash, t.vector from unnest(${hashes}::text[], ${vectors}::bytea[]) as t(hash, vector)
      on conflict (embedding_model_id, content_hash) do update set vector = excluded.vector`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closeDatabase) await this.database.dispose();
  }

  /** Runs `work` in one read-only repeatable-read transaction: all its reads see one snapshot. */
  private snapshot<T>(work: (transaction: Executor) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(work);
  }

  /** Adds the vector column once pgvector is available (see migration 0026); fails clearly when it is not. */
  private vectors(): Promise<void> {
    this.vectorsReady ??= ensureVectorColumn(this.db).catch((error: unknown) => {
      this.vectorsReady = undefined;
      throw error;
    });
    return this.vectorsReady;
  }

  /**
   * After a committed write: builds the HNSW index of each written generation that now holds at least
   * `vectorIndexMinimumChunks` chunks and has none yet. The chunks are stored either way: a failed build is retried
   * by the next write (searches scan exactly meanwhile).
   */
  private async indexLargeGenerations(generations: GenerationRow[]): Promise<void> {
    for (const generation of generations) {
      if (this.indexedGenerations.has(generation.id) || generation.dimensions > hnswMaxDimensions) continue;
      if (generation.status === "retired" || generation.chunk_count < Math.max(1, this.vectorIndexMinimumChunks)) continue;
      try {
        if (await buildVectorIndex(this.db, generation.id, generation.dimensions)) this.indexedGenerations.add(generation.id);
      } catch {
        // Retried by the next write of this generation.
      }
    }
  }

  /** Drops a retired generation's HNSW index without blocking readers and writers (after its rows are gone). */
  private async dropVectorIndex(generationId: number): Promise<void> {
    try {
      await sql`drop index concurrently if exists ${sql.id(hnswIndexName(generationId))}`.execute(this.db);
    } catch {
      // An index left behind covers no rows (its generation's chunks are deleted); the next drop of it retries.
    }
  }

  private async knowledgeBase(executor: Executor, scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord | undefined> {
    const result = await sql<KnowledgeBaseRow>`select * from rag_knowledge_bases where id = ${scope.knowledgeBaseId} and owner_id = ${scope.ownerId}`.execute(executor);
    const row = result.rows[0];
    return row && toKnowledgeBase(row);
  }

  private async requireKnowledgeBase(executor: Executor, scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord> {
    const knowledgeBase = await this.knowledgeBase(executor, scope);
    if (!knowledgeBase) throw knowledgeBaseNotFound(scope);
    return knowledgeBase;
  }

  private async generationRows(executor: Executor, knowledgeBaseId: string): Promise<GenerationRow[]> {
    return (await sql<GenerationRow>`select * from rag_generations where knowledge_base_id = ${knowledgeBaseId} order by id`.execute(executor)).rows;
  }

  private async generationRow(executor: Executor, knowledgeBaseId: string, generationId: number): Promise<GenerationRow> {
    const result = await sql<GenerationRow>`select * from rag_generations where id = ${generationId} and knowledge_base_id = ${knowledgeBaseId}`.execute(executor);
    const row = result.rows[0];
    if (!row) throw new NotFoundError({ message: `index generation ${generationId} not found`, code: "generation_not_found" });
    return row;
  }

  /** The generation a search reads (the active one unless named), in one round trip with the knowledge base's check. */
  private async searchGeneration(executor: Executor, scope: KnowledgeBaseScope, generationId: number | undefined): Promise<GenerationRow> {
    const result = await sql<{ requested_id: number | null } & (GenerationRow | { [key in keyof GenerationRow]: null })>`select
        coalesce(${generationId ?? null}::bigint, k.active_generation_id) as requested_id, g.*
      from rag_knowledge_bases k left join rag_generations g on g.knowledge_base_id = k.id and g.id = coalesce(${generationId ?? null}::bigint, k.active_generation_id)
      where k.id = ${scope.knowledgeBaseId} and k.owner_id = ${scope.ownerId}`.execute(executor);
    const row = result.rows[0];
    if (!row) throw knowledgeBaseNotFound(scope);
    const id = row.requested_id;
    if (id === null) throw new InvalidRequestError({ message: `knowledge base ${scope.knowledgeBaseId} has no index yet`, code: "knowledge_base_not_indexed" });
    if (row.id === null) throw new NotFoundError({ message: `index generation ${id} not found`, code: "generation_not_found" });
    if (row.status === "retired") throw new NotFoundError({ message: `index generation ${id} was retired`, code: "generation_not_found" });
    return row;
  }
}

/** Splits `items` into consecutive runs in which no key repeats. */
function distinctRuns<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let keys = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (keys.has(key)) {
      runs.push(run);
      run = [];
      keys = new Set();
    }
    run.push(item);
    keys.add(key);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Writers of a generation take turns (term statistics are read-modify-write); ids in order, so no deadlock. */
async function lockGenerations(executor: Executor, generationIds: number[]): Promise<void> {
  for (const id of [...new Set(generationIds)].sort((left, right) => left - right)) {
    await sql`select pg_advisory_xact_lock(${advisoryNamespace}, ${id}::integer)`.execute(executor);
  }
}

/** First key of the knowledge store's advisory locks ("rag" in ASCII). */
const advisoryNamespace = 0x726167;

function writableGeneration(generation: GenerationRow, chunks: EmbeddedChunk[]): void {
  if (generation.status === "retired") throw new InvalidRequestError({ message: `index generation ${generation.id} is retired`, param: "generation" });
  for (const chunk of chunks) {
    if (chunk.vector.length !== generation.dimensions) {
      throw new InvalidRequestError({ message: `chunk vector has ${chunk.vector.length} dimensions, generation ${generation.id} expects ${generation.dimensions}`, param: "vector" });
    }
  }
}

/** Inside a transaction holding the generation's lock: retires it and deletes its chunks and lexical index. */
async function retireGeneration(executor: Executor, generationId: number): Promise<void> {
  await deleteGenerationData(executor, generationId);
  await sql`update rag_generations set status = 'retired', chunk_count = 0, lexical_length_sum = 0, document_count = 0, document_length_sum = 0
    where id = ${generationId}`.execute(executor);
}

async function deleteGenerationData(executor: Executor, generationId: number): Promise<void> {
  await sql`delete from rag_chunk_postings where generation_id = ${generationId}`.execute(executor);
  await sql`delete from rag_document_postings where generation_id = ${generationId}`.execute(executor);
  await sql`delete from rag_terms where generation_id = ${generationId}`.execute(executor);
  await sql`delete from rag_chunks where generation_id = ${generationId}`.execute(executor);
}

async function chunkRows(executor: Executor, ids: number[]): Promise<Map<number, ChunkRow>> {
  if (ids.length === 0) return new Map();
  const result = await sql<ChunkRow>`select c.id, c.document_id, d.name as document_name, d.title, c.text, c.search_text, c.page, c.heading_path_json,
      c.start_offset, c.end_offset
    from rag_chunks c join rag_documents d on d.knowledge_base_id = c.knowledge_base_id and d.id = c.document_id
    where c.id = any(${ids}::bigint[])`.execute(executor);
  return new Map(result.rows.map((row) => [row.id, row]));
}

function knowledgeBaseNotFound(scope: KnowledgeBaseScope): NotFoundError {
  return new NotFoundError({ message: `knowledge base ${scope.knowledgeBaseId} not found`, code: "knowledge_base_not_found" });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

function toKnowledgeBase(row: KnowledgeBaseRow): KnowledgeBaseRecord {
  return { id: row.id, ownerId: row.owner_id, name: row.name, description: row.description ?? undefined, activeGenerationId: row.active_generation_id ?? undefined, createdAt: row.created_at };
}

function toGeneration(row: GenerationRow): GenerationRecord {
  return {
    id: row.id, knowledgeBaseId: row.knowledge_base_id, embeddingModelId: row.embedding_model_id, dimensions: row.dimensions, chunkSize: row.chunk_size,
    chunkOverlap: row.chunk_overlap, status: row.status, chunkCount: row.chunk_count, createdAt: row.created_at,
  };
}

function toDocument(row: DocumentRow): DocumentRecord {
  return {
    id: row.id, name: row.name, contentHash: row.content_hash, title: row.title ?? undefined, format: row.format,
    metadata: metadataSchema.parse(row.metadata), characterCount: row.character_count, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function toHit(row: ChunkRow): SearchHit {
  return {
    chunkId: row.id, documentId: row.document_id, documentName: row.document_name, title: row.title ?? undefined, text: row.text, searchText: row.search_text,
    page: row.page ?? undefined, headingPath: headingPathSchema.parse(JSON.parse(row.heading_path_json)), start: row.start_offset, end: row.end_offset, score: 0,
  };
}

function toFloat32(buffer: Buffer): Float32Array {
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return new Float32Array(copy.buffer);
}
