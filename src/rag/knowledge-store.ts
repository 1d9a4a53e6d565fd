import type { EmbeddedChunk, KnowledgeBaseScope, ParsedDocument, SearchFilter } from "./types.js";

/** A knowledge base as stored. */
export type KnowledgeBaseRecord = {
  id: string;
  ownerId: string;
  name: string;
  description: string | undefined;
  /** The generation queries use; `undefined` only before the first generation exists. */
  activeGenerationId: number | undefined;
  createdAt: string;
};

/** Lifecycle of an index generation: filled while `building`, serves while `active`. */
export type GenerationStatus = "building" | "active" | "retired";

/** One index generation: all chunks and vectors made with one embedding model and chunking. */
export type GenerationRecord = {
  id: number;
  knowledgeBaseId: string;
  embeddingModelId: string;
  dimensions: number;
  /** Chunking parameters used (tokens). */
  chunkSize: number;
  chunkOverlap: number;
  status: GenerationStatus;
  chunkCount: number;
  createdAt: string;
};

/** A document of a knowledge base (generation independent; keeps its parsed form for re-indexing). */
export type DocumentRecord = {
  id: string;
  name: string;
  /** sha256 of the original bytes. */
  contentHash: string;
  title: string | undefined;
  format: ParsedDocument["format"];
  metadata: Record<string, string | number | boolean>;
  characterCount: number;
  createdAt: string;
  updatedAt: string;
};

/** A stored document with its parsed form. */
export type StoredDocument = DocumentRecord & { parsed: ParsedDocument };

/** What {@link KnowledgeStore.writeDocument} stores. */
export type DocumentWrite = Omit<DocumentRecord, "createdAt" | "updatedAt" | "characterCount"> & { parsed: ParsedDocument };

/** One document with its chunks for some generations, as {@link KnowledgeStore.writeDocument} stores it. */
export type DocumentWithChunks = { document: DocumentWrite; generations: Array<{ generationId: number; chunks: EmbeddedChunk[] }> };

/** A retrieved chunk. `score` is the search's own score (BM25, cosine similarity, fused…). */
export type SearchHit = {
  chunkId: number;
  documentId: string;
  documentName: string;
  title: string | undefined;
  text: string;
  searchText: string;
  page: number | undefined;
  headingPath: string[];
  start: number;
  end: number;
  score: number;
};

/** Common options of the two searches. */
export type SearchOptions = {
  /** Most hits (default 10). */
  limit?: number | undefined;
  filter?: SearchFilter | undefined;
  /** Search this generation instead of the active one. */
  generationId?: number | undefined;
};

/** Options of the BM25 search. */
export type LexicalSearchOptions = SearchOptions & {
  /** BM25 term-frequency saturation (default 0.9). */
  k1?: number | undefined;
  /** BM25 length normalisation (default 0.4). */
  b?: number | undefined;
  /**
   * Weight of the whole document's BM25 (FTS5) added to each chunk's own BM25, so passages of documents that
   * match as a whole rank higher (default 2; 0 = chunk text only).
   */
  documentWeight?: number | undefined;
};

/**
 * Storage of knowledge bases: documents, chunks, vectors and the lexical index, per knowledge base, per owner,
 * per index generation. Every write is atomic. Implementations: SQLite (sqlite-vec + FTS5) now, PostgreSQL +
 * pgvector later; both must pass `runKnowledgeStoreContract`.
 */
export interface KnowledgeStore {
  createKnowledgeBase(input: { id: string; ownerId: string; name: string; description?: string | undefined }): Promise<KnowledgeBaseRecord>;
  /** `undefined` when missing or owned by someone else. */
  getKnowledgeBase(scope: KnowledgeBaseScope): Promise<KnowledgeBaseRecord | undefined>;
  listKnowledgeBases(ownerId: string): Promise<KnowledgeBaseRecord[]>;
  /** Knowledge bases of every owner with this id or name (access is decided by the caller). */
  findKnowledgeBases(reference: { id?: string | undefined; name?: string | undefined }): Promise<KnowledgeBaseRecord[]>;
  /** Every knowledge base of every owner (the local operator's and admins' view). */
  listAllKnowledgeBases(): Promise<KnowledgeBaseRecord[]>;
  /** Lets `granteeId` (an API key id) read and write a knowledge base it does not own. Idempotent. */
  grantAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<void>;
  /** Removes a grant; true when there was one. */
  revokeAccess(scope: KnowledgeBaseScope, granteeId: string): Promise<boolean>;
  listGrants(scope: KnowledgeBaseScope): Promise<string[]>;
  /** Knowledge bases granted to `granteeId`. */
  listGrantedKnowledgeBases(granteeId: string): Promise<KnowledgeBaseRecord[]>;
  /** Deletes the knowledge base with all its generations, documents, chunks, vectors and index entries. */
  deleteKnowledgeBase(scope: KnowledgeBaseScope): Promise<boolean>;

  /** Adds an index generation. The first one becomes active at once; later ones start `building`. */
  createGeneration(scope: KnowledgeBaseScope, input: { embeddingModelId: string; dimensions: number; chunkSize: number; chunkOverlap: number }): Promise<GenerationRecord>;
  listGenerations(scope: KnowledgeBaseScope): Promise<GenerationRecord[]>;
  /** Atomically makes a building generation the active one and deletes the previous active generation. */
  activateGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void>;
  /** Deletes a non-active generation (e.g. an abandoned re-index). */
  dropGeneration(scope: KnowledgeBaseScope, generationId: number): Promise<void>;

  /**
   * Atomically inserts or replaces a document and, for each listed generation, all of its chunks, vectors and
   * lexical entries. Generations not listed keep their chunks of this document.
   */
  writeDocument(scope: KnowledgeBaseScope, input: DocumentWithChunks): Promise<void>;
  /**
   * {@link writeDocument} for several documents in one atomic transaction (all are written or none), so bulk
   * ingestion pays one commit per batch instead of one per document. Later entries win for a repeated document id.
   */
  writeDocuments(scope: KnowledgeBaseScope, inputs: DocumentWithChunks[]): Promise<void>;
  /**
   * Most chunks bulk ingestion should hand {@link writeDocuments} at once, when the caller sets none (default: the
   * embedding batch size). A database server prefers fewer, larger writes (round trips, term-statistics upserts).
   */
  readonly preferredWriteBatchChunks?: number | undefined;
  /** Atomically replaces one document's chunks in one generation (background re-indexing). */
  writeGenerationChunks(scope: KnowledgeBaseScope, generationId: number, documentId: string, chunks: EmbeddedChunk[]): Promise<void>;
  /** Atomically deletes a document with its chunks, vectors and lexical entries in every generation. */
  deleteDocument(scope: KnowledgeBaseScope, documentId: string): Promise<boolean>;
  getDocument(scope: KnowledgeBaseScope, documentId: string): Promise<StoredDocument | undefined>;
  listDocuments(scope: KnowledgeBaseScope): Promise<DocumentRecord[]>;
  /** Ids of the documents that have at least one chunk in a generation. */
  listIndexedDocumentIds(scope: KnowledgeBaseScope, generationId: number): Promise<string[]>;
  /** Chunk counts of a document per generation id. */
  countChunks(scope: KnowledgeBaseScope, documentId: string): Promise<Map<number, number>>;

  /** BM25 over the persistent lexical index. Scores are BM25 (higher is better). */
  lexicalSearch(scope: KnowledgeBaseScope, query: string, options?: LexicalSearchOptions): Promise<SearchHit[]>;
  /** Exact k-NN by cosine. Scores are cosine similarities. */
  vectorSearch(scope: KnowledgeBaseScope, vector: Float32Array, options?: SearchOptions): Promise<SearchHit[]>;
  /** Stored vectors of chunks (for maximal marginal relevance). */
  getChunkVectors(scope: KnowledgeBaseScope, chunkIds: number[], generationId?: number): Promise<Map<number, Float32Array>>;

  /** Cached vectors by content hash for one embedding model. */
  getCachedEmbeddings(embeddingModelId: string, contentHashes: string[]): Promise<Map<string, Float32Array>>;
  putCachedEmbeddings(embeddingModelId: string, entries: Array<{ contentHash: string; vector: Float32Array }>): Promise<void>;

  close(): Promise<void>;
}
