import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DatabaseSchema } from "../../store/index.js";
import { bm25InverseDocumentFrequency } from "../bm25.js";
import { candidateGenerationTerms } from "../lexical-candidate-terms.js";
import { lexicalTerms } from "../lexical-terms.js";

/** FTS5's `bm25()` constants: the SQLite store draws candidates and scores whole documents with them. */
const fts5K1 = 1.2;
const fts5B = 0.75;

/** Term frequencies of a text as the lexical index sees it, with its length in terms. */
export function termFrequencies(text: string): { frequencies: Map<string, number>; length: number } {
  const terms = lexicalTerms(text);
  const frequencies = new Map<string, number>();
  for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  return { frequencies, length: terms.length };
}

/** Changes of per-term chunk and document frequencies inside one write, applied to `rag_terms` at once. */
export class TermDeltas {
  private readonly deltas = new Map<string, { chunks: number; documents: number }>();

  add(term: string, chunks: number, documents: number): void {
    const delta = this.deltas.get(term) ?? { chunks: 0, documents: 0 };
    delta.chunks += chunks;
    delta.documents += documents;
    this.deltas.set(term, delta);
  }

  /** Non-zero changes, sorted by term. */
  entries(): Array<[string, { chunks: number; documents: number }]> {
    return [...this.deltas].filter(([, delta]) => delta.chunks !== 0 || delta.documents !== 0).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  }
}

/** The statistics of a generation that BM25 needs. */
export type LexicalStatistics = { chunkCount: number; lexicalLengthSum: number; documentCount: number; documentLengthSum: number };

/** Parameters of {@link lexicalQuery}. */
export type LexicalQueryInput = {
  generationId: number;
  query: string;
  statistics: LexicalStatistics;
  /** Chunk and document frequencies of the query's terms (missing: 0). */
  frequencies: Map<string, { chunks: number; documents: number }>;
  k1: number;
  b: number;
  documentWeight: number;
  candidates: number;
  postingsBudget: number;
};

/** What {@link lexicalQuery} binds into the scoring query, or `undefined` when no query term is in the index. */
export type LexicalQueryPlan = {
  terms: string[];
  weights: number[];
  idfs: number[];
  candidateTerms: string[];
  candidateChunkIdfs: number[];
  candidateDocumentIdfs: number[];
};

/**
 * The BM25 of the SQLite store, term for term: candidates are drawn with FTS5's bm25 (k1 1.2, b 0.75, its idf) over
 * the rarest query terms within the postings budget, then scored exactly with the configured k1/b and Lucene's idf
 * over every query term (repeats count), plus `documentWeight` × the FTS5 bm25 of the whole document over the
 * candidate terms.
 */
export function lexicalQueryPlan(input: LexicalQueryInput): LexicalQueryPlan | undefined {
  const queryTerms = lexicalTerms(input.query);
  const weights = new Map<string, number>();
  for (const term of queryTerms) weights.set(term, (weights.get(term) ?? 0) + 1);
  const chunkFrequency = new Map([...weights.keys()].map((term) => [term, input.frequencies.get(term)?.chunks ?? 0]));
  const matchable = [...weights.keys()].filter((term) => chunkFrequency.get(term)! > 0);
  if (matchable.length === 0) return undefined;
  const candidateTerms = candidateGenerationTerms(matchable, chunkFrequency, input.postingsBudget);
  const { chunkCount, documentCount } = input.statistics;
  return {
    terms: matchable,
    weights: matchable.map((term) => weights.get(term)!),
    idfs: matchable.map((term) => bm25InverseDocumentFrequency(chunkCount, chunkFrequency.get(term)!)),
    candidateTerms,
    candidateChunkIdfs: candidateTerms.map((term) => fts5InverseDocumentFrequency(chunkCount, chunkFrequency.get(term)!)),
    candidateDocumentIdfs: candidateTerms.map((term) => fts5InverseDocumentFrequency(documentCount, input.frequencies.get(term)?.documents ?? 0)),
  };
}

/** FTS5's idf: ln((N − n + 0.5) / (n + 0.5)), at least 1e-6. */
function fts5InverseDocumentFrequency(count: number, frequency: number): number {
  const idf = Math.log((count - frequency + 0.5) / (frequency + 0.5));
  return idf > 0 ? idf : 1e-6;
}

/**
 * The scored chunks of one lexical query as `(chunk_id, score)`, best first: one SQL statement over the postings,
 * returning the candidates' chunk scores and their documents' scores, added up here (a join of the two in SQL gets
 * a nested loop: the planner cannot estimate either side). `filter` is a condition over `rag_chunks c`, or
 * `undefined` for none (then candidates are drawn from the postings alone).
 */
export async function lexicalScores(
  executor: Kysely<DatabaseSchema>,
  input: LexicalQueryInput,
  plan: LexicalQueryPlan,
  filter: RawBuilder<unknown> | undefined,
  limit: number,
): Promise<Array<{ chunk_id: number; score: number }>> {
  const generationId = sql.lit(input.generationId);
  const averageChunkLength = Math.max(input.statistics.lexicalLengthSum / Math.max(input.statistics.chunkCount, 1), 1e-9);
  const averageDocumentLength = Math.max(input.statistics.documentLengthSum / Math.max(input.statistics.documentCount, 1), 1e-9);
  const { k1, b } = input;
  const filtered = filter === undefined ? sql`` : sql`join rag_chunks c on c.id = p.chunk_id and ${filter}`;
  const result = await sql<{ chunk_id: number | null; document_id: string; score: number }>`
    with query_terms as (
      select * from unnest(${plan.terms}::text[], ${plan.weights}::float8[], ${plan.idfs}::float8[]) as q(term, weight, idf)
    ), candidate_terms as (
      select * from unnest(${plan.candidateTerms}::text[], ${plan.candidateChunkIdfs}::float8[], ${plan.candidateDocumentIdfs}::float8[]) as t(term, chunk_idf, document_idf)
    ), candidates as (
      select p.chunk_id
      from rag_chunk_postings p join candidate_terms t on t.term = p.term ${filtered}
      where p.generation_id = ${generationId} and p.term = any(${plan.candidateTerms}::text[])
      group by p.chunk_id
      order by sum(t.chunk_idf * p.frequency * ${fts5K1 + 1}::float8
        / (p.frequency + ${fts5K1}::float8 * (${1 - fts5B}::float8 + ${fts5B}::float8 * p.chunk_length / ${averageChunkLength}::float8))) desc, p.chunk_id
      limit ${input.candidates}
    ), chunk_scores as (
      select p.chunk_id, sum(q.weight * q.idf * p.frequency * ${k1 + 1}::float8
        / (p.frequency + ${k1}::float8 * (${1 - b}::float8 + ${b}::float8 * p.chunk_length / ${averageChunkLength}::float8))) as score
      from rag_chunk_postings p join query_terms q on q.term = p.term
      where p.generation_id = ${generationId} and p.term = any(${plan.terms}::text[]) and p.chunk_id in (select chunk_id from candidates)
      group by p.chunk_id
    ), scored_chunks as materialized (
      select s.chunk_id, s.score, c.document_id from chunk_scores s join rag_chunks c on c.id = s.chunk_id
    ), document_scores as (
      select p.document_id, sum(t.document_idf * p.frequency * ${fts5K1 + 1}::float8
        / (p.frequency + ${fts5K1}::float8 * (${1 - fts5B}::float8 + ${fts5B}::float8 * p.document_length / ${averageDocumentLength}::float8))) as score
      from rag_document_postings p join candidate_terms t on t.term = p.term
      where p.generation_id = ${generationId} and p.term = any(${plan.candidateTerms}::text[])
        and p.document_id in (select document_id from scored_chunks) and ${input.documentWeight}::float8 > 0
      group by p.document_id
    )
    select chunk_id, document_id, score::float8 as score from scored_chunks
    union all
    select null, document_id, score::float8 from document_scores`.execute(executor);
  const documentScores = new Map<string, number>();
  for (const row of result.rows) if (row.chunk_id === null) documentScores.set(row.document_id, row.score);
  return result.rows
    .flatMap((row) => (row.chunk_id === null ? [] : [{ chunk_id: row.chunk_id, score: row.score + input.documentWeight * (documentScores.get(row.document_id) ?? 0) }]))
    .sort((left, right) => right.score - left.score || left.chunk_id - right.chunk_id)
    .slice(0, Math.max(0, limit));
}
