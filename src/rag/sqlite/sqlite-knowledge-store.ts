import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "../../spec/errors/index.js";
import { bm25Score } from "../bm25.js";
import type {
  DocumentRecord, DocumentWithChunks, GenerationRecord, KnowledgeBaseRecord, KnowledgeStore, LexicalSearchOptions, SearchHit, SearchOptions, StoredDocument,
} from "../knowledge-store.js";
import { candidateGenerationTerms, documentSearchText } from "../lexical-candidate-terms.js";
import { lexicalTerms } from "../lexical-terms.js";
import type { EmbeddedChunk, KnowledgeBaseScope } from "../types.js";
import { parsedDocumentSchema } from "../parsed-document-schema.js";
import { dropGenerationTablesSql, generationTables, generationTablesSql, sqliteKnowledgeSchema } from "./sqlite-knowledge-schema.js";
import { sqliteSearchFilter } from "./sqlite-search-filter.js";
import { VectorMatrix } from "./vector-matrix.js";

/** Options of {@link SqliteKnowledgeStore}. */
export type SqliteKnowledgeStoreOptions = {
  /** SQLite file (e.g. `$AIPLUS_HOME/knowledge.db`) or `:memory:`. */
  path: string;
  /** Clock for timestamps (default `() => new Date()`). */
  now?: (() => Date) | undefined;
  /**
   * BM25 candidates drawn from FTS5 per query before exact re-scoring with the configured k1/b
   * (default max(200, 2 × limit)).
   */
  lexicalCandidates?: number | undefined;
  /**
   * Most index postings a query's candidate generation reads: rare terms are used first, common ones are left to
   * the exact re-scoring once the budget is spent (default 3000). Bounds query latency on large indexes.
   */
  lexicalPostingsBudget?: number | undefined;
  /**
   * Most floats (chunks × dimensions, over all generations) kept in memory for exact vector search by a flat scan, which
   * beats vec0's scan several times; larger generations and filtered searches use vec0 (default 32M floats = 128 MB).
   */
  vectorCacheMaxFloats?: number | undefined;
};

const headingPathSchema = z.array(z.string());
const metadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

type ChunkRow = {
  id: number; document_id: string; document_name: string; title: string | null; text: string; search_text: string; page: number | null;
  heading_path_json: string; start_offset: number; end_offset: number;
};
type GenerationRow = {
  id: number; knowledge_base_id: string; embedding_model_id: string; dimensions: number; chunk_size: number; chunk_overlap: number;
  status: GenerationRecord["status"]; chunk_count: number; lexical_length_sum: number; created_at: string;
};
type KnowledgeBaseRow = { id: string; owner_id: string; name: string; description: string | null; active_generation_id: number | null; created_at: string };

const chunkColumns = `c.id, c.document_id, d.name AS document_name, d.title, c.text, c.search_text, c.page, c.heading_path_json, c.start_offset, c.end_offset`;

/**
 * The embedded {@link KnowledgeStore}: better-sqlite3 with FTS5 (persistent lexical index, BM25 re-scored with
 * configurable k1/b from FTS5 candidates and fts5vocab statistics) and sqlite-vec (`vec0`, cosine). Each index
 * generation owns its FTS5 and vec0 tables, so generations of different dimensions coexist during a re-index.
 */
export class SqliteKnowledgeStore implements KnowledgeStore {
  readonly database: Database.Database;
  private readonly now: () => Date;
  private readonly lexicalCandidates: number | undefined;
  private readonly lexicalPostingsBudget: number;
  private readonly vectorCacheMaxFloats: number;
  /** In-memory vectors per generation with the data version they were read at. */
  private readonly vectorCache = new Map<number, { version: string; matrix: VectorMatrix }>();
  /** Document frequencies per generation and term (fts5vocab walks a term's whole doclist: slow for common terms). */
  private readonly frequencyCache = new Map<number, { version: string; frequencies: Map<string, number> }>();
  /** Prepared statements by SQL text (see {@link statement}). */
  private readonly statements = new Map<string, Database.Statement>();
  /** Incremented by every local write of chunks (`PRAGMA data_version` only sees other connections' commits). */
  private localWrites = 0;

  constructor(options: SqliteKnowledgeStoreOptions) {
    this.database = new Database(options.path);
    sqliteVec.load(this.database);
    this.database.pragma("journal_mode = WAL");
    this.database.pragma("foreign_keys = ON");
    this.database.pragma("synchronous = NORMAL");
    // A server and CLI commands may write the same file: wait for the other writer instead of failing at once.
    this.database.pragma("busy_timeout = 10000");
    this.database.exec(sqliteKnowledgeSchema);
    this.now = options.now ?? (() => new Date());
    this.lexicalCandidates = options.lexicalCandidates;
    this.lexicalPostingsBudget = options.lexicalPostingsBudget ?? 3_000;
    this.vectorCacheMaxFloats = options.vectorCacheMaxFloats ?? 32 * 1024 * 1024;
  }

  async createKnowledgeBase(input: { id: string; ownerId: string; name: string; description?: string | undefined }): Promise<KnowledgeBaseRecord> {
    const existing = this.database.prepare("SELECT id FROM rag_knowledge_bases WHERE id = ? OR (owner_id = ? AND name = ?)").get(input.id, input.ownerId, input.name);
    if (existing) throw new InvalidRequestError({ message: `knowledge base ${input.name} already exists`, param: "name", code: "knowledge_base_exists" });
    this.database
      .prepare("INSERT INTO rag_knowledge_bases (id, owner_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(input.id, input.ownerId, input.name, input.description ?? null, this.now().toISOString());
    return this.requireKnowledgeBase({ knowledgeBaseId: input.id, ownerId: input.ownerId });
  }

  async getKnowledgeBase(scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord | undefined> {
    const row = this.statement("SELECT * FROM rag_knowledge_bases WHERE id = ? AND owner_id = ?").get(scope.knowledgeBaseId, scope.ownerId) as KnowledgeBaseRow | undefined;
    return row && toKnowledgeBase(row);
  }

  async listKnowledgeBases(ownerId: string): Promise<KnowledgeBaseRecord[]> {
    const rows = this.database.prepare("SELECT * FROM rag_knowledge_bases WHERE owner_id = ? ORDER BY name").all(ownerId) as KnowledgeBaseRow[];
    return rows.map(toKnowledgeBase);
  }

  async findKnowledgeBases(reference: { id?: string | undefined; name?: string | undefined }): Promise<KnowledgeBaseRecord[]> {
    const rows = this.database
      .prepare("SELECT * FROM rag_knowledge_bases WHERE id = ? OR name = ? ORDER BY created_at, id")
      .all(reference.id ?? null, reference.name ?? null) as KnowledgeBaseRow[];
    return rows.map(toKnowledgeBase);
  }

  async listAllKnowledgeBases(): Promise<KnowledgeBaseRecord[]> {
    return (this.database.prepare("SELECT * FROM rag_knowledge_bases ORDER BY name, owner_id").all() as KnowledgeBaseRow[]).map(toKnowledgeBase);
  }

  async grantAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<void> {
    await this.requireKnowledgeBase(scope);
    this.database
      .prepare("INSERT OR IGNORE INTO rag_grants (knowledge_base_id, grantee_id, created_at) VALUES (?, ?, ?)")
      .run(scope.knowledgeBaseId, granteeId, this.now().toISOString());
  }

  async revokeAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<boolean> {
    await this.requireKnowledgeBase(scope);
    return this.database.prepare("DELETE FROM rag_grants WHERE knowledge_base_id = ? AND grantee_id = ?").run(scope.knowledgeBaseId, granteeId).changes > 0;
  }

  async listGrants(scope: KnowledgeBaseScope): Promise<string[]> {
    await this.requireKnowledgeBase(scope);
    const rows = this.database.prepare("SELECT grantee_id FROM rag_grants WHERE knowledge_base_id = ? ORDER BY grantee_id").all(scope.knowledgeBaseId) as Array<{ grantee_id: string }>;
    return rows.map((row) => row.grantee_id);
  }

  async listGrantedKnowledgeBases(granteeId: string): Promise<KnowledgeBaseRecord[]> {
    const rows = this.database
      .prepare("SELECT k.* FROM rag_knowledge_bases k JOIN rag_grants g ON g.knowledge_base_id = k.id WHERE g.grantee_id = ? ORDER BY k.name")
      .all(granteeId) as KnowledgeBaseRow[];
    return rows.map(toKnowledgeBase);
  }

  async deleteKnowledgeBase(scope: KnowledgeBaseScope): Promise<boolean> {
    const knowledgeBase = await this.getKnowledgeBase(scope);
    if (!knowledgeBase) return false;
    this.database.transaction(() => {
      for (const generation of this.generationRows(scope.knowledgeBaseId)) this.deleteGenerationData(generation.id);
      this.database.prepare("DELETE FROM rag_generations WHERE knowledge_base_id = ?").run(scope.knowledgeBaseId);
      this.database.prepare("DELETE FROM rag_documents WHERE knowledge_base_id = ?").run(scope.knowledgeBaseId);
      this.database.prepare("DELETE FROM rag_grants WHERE knowledge_base_id = ?").run(scope.knowledgeBaseId);
      this.database.prepare("DELETE FROM rag_knowledge_bases WHERE id = ?").run(scope.knowledgeBaseId);
    })();
    return true;
  }

  async createGeneration(scope: KnowledgeBaseScope, input: { embeddingModelId: string; dimensions: number; chunkSize: number; chunkOverlap: number }): Promise<GenerationRecord> {
    const knowledgeBase = await this.requireKnowledgeBase(scope);
    if (!Number.isInteger(input.dimensions) || input.dimensions < 1 || input.dimensions > 8192) {
      throw new InvalidRequestError({ message: `invalid embedding dimensions ${input.dimensions}`, param: "dimensions" });
    }
    const id = this.database.transaction(() => {
      const status = knowledgeBase.activeGenerationId === undefined ? "active" : "building";
      const result = this.database
        .prepare("INSERT INTO rag_generations (knowledge_base_id, embedding_model_id, dimensions, chunk_size, chunk_overlap, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(scope.knowledgeBaseId, input.embeddingModelId, input.dimensions, input.chunkSize, input.chunkOverlap, status, this.now().toISOString());
      const generationId = Number(result.lastInsertRowid);
      this.database.exec(generationTablesSql(generationId, input.dimensions));
      if (status === "active") this.database.prepare("UPDATE rag_knowledge_bases SET active_generation_id = ? WHERE id = ?").run(generationId, scope.knowledgeBaseId);
      return generationId;
    })();
    return toGeneration(this.generationRow(scope.knowledgeBaseId, id));
  }

  async listGenerations(scope: KnowledgeBaseScope): Promise<GenerationRecord[]> {
    await this.requireKnowledgeBase(scope);
    return this.generationRows(scope.knowledgeBaseId).map(toGeneration);
  }

  async activateGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void> {
    const knowledgeBase = await this.requireKnowledgeBase(scope);
    const generation = this.generationRow(scope.knowledgeBaseId, generationId);
    if (generation.status === "active") return;
    if (generation.status !== "building") throw new InvalidRequestError({ message: `generation ${generationId} is ${generation.status}`, param: "generation" });
    this.database.transaction(() => {
      const previous = knowledgeBase.activeGenerationId;
      this.database.prepare("UPDATE rag_generations SET status = 'active' WHERE id = ?").run(generationId);
      this.database.prepare("UPDATE rag_knowledge_bases SET active_generation_id = ? WHERE id = ?").run(generationId, scope.knowledgeBaseId);
      if (previous !== undefined) {
        this.deleteGenerationData(previous);
        this.database.prepare("UPDATE rag_generations SET status = 'retired', chunk_count = 0, lexical_length_sum = 0 WHERE id = ?").run(previous);
      }
    })();
  }

  async dropGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void> {
    await this.requireKnowledgeBase(scope);
    const generation = this.generationRow(scope.knowledgeBaseId, generationId);
    if (generation.status === "active") throw new InvalidRequestError({ message: "the active generation cannot be dropped", param: "generation" });
    this.database.transaction(() => {
      this.deleteGenerationData(generationId);
      this.database.prepare("UPDATE rag_generations SET status = 'retired', chunk_count = 0, lexical_length_sum = 0 WHERE id = ?").run(generationId);
    })();
  }

  async writeDocument(scope: KnowledgeBaseScope, input: DocumentWithChunks): Promise<void> {
    await this.writeDocuments(scope, [input]);
  }

  async writeDocuments(scope: KnowledgeBaseScope, inputs: DocumentWithChunks[]): Promise<void> {
    if (inputs.length === 0) return;
    await this.requireKnowledgeBase(scope);
    const generations = new Map<number, GenerationRow>();
    const writes = inputs.map((input) => ({
      document: input.document,
      metadata: metadataSchema.parse(input.document.metadata),
      targets: input.generations.map((target) => {
        const generation = generations.get(target.generationId) ?? this.generationRow(scope.knowledgeBaseId, target.generationId);
        generations.set(generation.id, generation);
        return { generation: this.writableGeneration(generation, target.chunks), chunks: target.chunks };
      }),
    }));
    const upsert = this.statement(
      `INSERT INTO rag_documents (knowledge_base_id, id, name, content_hash, title, format, metadata_json, parsed_json, character_count, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (knowledge_base_id, id) DO UPDATE SET name = excluded.name, content_hash = excluded.content_hash, title = excluded.title,
         format = excluded.format, metadata_json = excluded.metadata_json, parsed_json = excluded.parsed_json,
         character_count = excluded.character_count, updated_at = excluded.updated_at`,
    );
    this.database.transaction(() => {
      const timestamp = this.now().toISOString();
      for (const { document, metadata, targets } of writes) {
        upsert.run(scope.knowledgeBaseId, document.id, document.name, document.contentHash, document.title ?? null, document.format,
          JSON.stringify(metadata), JSON.stringify(document.parsed), document.parsed.text.length, timestamp, timestamp);
        const documentText = documentSearchText(document.title, document.parsed.text);
        for (const target of targets) this.replaceChunks(scope.knowledgeBaseId, target.generation.id, document.id, target.chunks, documentText);
      }
    })();
  }

  async writeGenerationChunks(scope: KnowledgeBaseScope, generationId: number, documentId: string, chunks: EmbeddedChunk[]): Promise<void> {
    await this.requireKnowledgeBase(scope);
    const generation = this.writableGeneration(this.generationRow(scope.knowledgeBaseId, generationId), chunks);
    const row = this.database.prepare("SELECT title, parsed_json FROM rag_documents WHERE knowledge_base_id = ? AND id = ?").get(scope.knowledgeBaseId, documentId) as
      | { title: string | null; parsed_json: string }
      | undefined;
    if (!row) throw new NotFoundError({ message: `document ${documentId} not found`, code: "document_not_found" });
    const documentText = documentSearchText(row.title ?? undefined, parsedDocumentSchema.parse(JSON.parse(row.parsed_json)).text);
    this.database.transaction(() => this.replaceChunks(scope.knowledgeBaseId, generation.id, documentId, chunks, documentText))();
  }

  async deleteDocument(scope: KnowledgeBaseScope, documentId: string): Promise<boolean> {
    await this.requireKnowledgeBase(scope);
    return this.database.transaction(() => {
      for (const generation of this.generationRows(scope.knowledgeBaseId)) {
        if (generation.status !== "retired") this.deleteChunks(scope.knowledgeBaseId, generation.id, documentId);
      }
      return this.database.prepare("DELETE FROM rag_documents WHERE knowledge_base_id = ? AND id = ?").run(scope.knowledgeBaseId, documentId).changes > 0;
    })();
  }

  async getDocument(scope: KnowledgeBaseScope, documentId: string): Promise<StoredDocument | undefined> {
    await this.requireKnowledgeBase(scope);
    const row = this.database.prepare("SELECT * FROM rag_documents WHERE knowledge_base_id = ? AND id = ?").get(scope.knowledgeBaseId, documentId) as DocumentRow | undefined;
    return row && { ...toDocument(row), parsed: parsedDocumentSchema.parse(JSON.parse(row.parsed_json)) };
  }

  async listDocuments(scope: KnowledgeBaseScope): Promise<DocumentRecord[]> {
    await this.requireKnowledgeBase(scope);
    const rows = this.database
      .prepare("SELECT knowledge_base_id, id, name, content_hash, title, format, metadata_json, character_count, created_at, updated_at FROM rag_documents WHERE knowledge_base_id = ? ORDER BY name, id")
      .all(scope.knowledgeBaseId) as DocumentRow[];
    return rows.map(toDocument);
  }

  async listIndexedDocumentIds(scope: KnowledgeBaseScope, generationId: number): Promise<string[]> {
    await this.requireKnowledgeBase(scope);
    this.generationRow(scope.knowledgeBaseId, generationId);
    const rows = this.database.prepare("SELECT DISTINCT document_id FROM rag_chunks WHERE generation_id = ? ORDER BY document_id").all(generationId) as Array<{ document_id: string }>;
    return rows.map((row) => row.document_id);
  }

  async countChunks(scope: KnowledgeBaseScope, documentId: string): Promise<Map<number, number>> {
    await this.requireKnowledgeBase(scope);
    const rows = this.database
      .prepare("SELECT generation_id, COUNT(*) AS count FROM rag_chunks WHERE knowledge_base_id = ? AND document_id = ? GROUP BY generation_id")
      .all(scope.knowledgeBaseId, documentId) as Array<{ generation_id: number; count: number }>;
    return new Map(rows.map((row) => [row.generation_id, row.count]));
  }

  async lexicalSearch(scope: KnowledgeBaseScope, query: string, options: LexicalSearchOptions = {}): Promise<SearchHit[]> {
    const generation = await this.searchGeneration(scope, options.generationId);
    const limit = options.limit ?? 10;
    const queryTerms = lexicalTerms(query);
    if (queryTerms.length === 0 || generation.chunk_count === 0 || limit <= 0) return [];
    const tables = generationTables(generation.id);
    const uniqueTerms = [...new Set(queryTerms)];
    const documentFrequency = this.documentFrequencies(generation.id, uniqueTerms);
    const matchable = uniqueTerms.filter((term) => (documentFrequency.get(term) ?? 0) > 0);
    if (matchable.length === 0) return [];
    const candidateTerms = candidateGenerationTerms(matchable, documentFrequency, this.lexicalPostingsBudget);
    const filter = sqliteSearchFilter(options.filter);
    const candidates = this.lexicalCandidates ?? Math.max(200, limit * 2);
    const match = candidateTerms.map((term) => `"${term}"`).join(" OR ");
    const rows = this.database
      .prepare(
        `SELECT ${chunkColumns}, d.rowid AS document_rowid FROM (SELECT rowid AS id, rank FROM ${tables.lexical} WHERE ${tables.lexical} MATCH ? ORDER BY rank LIMIT ?) AS f
         JOIN rag_chunks c ON c.id = f.id JOIN rag_documents d ON d.knowledge_base_id = c.knowledge_base_id AND d.id = c.document_id
         WHERE ${filter.sql}`,
      )
      .all(match, options.filter ? candidates * 10 : candidates, ...filter.parameters) as Array<ChunkRow & { document_rowid: number }>;
    const documentWeight = options.documentWeight ?? 2;
    const documentScores = new Map<number, number>();
    if (documentWeight > 0) {
      const documentRows = this.database
        .prepare(`SELECT rowid AS id, -bm25(${tables.documents}) AS score FROM ${tables.documents} WHERE ${tables.documents} MATCH ? ORDER BY rank LIMIT ?`)
        .all(match, candidates) as Array<{ id: number; score: number }>;
      for (const row of documentRows) documentScores.set(row.id, row.score);
    }
    const statistics = { documentCount: generation.chunk_count, averageLength: generation.lexical_length_sum / generation.chunk_count, documentFrequency };
    return rows
      .map((row) => ({
        ...toHit(row),
        score: bm25Score(queryTerms, lexicalTerms(row.search_text), statistics, options) + documentWeight * (documentScores.get(row.document_rowid) ?? 0),
      }))
      .sort((left, right) => right.score - left.score || left.chunkId - right.chunkId)
      .slice(0, limit);
  }

  async vectorSearch(scope: KnowledgeBaseScope, vector: Float32Array, options: SearchOptions = {}): Promise<SearchHit[]> {
    const generation = await this.searchGeneration(scope, options.generationId);
    const limit = Math.min(options.limit ?? 10, 4096);
    if (vector.length !== generation.dimensions) {
      throw new InvalidRequestError({ message: `query vector has ${vector.length} dimensions, the index has ${generation.dimensions}`, param: "vector" });
    }
    if (limit <= 0 || generation.chunk_count === 0) return [];
    const matrix = options.filter ? undefined : this.cachedMatrix(generation);
    if (matrix) {
      const neighbours = matrix.nearest(vector, limit);
      const rows = this.chunkRows(neighbours.map((neighbour) => neighbour.id));
      return neighbours.flatMap((neighbour) => {
        const row = rows.get(neighbour.id);
        return row ? [{ ...toHit(row), score: neighbour.similarity }] : [];
      });
    }
    const tables = generationTables(generation.id);
    const filter = sqliteSearchFilter(options.filter);
    const restriction = options.filter ? `AND rowid IN (SELECT c.id FROM rag_chunks c WHERE c.generation_id = ? AND ${filter.sql})` : "";
    const neighbours = this.database
      .prepare(`SELECT rowid AS id, distance FROM ${tables.vectors} WHERE embedding MATCH ? AND k = ? ${restriction} ORDER BY distance`)
      .all(vector, limit, ...(options.filter ? [generation.id, ...filter.parameters] : [])) as Array<{ id: number; distance: number }>;
    const rows = this.chunkRows(neighbours.map((neighbour) => neighbour.id));
    return neighbours.flatMap((neighbour) => {
      const row = rows.get(neighbour.id);
      return row ? [{ ...toHit(row), score: 1 - neighbour.distance }] : [];
    });
  }

  async getChunkVectors(scope: KnowledgeBaseScope, chunkIds: number[], generationId?: number): Promise<Map<number, Float32Array>> {
    const generation = await this.searchGeneration(scope, generationId);
    if (chunkIds.length === 0) return new Map();
    const rows = this.database
      .prepare(`SELECT rowid AS id, embedding FROM ${generationTables(generation.id).vectors} WHERE rowid IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(chunkIds)) as Array<{ id: number; embedding: Buffer }>;
    return new Map(rows.map((row) => [row.id, toFloat32(row.embedding)]));
  }

  async getCachedEmbeddings(embeddingModelId: string, contentHashes: string[]): Promise<Map<string, Float32Array>> {
    if (contentHashes.length === 0) return new Map();
    const rows = this.statement("SELECT content_hash, vector FROM rag_embedding_cache WHERE embedding_model_id = ? AND content_hash IN (SELECT value FROM json_each(?))")
      .all(embeddingModelId, JSON.stringify(contentHashes)) as Array<{ content_hash: string; vector: Buffer }>;
    return new Map(rows.map((row) => [row.content_hash, toFloat32(row.vector)]));
  }

  async putCachedEmbeddings(embeddingModelId: string, entries: Array<{ contentHash: string; vector: Float32Array }>): Promise<void> {
    const insert = this.statement("INSERT OR REPLACE INTO rag_embedding_cache (embedding_model_id, content_hash, vector) VALUES (?, ?, ?)");
    this.database.transaction(() => {
      for (const entry of entries) insert.run(embeddingModelId, entry.contentHash, Buffer.from(entry.vector.buffer, entry.vector.byteOffset, entry.vector.byteLength));
    })();
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }

  private async requireKnowledgeBase(scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord> {
    const knowledgeBase = await this.getKnowledgeBase(scope);
    if (!knowledgeBase) throw new NotFoundError({ message: `knowledge base ${scope.knowledgeBaseId} not found`, code: "knowledge_base_not_found" });
    return knowledgeBase;
  }

  private generationRows(knowledgeBaseId: string): GenerationRow[] {
    return this.statement("SELECT * FROM rag_generations WHERE knowledge_base_id = ? ORDER BY id").all(knowledgeBaseId) as GenerationRow[];
  }

  private generationRow(knowledgeBaseId: string, generationId: number): GenerationRow {
    const row = this.statement("SELECT * FROM rag_generations WHERE id = ? AND knowledge_base_id = ?").get(generationId, knowledgeBaseId) as GenerationRow | undefined;
    if (!row) throw new NotFoundError({ message: `index generation ${generationId} not found`, code: "generation_not_found" });
    return row;
  }

  private async searchGeneration(scope: KnowledgeBaseScope, generationId: number | undefined): Promise<GenerationRow> {
    const knowledgeBase = await this.requireKnowledgeBase(scope);
    const id = generationId ?? knowledgeBase.activeGenerationId;
    if (id === undefined) throw new InvalidRequestError({ message: `knowledge base ${scope.knowledgeBaseId} has no index yet`, code: "knowledge_base_not_indexed" });
    const generation = this.generationRow(scope.knowledgeBaseId, id);
    if (generation.status === "retired") throw new NotFoundError({ message: `index generation ${id} was retired`, code: "generation_not_found" });
    return generation;
  }

  private writableGeneration(generation: GenerationRow, chunks: EmbeddedChunk[]): GenerationRow {
    const generationId = generation.id;
    if (generation.status === "retired") throw new InvalidRequestError({ message: `index generation ${generationId} is retired`, param: "generation" });
    for (const chunk of chunks) {
      if (chunk.vector.length !== generation.dimensions) {
        throw new InvalidRequestError({ message: `chunk vector has ${chunk.vector.length} dimensions, generation ${generationId} expects ${generation.dimensions}`, param: "vector" });
      }
    }
    return generation;
  }

  /** Inside a transaction: deletes then inserts one document's chunks of one generation. */
  private replaceChunks(knowledgeBaseId: string, generationId: number, documentId: string, chunks: EmbeddedChunk[], documentText: string): void {
    this.localWrites++;
    this.deleteChunks(knowledgeBaseId, generationId, documentId);
    const tables = generationTables(generationId);
    if (chunks.length > 0) {
      this.statement(`INSERT INTO ${tables.documents} (rowid, search_text) VALUES (?, ?)`).run(this.documentRowid(knowledgeBaseId, documentId), documentText);
    }
    const insertChunk = this.statement(
      `INSERT INTO rag_chunks (generation_id, knowledge_base_id, document_id, ordinal, text, search_text, content_hash, token_count, lexical_length, page, heading_path_json, start_offset, end_offset)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertLexical = this.statement(`INSERT INTO ${tables.lexical} (rowid, search_text) VALUES (?, ?)`);
    const insertVector = this.statement(`INSERT INTO ${tables.vectors} (rowid, embedding) VALUES (?, ?)`);
    let lexicalLength = 0;
    for (const chunk of chunks) {
      const length = lexicalTerms(chunk.searchText).length;
      lexicalLength += length;
      const id = insertChunk.run(generationId, knowledgeBaseId, documentId, chunk.ordinal, chunk.text, chunk.searchText, chunk.contentHash, chunk.tokenCount,
        length, chunk.page ?? null, JSON.stringify(chunk.headingPath), chunk.start, chunk.end).lastInsertRowid;
      insertLexical.run(id, chunk.searchText);
      insertVector.run(BigInt(id), chunk.vector);
    }
    if (chunks.length > 0) {
      this.statement("UPDATE rag_generations SET chunk_count = chunk_count + ?, lexical_length_sum = lexical_length_sum + ? WHERE id = ?").run(chunks.length, lexicalLength, generationId);
    }
  }

  /** Inside a transaction: deletes one document's chunks, vectors and lexical entries of one generation. */
  private deleteChunks(knowledgeBaseId: string, generationId: number, documentId: string): void {
    this.localWrites++;
    const tables = generationTables(generationId);
    const rows = this.statement("SELECT id, lexical_length FROM rag_chunks WHERE generation_id = ? AND knowledge_base_id = ? AND document_id = ?")
      .all(generationId, knowledgeBaseId, documentId) as Array<{ id: number; lexical_length: number }>;
    if (rows.length === 0) return;
    this.statement(`DELETE FROM ${tables.documents} WHERE rowid = ?`).run(this.documentRowid(knowledgeBaseId, documentId));
    const deleteLexical = this.statement(`DELETE FROM ${tables.lexical} WHERE rowid = ?`);
    const deleteVector = this.statement(`DELETE FROM ${tables.vectors} WHERE rowid = ?`);
    let lexicalLength = 0;
    for (const row of rows) {
      deleteLexical.run(row.id);
      deleteVector.run(BigInt(row.id));
      lexicalLength += row.lexical_length;
    }
    this.statement("DELETE FROM rag_chunks WHERE generation_id = ? AND knowledge_base_id = ? AND document_id = ?").run(generationId, knowledgeBaseId, documentId);
    this.statement("UPDATE rag_generations SET chunk_count = chunk_count - ?, lexical_length_sum = lexical_length_sum - ? WHERE id = ?").run(rows.length, lexicalLength, generationId);
  }

  private documentRowid(knowledgeBaseId: string, documentId: string): number {
    const row = this.statement("SELECT rowid FROM rag_documents WHERE knowledge_base_id = ? AND id = ?").get(knowledgeBaseId, documentId) as { rowid: number };
    return row.rowid;
  }

  /** A prepared statement, compiled once per connection (statements of dropped generations are evicted with them). */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 256) this.statements.clear();
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Inside a transaction: drops a generation's tables and chunk rows. */
  private deleteGenerationData(generationId: number): void {
    this.localWrites++;
    this.vectorCache.delete(generationId);
    this.frequencyCache.delete(generationId);
    this.statements.clear();
    this.database.exec(dropGenerationTablesSql(generationId));
    this.database.prepare("DELETE FROM rag_chunks WHERE generation_id = ?").run(generationId);
  }

  /** Changes whenever this or another connection changed the data. */
  private dataVersion(): string {
    return `${String(this.database.pragma("data_version", { simple: true }))}:${this.localWrites}`;
  }

  /** Document frequencies of terms in a generation's lexical index (0 for unknown terms), cached until the data changes. */
  private documentFrequencies(generationId: number, terms: string[]): Map<string, number> {
    const version = this.dataVersion();
    let cached = this.frequencyCache.get(generationId);
    if (cached?.version !== version) {
      cached = { version, frequencies: new Map() };
      this.frequencyCache.set(generationId, cached);
    }
    const missing = terms.filter((term) => !cached.frequencies.has(term));
    if (missing.length > 0) {
      const rows = this.database
        .prepare(`SELECT term, doc FROM ${generationTables(generationId).vocabulary} WHERE term IN (SELECT value FROM json_each(?))`)
        .all(JSON.stringify(missing)) as Array<{ term: string; doc: number }>;
      for (const term of missing) cached.frequencies.set(term, 0);
      for (const row of rows) cached.frequencies.set(row.term, row.doc);
      if (cached.frequencies.size > 100_000) cached.frequencies.clear();
    }
    return new Map(terms.map((term) => [term, cached.frequencies.get(term) ?? 0]));
  }

  /** The generation's vectors in memory, re-read when this or another connection changed the data; undefined when too large. */
  private cachedMatrix(generation: GenerationRow): VectorMatrix | undefined {
    const floats = generation.chunk_count * generation.dimensions;
    if (floats > this.vectorCacheMaxFloats) return undefined;
    const version = this.dataVersion();
    const cached = this.vectorCache.get(generation.id);
    if (cached?.version === version) return cached.matrix;
    let cachedFloats = 0;
    for (const [id, entry] of this.vectorCache) if (id !== generation.id) cachedFloats += entry.matrix.size * entry.matrix.dimensions;
    if (cachedFloats + floats > this.vectorCacheMaxFloats) this.vectorCache.clear();
    const rows = this.database.prepare(`SELECT rowid AS id, embedding FROM ${generationTables(generation.id).vectors}`).all() as Array<{ id: number; embedding: Buffer }>;
    const matrix = VectorMatrix.from(rows, generation.dimensions);
    this.vectorCache.set(generation.id, { version, matrix });
    return matrix;
  }

  private chunkRows(ids: number[]): Map<number, ChunkRow> {
    if (ids.length === 0) return new Map();
    const rows = this.database
      .prepare(`SELECT ${chunkColumns} FROM rag_chunks c JOIN rag_documents d ON d.knowledge_base_id = c.knowledge_base_id AND d.id = c.document_id WHERE c.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as ChunkRow[];
    return new Map(rows.map((row) => [row.id, row]));
  }
}

type DocumentRow = {
  id: string; name: string; content_hash: string; title: string | null; format: DocumentRecord["format"]; metadata_json: string; parsed_json: string;
  character_count: number; created_at: string; updated_at: string;
};

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
    metadata: metadataSchema.parse(JSON.parse(row.metadata_json)), characterCount: row.character_count, createdAt: row.created_at, updatedAt: row.updated_at,
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
