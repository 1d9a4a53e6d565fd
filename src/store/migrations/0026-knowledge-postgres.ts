import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * The PostgreSQL knowledge store (issue 12): knowledge bases, index generations, documents, chunks with their pgvector
 * embeddings, the BM25 lexical index (postings per chunk and per document, term and length statistics), grants and the
 * embedding cache, in the main database so every instance on it shares them. PostgreSQL only: an embedded (SQLite)
 * platform keeps its knowledge in the SQLite knowledge store, so this migration does nothing there.
 *
 * `rag_chunks.embedding` is `vector` without fixed dimensions (generations of different models coexist during a
 * re-index); each generation gets a partial HNSW expression index `((embedding::vector(N)) vector_cosine_ops) WHERE
 * generation_id = G`, created with the generation. The column needs the pgvector extension: it is added here when
 * pgvector is installed or can be, otherwise by the store on first use (after an administrator installed pgvector).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create table rag_knowledge_bases (
    id text primary key,
    owner_id text not null,
    name text not null,
    description text,
    active_generation_id bigint,
    created_at text not null,
    unique (owner_id, name)
  )`.execute(db);
  await sql`create table rag_generations (
    id bigserial primary key,
    knowledge_base_id text not null references rag_knowledge_bases(id) on delete cascade,
    embedding_model_id text not null,
    dimensions integer not null,
    chunk_size integer not null,
    chunk_overlap integer not null,
    status text not null check (status in ('building', 'active', 'retired')),
    chunk_count bigint not null default 0,
    lexical_length_sum bigint not null default 0,
    document_count bigint not null default 0,
    document_length_sum bigint not null default 0,
    created_at text not null
  )`.execute(db);
  await sql`create index rag_generations_knowledge_base on rag_generations (knowledge_base_id)`.execute(db);
  await sql`create table rag_documents (
    knowledge_base_id text not null references rag_knowledge_bases(id) on delete cascade,
    id text not null,
    name text not null,
    content_hash text not null,
    title text,
    format text not null,
    metadata jsonb not null,
    parsed_json text not null,
    character_count integer not null,
    created_at text not null,
    updated_at text not null,
    primary key (knowledge_base_id, id)
  )`.execute(db);
  await sql`create table rag_chunks (
    id bigserial primary key,
    generation_id bigint not null references rag_generations(id) on delete cascade,
    knowledge_base_id text not null,
    document_id text not null,
    ordinal integer not null,
    text text not null,
    search_text text not null,
    content_hash text not null,
    token_count integer not null,
    lexical_length integer not null,
    page integer,
    heading_path_json text not null,
    start_offset integer not null,
    end_offset integer not null,
    unique (generation_id, document_id, ordinal)
  )`.execute(db);
  await sql`create index rag_chunks_document on rag_chunks (knowledge_base_id, document_id)`.execute(db);
  // BM25 postings of chunks: term frequency and the chunk's length (so scoring reads the postings alone).
  await sql`create table rag_chunk_postings (
    generation_id bigint not null,
    term text not null,
    chunk_id bigint not null,
    frequency integer not null,
    chunk_length integer not null,
    primary key (generation_id, term, chunk_id)
  )`.execute(db);
  await sql`create index rag_chunk_postings_chunk on rag_chunk_postings (chunk_id)`.execute(db);
  // Whole-document postings (title and text) of the documents that have chunks in a generation: the document-level BM25.
  await sql`create table rag_document_postings (
    generation_id bigint not null,
    term text not null,
    document_id text not null,
    frequency integer not null,
    document_length integer not null,
    primary key (generation_id, term, document_id)
  )`.execute(db);
  await sql`create index rag_document_postings_document on rag_document_postings (generation_id, document_id)`.execute(db);
  // Per generation and term: chunks and documents containing it (BM25 document frequencies).
  await sql`create table rag_terms (
    generation_id bigint not null,
    term text not null,
    chunk_frequency bigint not null,
    document_frequency bigint not null,
    primary key (generation_id, term)
  )`.execute(db);
  await sql`create table rag_grants (
    knowledge_base_id text not null references rag_knowledge_bases(id) on delete cascade,
    grantee_id text not null,
    created_at text not null,
    primary key (knowledge_base_id, grantee_id)
  )`.execute(db);
  await sql`create index rag_grants_grantee on rag_grants (grantee_id)`.execute(db);
  await sql`create table rag_embedding_cache (
    embedding_model_id text not null,
    content_hash text not null,
    vector bytea not null,
    primary key (embedding_model_id, content_hash)
  )`.execute(db);
  // pgvector: used when installed in this database; created here when the server offers it and the user may (a
  // superuser); otherwise the store adds the column once an administrator ran `CREATE EXTENSION vector`.
  const vector = await sql<{ installed: boolean; creatable: boolean }>`select
      exists (select 1 from pg_extension where extname = 'vector') as installed,
      exists (select 1 from pg_available_extensions where name = 'vector') and (select rolsuper from pg_roles where rolname = current_user) as creatable`.execute(db);
  const { installed, creatable } = vector.rows[0] ?? { installed: false, creatable: false };
  if (!installed && creatable) await sql`create extension if not exists vector`.execute(db);
  if (installed || creatable) await sql`alter table rag_chunks add column embedding vector not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const table of ["rag_embedding_cache", "rag_grants", "rag_terms", "rag_document_postings", "rag_chunk_postings", "rag_chunks", "rag_documents", "rag_generations", "rag_knowledge_bases"]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
