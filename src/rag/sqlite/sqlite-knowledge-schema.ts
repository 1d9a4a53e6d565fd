/** Tables shared by every knowledge base (per-generation FTS5 and vec0 tables are created on demand). */
export const sqliteKnowledgeSchema = `
CREATE TABLE IF NOT EXISTS rag_knowledge_bases (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  active_generation_id INTEGER,
  created_at TEXT NOT NULL,
  UNIQUE (owner_id, name)
);
CREATE TABLE IF NOT EXISTS rag_generations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  knowledge_base_id TEXT NOT NULL REFERENCES rag_knowledge_bases(id) ON DELETE CASCADE,
  embedding_model_id TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  chunk_size INTEGER NOT NULL,
  chunk_overlap INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('building', 'active', 'retired')),
  chunk_count INTEGER NOT NULL DEFAULT 0,
  lexical_length_sum INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rag_generations_knowledge_base ON rag_generations (knowledge_base_id);
CREATE TABLE IF NOT EXISTS rag_documents (
  knowledge_base_id TEXT NOT NULL REFERENCES rag_knowledge_bases(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  title TEXT,
  format TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  parsed_json TEXT NOT NULL,
  character_count INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (knowledge_base_id, id)
);
CREATE TABLE IF NOT EXISTS rag_chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  generation_id INTEGER NOT NULL REFERENCES rag_generations(id),
  knowledge_base_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  search_text TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  token_count INTEGER NOT NULL,
  lexical_length INTEGER NOT NULL,
  page INTEGER,
  heading_path_json TEXT NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  UNIQUE (generation_id, document_id, ordinal)
);
CREATE INDEX IF NOT EXISTS rag_chunks_document ON rag_chunks (knowledge_base_id, document_id);
CREATE TABLE IF NOT EXISTS rag_grants (
  knowledge_base_id TEXT NOT NULL REFERENCES rag_knowledge_bases(id) ON DELETE CASCADE,
  grantee_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (knowledge_base_id, grantee_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rag_grants_grantee ON rag_grants (grantee_id);
CREATE TABLE IF NOT EXISTS rag_embedding_cache (
  embedding_model_id TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (embedding_model_id, content_hash)
) WITHOUT ROWID;
`;

/** Names of one generation's lexical (FTS5 per chunk and per document), vocabulary and vector (vec0) tables. */
export function generationTables(generationId: number): { lexical: string; vocabulary: string; documents: string; vectors: string } {
  if (!Number.isSafeInteger(generationId) || generationId <= 0) throw new RangeError(`bad generation id ${generationId}`);
  return {
    lexical: `rag_fts_${generationId}`,
    vocabulary: `rag_fts_vocabulary_${generationId}`,
    documents: `rag_fts_documents_${generationId}`,
    vectors: `rag_vec_${generationId}`,
  };
}

/** DDL of one generation's tables. */
export function generationTablesSql(generationId: number, dimensions: number): string {
  const tables = generationTables(generationId);
  return `
CREATE VIRTUAL TABLE IF NOT EXISTS ${tables.lexical} USING fts5(search_text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS ${tables.vocabulary} USING fts5vocab(${tables.lexical}, 'row');
CREATE VIRTUAL TABLE IF NOT EXISTS ${tables.documents} USING fts5(search_text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS ${tables.vectors} USING vec0(embedding float[${dimensions}] distance_metric=cosine);
`;
}

/** DDL dropping one generation's tables. */
export function dropGenerationTablesSql(generationId: number): string {
  const tables = generationTables(generationId);
  return `DROP TABLE IF EXISTS ${tables.vocabulary}; DROP TABLE IF EXISTS ${tables.lexical}; DROP TABLE IF EXISTS ${tables.documents}; DROP TABLE IF EXISTS ${tables.vectors};`;
}
