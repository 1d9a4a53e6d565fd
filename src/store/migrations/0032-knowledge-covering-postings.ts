import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * PostgreSQL knowledge store (issue 12): the postings' primary keys carry the columns BM25 reads (`INCLUDE`), so
 * drawing a query's candidates from the postings of its rarest terms is an index-only scan instead of one random
 * heap read per posting (the postings heap is in write order, chunk by chunk, not term by term). PostgreSQL only,
 * like migration 0026: nothing to do on SQLite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter table rag_chunk_postings drop constraint rag_chunk_postings_pkey,
    add constraint rag_chunk_postings_pkey primary key (generation_id, term, chunk_id) include (frequency, chunk_length)`.execute(db);
  await sql`alter table rag_document_postings drop constraint rag_document_postings_pkey,
    add constraint rag_document_postings_pkey primary key (generation_id, term, document_id) include (frequency, document_length)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter table rag_chunk_postings drop constraint rag_chunk_postings_pkey, add constraint rag_chunk_postings_pkey primary key (generation_id, term, chunk_id)`.execute(db);
  await sql`alter table rag_document_postings drop constraint rag_document_postings_pkey,
    add constraint rag_document_postings_pkey primary key (generation_id, term, document_id)`.execute(db);
}
