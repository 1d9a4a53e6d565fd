import type { EmbeddingModel } from "../spec/index.js";
import type { RequestGuard } from "../spec/index.js";

/** Kinds of structural block a parser emits. */
export type DocumentBlockType = "heading" | "paragraph" | "table" | "list" | "code";

/** Source formats the parsers understand. */
export type DocumentFormat = "pdf" | "docx" | "html" | "markdown" | "text" | "csv" | "json";

/** One structural block of a parsed document; `start`/`end` index into {@link ParsedDocument.text}. */
export type DocumentBlock = {
  type: DocumentBlockType;
  text: string;
  /** Titles of the enclosing headings, outermost first (a heading's path includes itself). */
  headingPath: string[];
  /** Heading level 1–6, only for headings. */
  level?: number | undefined;
  /** 1-based page number (PDF only). */
  page?: number | undefined;
  start: number;
  end: number;
};

/** The common structured model every parser produces. `text` is the blocks joined by blank lines. */
export type ParsedDocument = {
  format: DocumentFormat;
  title?: string | undefined;
  text: string;
  blocks: DocumentBlock[];
  pageCount?: number | undefined;
  /** Non-fatal findings, e.g. pages without extractable text (scanned images). */
  warnings: string[];
};

/** Counts tokens with the embedding model's own tokenizer. */
export type TokenCounter = (text: string) => number | Promise<number>;

/** A chunk as produced by the chunker (no vector yet). */
export type DocumentChunk = {
  documentId: string;
  /** 0-based position within the document. */
  ordinal: number;
  /** Exact slice `document.text.slice(start, end)`. */
  text: string;
  /** What gets embedded and lexically indexed: title and heading path, then the text. */
  searchText: string;
  title: string | undefined;
  headingPath: string[];
  page: number | undefined;
  start: number;
  end: number;
  tokenCount: number;
  /** sha256 (hex) of `searchText`: the embedding cache key together with the model id. */
  contentHash: string;
};

/** A chunk ready for storage. */
export type EmbeddedChunk = DocumentChunk & { vector: Float32Array };

/** An embedding model plus its tokenizer: what one index generation needs to chunk and embed. */
export type Embedder = {
  model: EmbeddingModel;
  countTokens: TokenCounter;
  /** Chunk size in tokens (default 256). */
  chunkSize?: number | undefined;
  /** Overlap between consecutive chunks of a section in tokens (default 32). */
  chunkOverlap?: number | undefined;
};

/** Scores documents against a query; higher is more relevant. Returns one score per document, same order. */
export interface Reranker {
  rerank(query: string, documents: string[], options?: RerankOptions): Promise<number[]>;
}

/** Options of {@link Reranker.rerank}. */
export type RerankOptions = {
  abortSignal?: AbortSignal | undefined;
  /** Called once after a successful call with the tokens the reranker processed (unknown: undefined). */
  onUsage?: ((usage: { inputTokens: number | undefined }) => void) | undefined;
  /** The guardrails of the request (its key's policy): an upstream reranker masks the query and documents with it. */
  guard?: RequestGuard | undefined;
};

/** Restricts a search to some documents or to documents whose metadata equals the given values. */
export type SearchFilter = {
  documentIds?: string[] | undefined;
  metadata?: Record<string, string | number | boolean> | undefined;
};

/** Which knowledge base a call acts on; a mismatching owner behaves as if the knowledge base did not exist. */
export type KnowledgeBaseScope = { knowledgeBaseId: string; ownerId: string };
