import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { DatabaseSchema } from "../../store/index.js";
import type { EmbeddedChunk } from "../types.js";
import { TermDeltas, termFrequencies } from "./postgres-lexical-index.js";
import { toVectorText } from "./postgres-vectors.js";

type Executor = Kysely<DatabaseSchema>;

/** One document's new chunks in one generation, with the text its whole-document postings are made of. */
export type ChunkReplacement = { documentId: string; chunks: EmbeddedChunk[]; documentText: string };

type Counts = { chunks: number; lexicalLength: number; documents: number; documentLength: number };

/**
 * Inside a transaction holding the generation's lock: replaces the chunks, vectors and postings of several documents
 * of one generation (each document's old rows go, its new ones come; a document with no chunks is left without any),
 * in two statements whatever the number of documents and chunks: one removes the old rows, one writes the chunks,
 * their postings, the whole-document postings, the term frequencies and the generation's counts (data-modifying
 * CTEs over `unnest` arrays, one per table). Document ids must be distinct. Resolves the change of the chunk count.
 */
export async function replaceChunks(executor: Executor, knowledgeBaseId: string, generationId: number, replacements: ChunkReplacement[]): Promise<number> {
  if (replacements.length === 0) return 0;
  const deltas = new TermDeltas();
  const removed = await removeChunks(executor, knowledgeBaseId, generationId, replacements.map((replacement) => replacement.documentId), deltas);
  const rows = replacements.flatMap((replacement) => replacement.chunks.map((chunk) => ({ documentId: replacement.documentId, chunk, lexical: termFrequencies(chunk.searchText) })));
  const indexed = replacements.filter((replacement) => replacement.chunks.length > 0).map((replacement) => ({ ...replacement, lexical: termFrequencies(replacement.documentText) }));
  const added = {
    chunks: rows.length,
    lexicalLength: rows.reduce((sum, row) => sum + row.lexical.length, 0),
    documents: indexed.length,
    documentLength: indexed.reduce((sum, replacement) => sum + replacement.lexical.length, 0),
  };
  // Postings name their chunk by (document, ordinal): the statement joins them to the ids the chunk insert returns.
  const postings = { documentIds: [] as string[], ordinals: [] as number[], terms: [] as string[], frequencies: [] as number[], lengths: [] as number[] };
  for (const row of rows) {
    for (const [term, frequency] of row.lexical.frequencies) {
      postings.documentIds.push(row.documentId);
      postings.ordinals.push(row.chunk.ordinal);
      postings.terms.push(term);
      postings.frequencies.push(frequency);
      postings.lengths.push(row.lexical.length);
      deltas.add(term, 1, 0);
    }
  }
  const documentPostings = { terms: [] as string[], documentIds: [] as string[], frequencies: [] as number[], lengths: [] as number[] };
  for (const replacement of indexed) {
    for (const [term, frequency] of replacement.lexical.frequencies) {
      documentPostings.terms.push(term);
      documentPostings.documentIds.push(replacement.documentId);
      documentPostings.frequencies.push(frequency);
      documentPostings.lengths.push(replacement.lexical.length);
      deltas.add(term, 0, 1);
    }
  }
  const change: Counts = {
    chunks: added.chunks - removed.chunks,
    lexicalLength: added.lexicalLength - removed.lexicalLength,
    documents: added.documents - removed.documents,
    documentLength: added.documentLength - removed.documentLength,
  };
  const terms = deltas.entries();
  if (rows.length === 0 && terms.length === 0 && Object.values(change).every((value) => value === 0)) return 0;
  const generation = sql.lit(generationId);
  await sql`with inserted_chunks as (
      insert into rag_chunks (generation_id, knowledge_base_id, document_id, ordinal, text, search_text, content_hash, token_count, lexical_length, page,
        heading_path_json, start_offset, end_offset, embedding)
      select ${generation}::bigint, ${knowledgeBaseId}, t.document_id, t.ordinal, t.text, t.search_text, t.content_hash, t.token_count, t.lexical_length, t.page,
        t.heading_path_json, t.start_offset, t.end_offset, t.embedding::vector
      from unnest(${rows.map((row) => row.documentId)}::text[], ${rows.map((row) => row.chunk.ordinal)}::integer[], ${rows.map((row) => row.chunk.text)}::text[],
        ${rows.map((row) => row.chunk.searchText)}::text[], ${rows.map((row) => row.chunk.contentHash)}::text[], ${rows.map((row) => row.chunk.tokenCount)}::integer[],
        ${rows.map((row) => row.lexical.length)}::integer[], ${rows.map((row) => row.chunk.page ?? null)}::integer[],
        ${rows.map((row) => JSON.stringify(row.chunk.headingPath))}::text[], ${rows.map((row) => row.chunk.start)}::integer[], ${rows.map((row) => row.chunk.end)}::integer[],
        ${rows.map((row) => toVectorText(row.chunk.vector))}::text[])
        as t(document_id, ordinal, text, search_text, content_hash, token_count, lexical_length, page, heading_path_json, start_offset, end_offset, embedding)
      returning id, document_id, ordinal
    ), inserted_postings as (
      insert into rag_chunk_postings (generation_id, term, chunk_id, frequency, chunk_length)
      select ${generation}::bigint, p.term, c.id, p.frequency, p.chunk_length
      from unnest(${postings.documentIds}::text[], ${postings.ordinals}::integer[], ${postings.terms}::text[], ${postings.frequencies}::integer[], ${postings.lengths}::integer[])
        as p(document_id, ordinal, term, frequency, chunk_length)
        join inserted_chunks c on c.document_id = p.document_id and c.ordinal = p.ordinal
    ), inserted_document_postings as (
      insert into rag_document_postings (generation_id, term, document_id, frequency, document_length)
      select ${generation}::bigint, t.term, t.document_id, t.frequency, t.document_length
      from unnest(${documentPostings.terms}::text[], ${documentPostings.documentIds}::text[], ${documentPostings.frequencies}::integer[], ${documentPostings.lengths}::integer[])
        as t(term, document_id, frequency, document_length)
    ), changed_terms as (
      insert into rag_terms (generation_id, term, chunk_frequency, document_frequency)
      select ${generation}::bigint, t.term, t.chunks, t.documents
      from unnest(${terms.map(([term]) => term)}::text[], ${terms.map(([, delta]) => delta.chunks)}::bigint[], ${terms.map(([, delta]) => delta.documents)}::bigint[])
        as t(term, chunks, documents)
      on conflict (generation_id, term) do update set chunk_frequency = rag_terms.chunk_frequency + excluded.chunk_frequency,
        document_frequency = rag_terms.document_frequency + excluded.document_frequency
    )
    update rag_generations set chunk_count = chunk_count + ${change.chunks}, lexical_length_sum = lexical_length_sum + ${change.lexicalLength},
      document_count = document_count + ${change.documents}, document_length_sum = document_length_sum + ${change.documentLength}
    where id = ${generation}`.execute(executor);
  return change.chunks;
}

/** Inside a transaction holding the generation's lock: deletes one document's chunks, vectors and postings. */
export async function deleteChunks(executor: Executor, knowledgeBaseId: string, generationId: number, documentId: string): Promise<void> {
  await replaceChunks(executor, knowledgeBaseId, generationId, [{ documentId, chunks: [], documentText: "" }]);
}

const removalSchema = z.object({
  chunks: z.number(),
  lexical_length: z.number(),
  documents: z.number(),
  document_length: z.number(),
  chunk_terms: z.array(z.tuple([z.string(), z.number()])),
  document_terms: z.array(z.tuple([z.string(), z.number()])),
});

/**
 * Deletes documents' rows of one generation in one statement (chunks with their vectors, chunk postings, document
 * postings), recording the term-frequency decrements in `deltas`.
 */
async function removeChunks(executor: Executor, knowledgeBaseId: string, generationId: number, documentIds: string[], deltas: TermDeltas): Promise<Counts> {
  const generation = sql.lit(generationId);
  const result = await sql<{ removal: unknown }>`with deleted_chunks as (
      delete from rag_chunks where generation_id = ${generation} and knowledge_base_id = ${knowledgeBaseId} and document_id = any(${documentIds}::text[])
      returning id, document_id, lexical_length
    ), deleted_postings as (
      delete from rag_chunk_postings where generation_id = ${generation} and chunk_id in (select id from deleted_chunks) returning term
    ), deleted_document_postings as (
      delete from rag_document_postings where generation_id = ${generation} and document_id = any(${documentIds}::text[]) returning term, document_id, document_length
    )
    select json_build_object(
      'chunks', (select count(*) from deleted_chunks),
      'lexical_length', (select coalesce(sum(lexical_length), 0) from deleted_chunks),
      -- Documents with chunks are indexed as a whole too (even one without terms, as FTS5 counts it).
      'documents', (select count(distinct document_id) from deleted_chunks),
      'document_length', (select coalesce(sum(document_length), 0) from (select distinct document_id, document_length from deleted_document_postings) as lengths),
      'chunk_terms', (select coalesce(json_agg(json_build_array(term, count)), '[]') from (select term, count(*) from deleted_postings group by term) as counts),
      'document_terms', (select coalesce(json_agg(json_build_array(term, count)), '[]') from (select term, count(*) from deleted_document_postings group by term) as counts)
    ) as removal`.execute(executor);
  const removal = removalSchema.parse(result.rows[0]!.removal);
  for (const [term, count] of removal.chunk_terms) deltas.add(term, -count, 0);
  for (const [term, count] of removal.document_terms) deltas.add(term, 0, -count);
  return { chunks: removal.chunks, lexicalLength: removal.lexical_length, documents: removal.documents, documentLength: removal.document_length };
}
