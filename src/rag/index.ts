export type {
  DocumentBlock, DocumentBlockType, DocumentChunk, DocumentFormat, EmbeddedChunk, Embedder, KnowledgeBaseScope, ParsedDocument, Reranker, SearchFilter,
  TokenCounter,
} from "./types.js";
export { DocumentParseError, type DocumentParseFailure } from "./document-parse-error.js";
export { DocumentBuilder, normaliseBlockText } from "./document-builder.js";
export { detectDocumentFormat } from "./detect-document-format.js";
export { parseDocument, type DocumentSource } from "./parse-document.js";
export { rerankInputBound } from "./rerank-input-bound.js";
export { parsePdf } from "./parse-pdf.js";
export { parseDocx } from "./parse-docx.js";
export { parseHtml } from "./parse-html.js";
export { parseMarkdown } from "./parse-markdown.js";
export { parsePlainText } from "./parse-plain-text.js";
export { parseCsv } from "./parse-csv.js";
export { parseJson } from "./parse-json.js";
export { parsedDocumentSchema } from "./parsed-document-schema.js";
export { splitLines, splitSentences, splitWords, type TextRange } from "./split-sentences.js";
export { chunkDocument, type ChunkDocumentOptions } from "./chunk-document.js";
export { contentHash } from "./content-hash.js";
export { lexicalTerms } from "./lexical-terms.js";
export { bm25InverseDocumentFrequency, bm25Score, type Bm25Parameters, type Bm25Statistics } from "./bm25.js";
export type {
  DocumentRecord, DocumentWithChunks, DocumentWrite, GenerationRecord, GenerationStatus, KnowledgeBaseRecord, KnowledgeStore, LexicalSearchOptions, SearchHit, SearchOptions,
  StoredDocument,
} from "./knowledge-store.js";
export { SqliteKnowledgeStore, type SqliteKnowledgeStoreOptions } from "./sqlite/sqlite-knowledge-store.js";
export { PostgresKnowledgeStore, type PostgresKnowledgeStoreOptions } from "./postgres/index.js";
export { cosineSimilarity, normaliseVector } from "./vector-math.js";
export { reciprocalRankFusion, type RankedList } from "./reciprocal-rank-fusion.js";
export { maximalMarginalRelevance, type DiversityCandidate } from "./maximal-marginal-relevance.js";
export { embeddingModelKey } from "./embedding-model-key.js";
export { embedWithCache, type EmbedWithCacheOptions, type EmbedWithCacheResult } from "./embed-with-cache.js";
export { retrieve, type RelevanceThreshold, type RetrievalMode, type RetrievalResult, type RetrievedPassage, type RetrieveOptions } from "./retrieve.js";
export { ingestDocument, type IngestDocumentOptions, type IngestDocumentResult, type IngestProgress, type IngestStage } from "./ingest-document.js";
export { ingestDocuments, type IngestDocumentsOptions, type IngestInput, type IngestOutcome } from "./ingest-documents.js";
export { EmbeddingBatcher, type EmbeddingBatcherOptions, type EmbeddingBatcherResult } from "./embedding-batcher.js";
export { TimeSlice } from "./time-slice.js";
export { reindexKnowledgeBase, type ReindexKnowledgeBaseOptions } from "./reindex-knowledge-base.js";
export { buildGroundedPrompt, type BuildGroundedPromptOptions, type Citation, type GroundedPrompt } from "./build-grounded-prompt.js";
export * from "./service/index.js";
