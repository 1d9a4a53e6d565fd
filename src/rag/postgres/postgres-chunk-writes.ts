import { type Kysely, sql } from "kysely";
import type { DatabaseSchema } from "../../store/index.js";
import type { EmbeddedChunk } from "../types.js";
import { applyTermDeltas, TermDeltas, termFrequencies } from "./postgres-lexical-index.js";
import { toVectorText } from "./postgres-vectors.js";

type Executor = Kysely<DatabaseSchema>;

/** One document's new chunks in one generation, with the text its whole-document postings are made of. */
export type ChunkReplacement = { documentId: string; chunks: EmbeddedChunk[]; documentText: string };

/**
 * Inside a transaction holding the generation's lock: replaces the chunks, vectors and postings of several documents
 * of one generation (each document's old rows go, its new ones come; a document with no chunks is left without any),
 * in a fixed number of statements whatever the number of documents. Document ids must be distinct.
 */
export async function replaceChunks(executor: Executor, knowledgeBaseId: string, generationId: number, replacements: ChunkReplacement[]): Promise<void> {
  if (replacements.length === 0) return;
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
  if (rows.length > 0) {
    const inserted = await sql<{ id: number; document_id: string; ordinal: number }>`insert into rag_chunks (generation_id, knowledge_base_id, document_id, ordinal,
        text, search_text, content_hash, token_count, lexical_length, page, heading_path_json, start_offset, end_offset, embedding)
      select ${generationId}::bigint, ${knowledgeBaseId}, t.document_id, t.ordinal, t.text, t.search_text, t.content_hash, t.token_count, t.lexical_length, t.page,
        t.heading_path_json, t.start_offset, t.end_offset, t.embedding::vector
      from unnest(${rows.map((row) => row.documentId)}::text[], ${rows.map((row) => row.chunk.ordinal)}::integer[], ${rows.map((row) => row.chunk.text)}::text[],
        ${rows.map((row) => row.chunk.searchText)}::text[], ${rows.map((row) => row.chunk.contentHash)}::text[], ${rows.map((row) => row.chunk.tokenCount)}::integer[],
        ${rows.map((row) => row.lexical.length)}::integer[], ${rows.map((row) => row.chunk.page ?? null)}::integer[],
        ${rows.map((row) => JSON.stringify(row.chunk.headingPath))}::text[], ${rows.map((row) => row.chunk.start)}::integer[], ${rows.map((row) => row.chunk.end)}::integer[],
        ${rows.map((row) => toVectorText(row.chunk.vector))}::text[])
        as t(document_id, ordinal, text, search_text, content_hash, token_count, lexical_length, page, heading_path_json, start_offset, end_offset, embedding)
      returning id, document_id, ordinal`.execute(executor);
    const idOf = new Map(inserted.rows.map((row) => [`${row.ordinal}:${row.document_id}`, row.id]));
    const postings = { terms: [] as string[], chunkIds: [] as number[], frequencies: [] as number[], lengths: [] as number[] };
    for (const row of rows) {
      const chunkId = idOf.get(`${row.chunk.ordinal}:${row.documentId}`)!;
      for (const [term, frequency] of row.lexical.frequencies) {
        postings.terms.push(term);
        postings.chunkIds.push(chunkId);
        postings.frequencies.push(frequency);
        postings.lengths.push(row.lexical.length);
        deltas.add(term, 1, 0);
      }
    }
    await sql`insert into rag_chunk_postings (generation_id, term, chunk_id, frequency, chunk_length)
      select ${generationId}::bigint, t.term, t.chunk_id, t.frequency, t.chunk_length
      from unnest(${postings.terms}::text[], ${postings.chunkIds}::bigint[], ${postings.frequencies}::integer[], ${postings.lengths}::integer[])
        as t(term, chunk_id, frequency, chunk_length)`.execute(executor);
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
    await sql`insert into rag_document_postings (generation_id, term, document_id, frequency, document_length)
      select ${generationId}::bigint, t.term, t.document_id, t.frequency, t.document_length
      from unnest(${documentPostings.terms}::text[], ${documentPostings.documentIds}::text[], ${documentPostings.frequencies}::integer[], ${documentPostings.lengths}::integer[])
        as t(term, document_id, frequency, document_length)`.execute(executor);
  }
  await applyTermDeltas(executor, generationId, deltas);
  await updateGenerationCounts(executor, generationId, {
    chunks: added.chunks - removed.chunks,
    lexicalLength: added.lexicalLength - removed.lexicalLength,
    documents: added.documents - removed.documents,
    documentLength: added.documentLength - removed.documentLength,
  });
}

/** Inside a transaction holding the generation's lock: deletes one document's chunks, vectors and postings. */
export async function deleteChunks(executor: Executor, knowledgeBaseId: string, generationId: number, documentId: string): Promise<void> {
  await replaceChunks(executor, knowledgeBaseId, generationId, [{ documentId, chunks: [], documentText: "" }]);
}

type Counts = { chunks: number; lexicalLength: number; documents: number; documentLength: number };

/** Deletes documents' rows of one generation, recording the term-frequency decrements in `deltas`. */
async function removeChunks(executor: Executor, knowledgeBaseId: string, generationId: number, documentIds: string[], deltas: TermDeltas): Promise<Counts> {
  const chunks = await sql<{ id: number; document_id: string; lexical_length: number }>`delete from rag_chunks
    where generation_id = ${generationId} and knowledge_base_id = ${knowledgeBaseId} and document_id = any(${documentIds}::text[])
    returning id, document_id, lexical_length`.execute(executor);
  if (chunks.rows.length === 0) return { chunks: 0, lexicalLength: 0, documents: 0, documentLength: 0 };
  const chunkTerms = await sql<{ term: string; count: number }>`with deleted as (
      delete from rag_chunk_postings where generation_id = ${generationId} and chunk_id = any(${chunks.rows.map((row) => row.id)}::bigint[]) returning term
    ) select term, count(*)::integer as count from deleted group by term`.execute(executor);
  for (const row of chunkTerms.rows) deltas.add(row.term, -row.count, 0);
  const documentTerms = await sql<{ term: string; document_id: string; document_length: number }>`delete from rag_document_postings
    where generation_id = ${generationId} and document_id = any(${documentIds}::text[]) returning term, document_id, document_length`.execute(executor);
  const documentLengths = new Map<string, number>();
  for (const row of documentTerms.rows) {
    deltas.add(row.term, 0, -1);
    documentLengths.set(row.document_id, row.document_length);
  }
  return {
    chunks: chunks.rows.length,
    lexicalLength: chunks.rows.reduce((sum, row) => sum + row.lexical_length, 0),
    // Documents with chunks are indexed as a whole too (even one without terms, as FTS5 counts it).
    documents: new Set(chunks.rows.map((row) => row.document_id)).size,
    documentLength: [...documentLengths.values()].reduce((sum, length) => sum + length, 0),
  };
}

async function updateGenerationCounts(executor: Executor, generationId: number, change: Counts): Promise<void> {
  if (change.chunks === 0 && change.lexicalLength === 0 && change.documents === 0 && change.documentLength === 0) return;
  await sql`update rag_generations set chunk_count = chunk_count + ${change.chunks}, lexical_length_sum = lexical_length_sum + ${change.lexicalLength},
    document_count = document_count + ${change.documents}, document_length_sum = document_length_sum + ${change.documentLength}
    where id = ${generationId}`.execute(executor);
}
